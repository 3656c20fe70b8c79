import type { Tolerance, ToleranceLimit } from '../mappings/health-schema.js';
import type { CreatedSummary } from './creation.js';
import type { Tally } from './tally.js';

export type RunStatus = 'succeeded' | 'partial' | 'failed';

/** A run's status and how many tolerated problems it carries (rejected values + failed entries). */
export interface RunHealth {
  status: RunStatus;
  /** Rejected values and failed entries within the mapping's `tolerate:`; 0 when beyond it. */
  warnings: number;
}

/**
 * Pure: failed when the run stopped; partial when a domain was ambiguous, a creation was held back
 * (maxCreates) or failed, or rejected values or failed entries exceed the mapping's tolerance (none
 * by default); else succeeded, with the tolerated ones counted as warnings. Rejected values are
 * measured against the values planned, failed entries against the entries to write (updated +
 * failed). Unmatched rows never count.
 */
export function runHealth(
  tally: Tally,
  error: string | undefined,
  tolerance: Tolerance = {},
  created?: Pick<CreatedSummary, 'overLimit' | 'failed'>,
): RunHealth {
  if (error !== undefined) return { status: 'failed', warnings: 0 };
  const { rows, entries, fields } = tally;
  // Every rejected row has at least one rejected value; max() keeps a tally that counted only rows partial.
  const rejected = Math.max(fields.rejected, rows.rejected);
  const categories = [
    { count: rejected, base: tally.valuesPlanned, limit: tolerance.rejectedValues },
    { count: entries.failed, base: entries.updated + entries.failed, limit: tolerance.failedEntries },
  ];
  let partial =
    rows.ambiguous > 0 || (created !== undefined && (created.overLimit > 0 || created.failed > 0));
  let warnings = 0;
  for (const { count, base, limit } of categories) {
    if (count === 0) continue;
    if (within(count, base, limit)) warnings += count;
    else partial = true;
  }
  return { status: partial ? 'partial' : 'succeeded', warnings };
}

/** Whether `count` of `base` stays within the limit (none: nothing is tolerated). */
export function within(count: number, base: number, limit: ToleranceLimit | undefined): boolean {
  if (limit === undefined) return count === 0;
  if ('count' in limit) return count <= limit.count;
  // count / base ≤ p / 100, without dividing (base may be 0, p a decimal).
  return count * 100 <= limit.percent * base;
}
