import type { Logger } from '../log/logger.js';
import { scrubDeep } from '../log/secrets.js';

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
  /** An entry Affinity refused (400/404/422); the other entries still go. */
  | 'entry-failed'
  /** An entry whose write failed for a transient reason (5xx, network, timeout), also when tried again at the end of the run. */
  | 'entry-failed-transient'
  /** A mapped field this client cannot write (a type it does not know, e.g. `hidden`); skipped, never written. */
  | 'skipped-field'
  /** A row whose entity would be added (or company created), but the run's maxCreates was reached. */
  | 'create-limit'
  /** A create (list entry, company, option) refused by Affinity, or whose lost answer left it undone. */
  | 'create-failed';

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

/** Receives every problem of a run, uncapped, as it is found. */
export type ProblemSink = (problems: readonly Problem[]) => void;

/** Accumulates problems up to the cap, counting the rest, and hands every one to the sink. */
export class ProblemLog {
  readonly items: Problem[] = [];
  omitted = 0;
  #sinkFailed = false;

  constructor(
    private readonly sink?: ProblemSink,
    private readonly log?: Logger,
  ) {}

  add(problem: Problem): void {
    if (this.items.length < problemCap) this.items.push(problem);
    else this.omitted += 1;
    if (this.sink === undefined || this.#sinkFailed) return;
    try {
      this.sink([scrubDeep(problem)]);
    } catch (error) {
      // A sink is a side channel: its failure must never fail or stop the sync.
      this.log?.warn({ err: error }, 'the problem sink failed; the report still lists problems');
      this.#sinkFailed = true;
    }
  }
}
