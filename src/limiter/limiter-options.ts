import type { PacingSettings } from './pacing-math.js';

/** How the limiter spends Affinity's budget. */
export interface LimiterOptions {
  /** Requests per window assumed before the server says otherwise. @defaultValue 900 */
  limit?: number;
  /**
   * Window length, seconds (RATE_LIMIT_WINDOW_SECONDS). Unset, the limiter learns it from
   * `x-ratelimit-limit-user-reset` (the largest reset seen), assuming 60 s until the first one.
   * @defaultValue learned
   */
  windowSeconds?: number | undefined;
  /** Fraction of the limit kept unused as a margin. @defaultValue 0.05 */
  safetyMargin?: number;
  /** Fraction of the monthly allowance never spent by syncs. @defaultValue 0.02 */
  quotaReserve?: number;
  /** Max requests in flight (starting value; lowered on concurrency 429s). @defaultValue 8 */
  maxInFlight?: number;
  /** Requests that may go back to back after an idle spell. @defaultValue 2 */
  burst?: number;
  /** Seconds after which an unobserved in-flight slot (a crashed process's) is freed. @defaultValue 120 */
  slotTtlSeconds?: number;
  /** Clock in milliseconds (tests inject one). @defaultValue Date.now */
  now?: () => number;
  /** Uniform [0, 1) source for jitter (tests inject one). @defaultValue Math.random */
  random?: () => number;
}

/** LimiterOptions with defaults applied and ranges checked. */
export interface ResolvedLimiterOptions {
  settings: PacingSettings;
  slotTtlMs: number;
  now: () => number;
  random: () => number;
}

/** Affinity's documented window, assumed until the first reset header teaches the real one. */
const assumedWindowSeconds = 60;

function checked(name: string, value: number, min: number, max: number): number {
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new RangeError(`Limiter option ${name} must be a number from ${min} to ${max}; got ${value}.`);
  }
  return value;
}

export function resolveLimiterOptions(options: LimiterOptions): ResolvedLimiterOptions {
  return {
    settings: {
      limit: checked('limit', options.limit ?? 900, 1, 1e9),
      windowMs: checked('windowSeconds', options.windowSeconds ?? assumedWindowSeconds, 0.001, 86_400) * 1000,
      windowFixed: options.windowSeconds !== undefined,
      safetyMargin: checked('safetyMargin', options.safetyMargin ?? 0.05, 0, 0.5),
      burst: checked('burst', options.burst ?? 2, 1, 1000),
      quotaReserve: checked('quotaReserve', options.quotaReserve ?? 0.02, 0, 1),
      maxInFlight: Math.floor(checked('maxInFlight', options.maxInFlight ?? 8, 1, 1000)),
    },
    slotTtlMs: checked('slotTtlSeconds', options.slotTtlSeconds ?? 120, 1, 86_400) * 1000,
    now: options.now ?? Date.now,
    random: options.random ?? Math.random,
  };
}
