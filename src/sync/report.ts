// The run report: the JSON contract of `run --report`, the worker's history and the benchmarks.

export type RunStatus = 'succeeded' | 'partial' | 'failed';

export interface Problem {
  /** 1-based row number in the source result, when the problem belongs to a row. */
  row?: number;
  /** The row's match key (e.g. "domain=acme.com"), when known. */
  key?: string;
  column?: string;
  entryId?: number;
  value?: string;
  reason: string;
}

export interface Change {
  entryId: number;
  entityId: number;
  entityName?: string;
  fieldId: string;
  fieldName: string;
  before: unknown;
  after: unknown;
}

export interface RunReport {
  mapping: string;
  runId: string;
  mode: 'diff' | 'overwrite';
  dryRun: boolean;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  status: RunStatus;
  /** Why the run failed, when it did. */
  error?: string;
  rows: {
    read: number;
    matched: number;
    unmatched: number;
    ambiguous: number;
    duplicate: number;
    rejected: number;
  };
  entries: { updated: number; unchanged: number; failed: number };
  fields: { written: number; unchanged: number; rejected: number };
  calls: { total: number; read: number; write: number; retried: number; rateLimited: number };
  /** Milliseconds spent waiting for the rate limiter. */
  limiterWaitMs: number;
  problems: Problem[];
  /** Problems beyond the cap of 1,000 kept in `problems`. */
  problemsOmitted: number;
  /** Dry runs: every change that would be written (before → after). */
  changes?: Change[];
}

export const problemCap = 1000;

/** Accumulates problems up to the cap, counting the rest. */
export class ProblemLog {
  readonly items: Problem[] = [];
  omitted = 0;
  add(problem: Problem): void {
    if (this.items.length < problemCap) this.items.push(problem);
    else this.omitted += 1;
  }
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
