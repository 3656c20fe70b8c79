import type { Source } from '../sources/source.js';
import { listTarget } from './list-target.js';
import { checkPlan } from './phases/check-plan.js';
import { describeSource } from './phases/describe-source.js';
import type { PhaseOutcome } from './phases/phase-outcome.js';
import { planRows } from './phases/plan-rows.js';
import { readCurrent } from './phases/read-current.js';
import { reportRun } from './phases/report-run.js';
import { resolveMappedFields } from './phases/resolve-fields.js';
import { guarded, startRun } from './phases/run-context.js';
import { writeChanges } from './phases/write-changes.js';
import type { RunReport } from './report.js';
import type { SyncDependencies, SyncOptions } from './sync-options.js';

export type { SyncDependencies, SyncOptions, SyncProgress } from './sync-options.js';

/**
 * One sync run, phase by phase; the first phase that stops ends the run with a failed report.
 * Configuration problems throw ConfigError before any request that writes; every other failure
 * ends in a report with status "failed".
 */
export async function runSync(deps: SyncDependencies, options: SyncOptions): Promise<RunReport> {
  const run = startRun(deps, options);
  const target = listTarget(deps.client, options.mapping.list);

  const fields = await guarded(run, () => resolveMappedFields(run, target));
  if (!fields.ok) return reportRun(run, fields);

  const source = deps.openSource(options.mapping.source);
  const writes = await closing(source, async () => {
    const columns = await guarded(run, () => describeSource(run, source, fields.value));
    if (!columns.ok) return columns;
    const current = await guarded(run, () => readCurrent(run, target, fields.value));
    if (!current.ok) return current;
    return guarded(run, () => planRows(run, source, current.value, fields.value));
  });
  if (!writes.ok) return reportRun(run, writes);
  const checked = checkPlan(run, writes.value);
  if (!checked.ok) return reportRun(run, checked);

  const written = await guarded(run, () => writeChanges(run, target, fields.value, checked.value));
  return reportRun(run, written);
}

/** Runs the phases that use the source, then closes it (the writes do not need it). */
async function closing<T>(source: Source, phases: () => Promise<PhaseOutcome<T>>): Promise<PhaseOutcome<T>> {
  try {
    return await phases();
  } finally {
    await source.close().catch(() => undefined);
  }
}
