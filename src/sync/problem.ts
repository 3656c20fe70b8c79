/**
 * What kind of problem a report entry is, for machines (filters, alerts, a results store). A
 * closed set: adding one is a change of the report's contract (README "Running a sync").
 */
export type ProblemCode =
  /** A row whose keys match no record of the target. */
  | 'unmatched'
  /** A row whose match columns are all empty. */
  | 'missing-key'
  /** A row whose key cannot be one (not a domain, not a positive whole id). */
  | 'invalid-key'
  /** A row whose domain belongs to two or more companies on the list; not written. */
  | 'ambiguous'
  /** One value of a row that cannot convert to its field; the row's other values still go. */
  | 'rejected-value'
  /** A row whose entry a later row also reached; the later row is the one written. */
  | 'duplicate-row'
  /** An entry Affinity refused or that failed after retries; its other entries still go. */
  | 'entry-failed';

/** One thing a run could not do, for a row, a value or an entry. */
export interface Problem {
  code: ProblemCode;
  /** 1-based row number in the source result, when the problem belongs to a row. */
  row?: number;
  /** The row's match key (e.g. "domain=acme.com"), when known. */
  key?: string;
  column?: string;
  entryId?: number;
  value?: string;
  reason: string;
}

/** Most problems a report keeps; the rest are counted in `problemsOmitted`. */
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
