import { randomUUID } from 'node:crypto';
import type { QuotaAllowance } from '../../affinity/allowance-watch.js';
import type { CallCounts } from '../../affinity/client.js';
import type { Logger } from '../../log/logger.js';
import { ConfigError } from '../../mappings/config-error.js';
import type { Mapping } from '../../mappings/mapping-schema.js';
import { ChangeLog } from '../change-log.js';
import type { CreateRun } from '../create-run.js';
import { ProblemLog } from '../problem.js';
import type { QuotaForecast } from '../quota-forecast.js';
import type { RunMode } from '../report.js';
import { describeFailure } from '../run-failure.js';
import type { SyncDependencies, SyncOptions, SyncProgress } from '../sync-options.js';
import { emptyTally, type Tally } from '../tally.js';
import { type PhaseOutcome, stop } from './phase-outcome.js';

/**
 * What every phase of one run shares: the settings of the run and its sinks (tally, problems,
 * changes, progress). What one phase hands the next travels as its typed PhaseOutcome value.
 */
export interface RunContext {
  readonly mapping: Mapping;
  readonly options: SyncOptions;
  readonly mode: RunMode;
  readonly dryRun: boolean;
  readonly runId: string;
  /** Epoch milliseconds. */
  readonly startedAt: number;
  readonly log: Logger;
  readonly tally: Tally;
  readonly problems: ProblemLog;
  /** The fields written (a dry run: to write), capped, each also handed to `onChanges`. */
  readonly changes: ChangeLog;
  readonly progress: SyncProgress;
  /** Creation state when the mapping opts in (set by prepareCreates), so any report shows what was created. */
  creates?: CreateRun;
  /** Refreshes the call count and hands the progress to `onProgress`. */
  tell(): void;
  /** Copies the client's call counts and the limiter's wait into the tally. */
  settle(): void;
  /** The client's call counts so far (a copy). */
  callsSoFar(): CallCounts;
  /** The monthly allowance Affinity's last response reported, if any. */
  allowance(): QuotaAllowance | undefined;
  /** What a real run would spend, set once the writes are planned (check-plan.ts). */
  forecast?: QuotaForecast;
  /** Set when the run stops before writing because its writes would cross the quota reserve. */
  skipped?: 'quota-reserve';
}

export function startRun(deps: SyncDependencies, options: SyncOptions): RunContext {
  const { client, limiter } = deps;
  const { mapping } = options;
  const runId = options.runId ?? randomUUID();
  const startedAt = Date.now();
  const tally = emptyTally();
  const progress: SyncProgress = {
    phase: 'resolving',
    rowsRead: 0,
    entriesScanned: 0,
    entriesToWrite: 0,
    entriesWritten: 0,
    calls: 0,
    startedAt,
  };
  const log = deps.logger.child({ mapping: mapping.name, runId });
  return {
    mapping,
    options,
    mode: options.mode ?? mapping.mode,
    dryRun: options.dryRun ?? false,
    runId,
    startedAt,
    log,
    tally,
    problems: new ProblemLog(options.onProblems, log),
    changes: new ChangeLog(options.onChanges, log),
    progress,
    tell: () => {
      progress.calls = client.calls.total;
      options.onProgress?.(progress);
    },
    settle: () => {
      tally.calls = { ...client.calls };
      tally.limiterWaitMs = limiter.waitedMs;
    },
    callsSoFar: () => ({ ...client.calls }),
    allowance: () => deps.allowance?.(),
  };
}

/**
 * Runs one phase. A failure thrown below it (Affinity, limiter, source) becomes the run's stop
 * reason; a ConfigError goes on up, as configuration problems end a run before any write.
 */
export async function guarded<T>(
  run: RunContext,
  phase: () => Promise<PhaseOutcome<T>>,
): Promise<PhaseOutcome<T>> {
  try {
    return await phase();
  } catch (caught) {
    if (caught instanceof ConfigError) throw caught;
    return stop(describeFailure(caught, run.mapping.name));
  }
}

/** Publishes progress; true when the run was asked to stop (checked between pages and row batches). */
export function checkpoint(run: RunContext): boolean {
  run.tell();
  return run.options.signal?.aborted === true;
}
