/** Retry delay settings. */
export interface BackoffOptions {
  /** Delay ceiling of the first retry, in ms. @defaultValue 250 */
  baseMs?: number;
  /** Cap on any single delay, in ms. @defaultValue 10_000 */
  maxMs?: number;
}

export const defaultBackoff = { baseMs: 250, maxMs: 10_000 } as const satisfies Required<BackoffOptions>;

/**
 * Capped exponential backoff with full jitter: a delay drawn uniformly from
 * [0, min(maxMs, baseMs * 2^retry)), where `retry` counts from 0 for the first retry. Full jitter
 * spreads the retries of many workers that failed together, so they do not return together.
 */
export function backoffDelayMs(
  retry: number,
  options: BackoffOptions = {},
  random: () => number = Math.random,
): number {
  const baseMs = options.baseMs ?? defaultBackoff.baseMs;
  const maxMs = options.maxMs ?? defaultBackoff.maxMs;
  // 2^retry overflows to Infinity for large retries; min() keeps the cap.
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, retry));
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.floor(r * ceiling);
}
