import type { QuotaAllowance } from '../affinity/allowance-watch.js';
import { maxUpdatesPerCall } from '../affinity/client.js';
import { reservedCalls } from '../limiter/pacing-math.js';

/** What a real run would spend, by the engine's own arithmetic, beside the monthly allowance left. */
export interface QuotaForecast {
  /** GET requests: field lists, dropdown options, list pages (retries not counted). */
  reads: number;
  /** PATCH requests: one per ≤100 changed fields of each entry to write. */
  writes: number;
  total: number;
  /** The monthly allowance Affinity's last response reported; absent when it reports none (no monthly cap). */
  allowance?: QuotaAllowance;
  /** Set when `total` is more than QUOTA_WARN_SHARE of the allowance left. */
  warning?: string;
}

/** PATCH requests the write phase sends for these entries (update-batches.ts splits at 100). */
export function forecastWrites(entries: ReadonlyArray<{ changed: readonly unknown[] }>): number {
  let calls = 0;
  for (const { changed } of entries) calls += Math.ceil(changed.length / maxUpdatesPerCall);
  return calls;
}

/** The forecast of `reads` + `writes` against the allowance, warning above `warnShare` of what is left (pure). */
export function quotaForecast(
  calls: { reads: number; writes: number },
  allowance: QuotaAllowance | undefined,
  warnShare: number,
  /** The calls are a lower bound (validate --remote, before the list is read). @defaultValue false */
  atLeast = false,
): QuotaForecast {
  const total = calls.reads + calls.writes;
  const forecast: QuotaForecast = { reads: calls.reads, writes: calls.writes, total };
  if (allowance === undefined) return forecast;
  forecast.allowance = allowance;
  if (total > warnShare * allowance.remaining) {
    const share = allowance.remaining === 0 ? 'more than all' : `${percent(total / allowance.remaining)}`;
    forecast.warning =
      `a real run would spend ${atLeast ? 'at least ' : ''}${count(total)} calls, ${share} of the ${count(allowance.remaining)} left this month ` +
      `(QUOTA_WARN_SHARE ${warnShare})${resetText(allowance)}`;
  }
  return forecast;
}

/**
 * Why the writes would cross the monthly reserve (QUOTA_RESERVE of the allowance, as the limiter
 * keeps it), or undefined when they fit or no monthly allowance is reported (pure).
 */
export function quotaShortfall(
  writes: number,
  allowance: QuotaAllowance | undefined,
  reserve: number,
): string | undefined {
  if (allowance === undefined || allowance.limit === undefined) return undefined;
  const reserved = reservedCalls(allowance.limit, reserve);
  const spendable = Math.max(allowance.remaining - reserved, 0);
  if (writes <= spendable) return undefined;
  return (
    `skipped before writing: its ${count(writes)} writes would cross the monthly reserve — ` +
    `${count(allowance.remaining)} calls left, ${count(reserved)} kept in reserve (QUOTA_RESERVE ${reserve} of ${count(allowance.limit)}), ` +
    `so only ${count(spendable)} may be spent${resetText(allowance)}; nothing was written, and the next scheduled run tries again`
  );
}

/** "9,990 calls of the monthly allowance left (of 10,000)", or that none is reported. */
export function allowanceText(allowance: QuotaAllowance | undefined): string {
  if (allowance === undefined) return 'no monthly quota reported (unlimited)';
  const of = allowance.limit === undefined ? '' : ` (of ${count(allowance.limit)})`;
  return `${count(allowance.remaining)} calls of the monthly allowance left${of}`;
}

function resetText(allowance: QuotaAllowance): string {
  if (allowance.resetSeconds === undefined) return '';
  const days = allowance.resetSeconds / 86_400;
  return days >= 1
    ? `; the allowance resets in ${Math.round(days)} day${Math.round(days) === 1 ? '' : 's'}`
    : `; the allowance resets in ${Math.ceil(allowance.resetSeconds / 3600)} h`;
}

function count(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

function percent(fraction: number): string {
  return `${(fraction * 100).toFixed(fraction < 0.1 ? 1 : 0)}%`;
}
