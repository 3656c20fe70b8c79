import type { Expectations } from '../mappings/health-schema.js';
import type { RowTally } from './tally.js';

/**
 * Which of the mapping's `expect:` the rows read miss, as the sentence that fails the run before
 * any write; undefined when they meet them all (pure). A share is only asked of a run that read rows.
 */
export function unmetExpectation(expect: Expectations | undefined, rows: RowTally): string | undefined {
  if (expect === undefined) return undefined;
  if (expect.minRows !== undefined && rows.read < expect.minRows) {
    return (
      `the query returned ${rows.read} row${rows.read === 1 ? '' : 's'}, fewer than expect.minRows ${expect.minRows}; ` +
      'nothing was written — check the query and its source (an empty or stale table?), or lower expect.minRows'
    );
  }
  if (expect.minMatchedShare !== undefined && rows.read > 0) {
    const share = rows.matched / rows.read;
    if (share < expect.minMatchedShare) {
      return (
        `${rows.matched} of ${rows.read} rows (${percent(share)}) matched a list entry, less than ` +
        `expect.minMatchedShare ${expect.minMatchedShare} (${percent(expect.minMatchedShare)}); nothing was written — ` +
        'check the match columns, the list id and the unmatched rows in the report, or lower expect.minMatchedShare'
      );
    }
  }
  return undefined;
}

function percent(share: number): string {
  return `${(share * 100).toFixed(1)}%`;
}
