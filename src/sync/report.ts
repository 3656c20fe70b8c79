// The run report: the JSON contract of `run --report`, the worker's history and the benchmarks.

import type { CallCounts } from '../affinity/client.js';
import type { Tolerance } from '../mappings/health-schema.js';
import type { Change, ChangeLog } from './change-log.js';
import type { CreatedSummary, Creation } from './creation.js';
import type { SyncInfo } from './incremental/sync-info.js';
import type { Problem, ProblemLog } from './problem.js';
import type { QuotaForecast } from './quota-forecast.js';
import { type RunStatus, runHealth } from './run-health.js';
import type { EntryTally, FieldTally, RowTally, Tally, TransientTally } from './tally.js';

export type { RunStatus } from './run-health.js';

export type RunMode = 'diff' | 'overwrite';

export interface RunReport {
  mapping: string;
  runId: string;
  mode: RunMode;
  dryRun: boolean;
  /** Set for `target:` mappings: `entries` (and each change's `entryId`) are then the companies or persons themselves. */
  target?: 'companies' | 'persons';
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  status: RunStatus;
  /** Rejected values and failed entries the mapping's `tolerate:` allowed (0 when none, or beyond it). */
  warnings: number;
  /** Why the run failed, when it did. */
  error?: string;
  /** Set when the run stopped before writing on purpose: its writes would cross QUOTA_RESERVE (scheduled runs). */
  skipped?: 'quota-reserve';
  rows: RowTally;
  entries: EntryTally;
  fields: FieldTally;
  calls: CallCounts;
  /** Milliseconds spent waiting for the rate limiter. */
  limiterWaitMs: number;
  /** Entries whose write failed for a transient reason and were tried again after a pause. */
  transient: TransientTally;
  /**
   * The calls a real run would spend (reads, writes) and the monthly allowance left, when the run
   * planned its writes (a dry run: the forecast of the real run).
   */
  forecast?: QuotaForecast;
  problems: Problem[];
  /** Problems beyond the cap of 1,000 kept in `problems`. */
  problemsOmitted: number;
  /**
   * The fields written (a dry run: that would be written), before → after, the first 1,000 of them
   * (a real run: in the order entries finished).
   */
  changes: Change[];
  /** Changes beyond the cap of 1,000 kept in `changes`. */
  changesOmitted: number;
  /** How current values were read (live, reconcile or incremental) and what that saved; runs that got that far. */
  sync?: SyncInfo;
  /** Mappings that opt in to creation: the ids created in this run (a dry run: none), what was held back. */
  created?: CreatedSummary;
  /** One record per list entry, company or option created (a dry run: that would be), like `changes`. */
  creations?: Creation[];
}

/** Everything a report is made of; `buildReport` only arranges it. */
export interface ReportInput {
  mapping: string;
  runId: string;
  mode: RunMode;
  dryRun: boolean;
  target?: 'companies' | 'persons' | undefined;
  /** Epoch milliseconds. */
  startedAt: number;
  /** Epoch milliseconds. @defaultValue now */
  finishedAt?: number;
  tally: Tally;
  /** Why the run stopped; set, the status is failed. */
  error?: string;
  skipped?: 'quota-reserve';
  problems?: ProblemLog;
  changes?: ChangeLog;
  sync?: SyncInfo;
  /** The mapping's `tolerate:`. @defaultValue nothing tolerated */
  tolerance?: Tolerance;
  forecast?: QuotaForecast;
  /** What a mapping that opts in to creation created. */
  creates?: { summary: CreatedSummary; records: readonly Creation[] };
}

/** The one place a RunReport is assembled: the engine's end and the worker's failure path. */
export function buildReport(input: ReportInput): RunReport {
  const finishedAt = input.finishedAt ?? Date.now();
  const { tally } = input;
  const health = runHealth(tally, input.error, input.tolerance, input.creates?.summary);
  return {
    mapping: input.mapping,
    runId: input.runId,
    mode: input.mode,
    dryRun: input.dryRun,
    ...(input.target === undefined ? {} : { target: input.target }),
    startedAt: new Date(input.startedAt).toISOString(),
    finishedAt: new Date(finishedAt).toISOString(),
    durationMs: finishedAt - input.startedAt,
    status: health.status,
    warnings: health.warnings,
    ...(input.error === undefined ? {} : { error: input.error }),
    ...(input.skipped === undefined ? {} : { skipped: input.skipped }),
    rows: { ...tally.rows },
    entries: { ...tally.entries },
    fields: { ...tally.fields },
    calls: { ...tally.calls },
    limiterWaitMs: Math.round(tally.limiterWaitMs),
    transient: { ...tally.transient },
    ...(input.forecast === undefined ? {} : { forecast: input.forecast }),
    problems: input.problems?.items ?? [],
    problemsOmitted: input.problems?.omitted ?? 0,
    changes: input.changes?.items ?? [],
    changesOmitted: input.changes?.omitted ?? 0,
    ...(input.sync === undefined ? {} : { sync: { ...input.sync } }),
    ...(input.creates === undefined
      ? {}
      : { created: copySummary(input.creates.summary), creations: [...input.creates.records] }),
  };
}

function copySummary(summary: CreatedSummary): CreatedSummary {
  return {
    ...summary,
    entries: [...summary.entries],
    companies: [...summary.companies],
    options: [...summary.options],
  };
}

/** The status alone (see runHealth, src/sync/run-health.ts); nothing tolerated by default. */
export function runStatus(
  tally: Tally,
  error: string | undefined,
  created?: Pick<CreatedSummary, 'overLimit' | 'failed'>,
  tolerance?: Tolerance,
): RunStatus {
  return runHealth(tally, error, tolerance, created).status;
}

/** Exit code of a finished run: 0 succeeded, 1 partial or failed. */
export function exitCodeOf(report: Pick<RunReport, 'status'>): number {
  switch (report.status) {
    case 'succeeded':
      return 0;
    case 'partial':
    case 'failed':
      return 1;
    default: {
      const never: never = report.status;
      return never;
    }
  }
}
