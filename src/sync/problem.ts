/** One thing a run could not do, for a row, a value or an entry. */
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
