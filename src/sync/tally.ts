import type { CallCounts } from '../affinity/client.js';

/** What became of the source rows. */
export interface RowTally {
  read: number;
  matched: number;
  /** Rows no entry matched, including rows without a usable key. */
  unmatched: number;
  ambiguous: number;
  /** Rows that reached an entry an earlier row had reached (the later row wins). */
  duplicate: number;
  /** Rows with at least one value that could not convert. */
  rejected: number;
}

/** What became of the list entries the rows reached. */
export interface EntryTally {
  updated: number;
  unchanged: number;
  failed: number;
}

/** What became of the mapped values. */
export interface FieldTally {
  written: number;
  unchanged: number;
  rejected: number;
}

/**
 * Every count of a run, in the shape the report shows them. Phases add to one tally; the report
 * copies it and computes nothing again.
 */
export interface Tally {
  rows: RowTally;
  entries: EntryTally;
  fields: FieldTally;
  calls: CallCounts;
  /** Milliseconds spent waiting for the rate limiter (summed over requests). */
  limiterWaitMs: number;
  /**
   * Values of matched rows that converted or were rejected (per row): the base of a
   * `tolerate.rejectedValues` percentage. Not in the report.
   */
  valuesPlanned: number;
  transient: TransientTally;
}

/** Entries whose write failed for a transient reason (5xx, network, timeout) and were tried again after a pause. */
export interface TransientTally {
  /** Entries tried again at the end of the write phase. */
  retried: number;
  /** Of those, the entries that failed again (problems `entry-failed-transient`, counted in `entries.failed`). */
  failed: number;
}

/** A tally with every count at zero: the one home of those literals. */
export function emptyTally(): Tally {
  return {
    rows: { read: 0, matched: 0, unmatched: 0, ambiguous: 0, duplicate: 0, rejected: 0 },
    entries: { updated: 0, unchanged: 0, failed: 0 },
    fields: { written: 0, unchanged: 0, rejected: 0 },
    calls: { total: 0, read: 0, write: 0, retried: 0, rateLimited: 0 },
    limiterWaitMs: 0,
    valuesPlanned: 0,
    transient: { retried: 0, failed: 0 },
  };
}
