import type { SyncInfo } from '../incremental/sync-info.js';
import { buildReport, type RunReport } from '../report.js';
import type { PhaseOutcome } from './phase-outcome.js';
import type { RunContext } from './run-context.js';

/** Phase 6: the run's report from its tally, problems and changes; a stopped phase makes it failed. */
export function reportRun(run: RunContext, last: PhaseOutcome<unknown>, sync?: SyncInfo): RunReport {
  run.progress.phase = 'done';
  run.tell();
  run.settle();
  if (!last.ok) run.log.error({ err: last.error }, 'run failed');
  return buildReport({
    mapping: run.mapping.name,
    runId: run.runId,
    mode: run.mode,
    dryRun: run.dryRun,
    target: run.mapping.target,
    startedAt: run.startedAt,
    tally: run.tally,
    ...(last.ok ? {} : { error: last.error }),
    problems: run.problems,
    changes: run.changes,
    ...(sync === undefined ? {} : { sync }),
    ...(run.mapping.tolerate === undefined ? {} : { tolerance: run.mapping.tolerate }),
    ...(run.forecast === undefined ? {} : { forecast: run.forecast }),
    ...(run.skipped === undefined ? {} : { skipped: run.skipped }),
    ...(run.creates === undefined
      ? {}
      : { creates: { summary: run.creates.summary, records: run.creates.records } }),
  });
}
