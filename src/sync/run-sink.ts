import type { Change } from './change-log.js';
import type { Problem } from './problem.js';
import type { RunReport } from './report.js';

/** A problem as the store takes it (every problem carries its code). */
export type StoredProblem = Problem;

/** What is known of a run when it starts. */
export interface RunStart {
  runId: string;
  mapping: string;
  mode: 'diff' | 'overwrite';
  dryRun: boolean;
  /** ISO time. */
  startedAt: string;
}

/**
 * Where one run's results go besides its report (the results store). One sink per run, used in
 * this order: `begin` once, `changes` / `problems` any number of times with every change and
 * problem (uncapped, in batches of any size), then exactly one of `finish` or `fail`.
 *
 * A sink never throws and never holds the sync up beyond a bounded wait: `begin` returns at once;
 * `changes` / `problems` return at once unless many rows are still unwritten (then they wait for
 * the backlog to drain, bounded by the store's statement timeout); `finish` / `fail` wait for the
 * last rows within a deadline. A store that fails warns once per run and drops the rest.
 */
export interface RunSink {
  begin(run: RunStart): void;
  changes(batch: readonly Change[]): Promise<void>;
  problems(batch: readonly StoredProblem[]): Promise<void>;
  /** The run ended with this report (its counts become the `runs` row). */
  finish(report: RunReport): Promise<void>;
  /** The run ended without a report (e.g. a configuration error): recorded as failed with `reason`. */
  fail(reason: string): Promise<void>;
}

/** The sink when there is no results store. */
export const noRunSink: RunSink = {
  begin: () => undefined,
  changes: async () => undefined,
  problems: async () => undefined,
  finish: async () => undefined,
  fail: async () => undefined,
};
