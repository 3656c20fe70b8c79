/** Rate-limit headers of one response, parsed; absent or non-numeric values are undefined. */
export interface RateLimitHeaders {
  /** x-ratelimit-limit-user: requests allowed per window (per minute at Affinity). */
  userLimit?: number;
  /** x-ratelimit-limit-user-remaining. */
  userRemaining?: number;
  /** x-ratelimit-limit-user-reset: seconds until the window resets. */
  userReset?: number;
  /** x-ratelimit-limit-org: monthly allowance; undefined when missing or "unlimited". */
  orgLimit?: number;
  /** x-ratelimit-limit-org-remaining. */
  orgRemaining?: number;
  /** x-ratelimit-limit-org-reset: seconds until the monthly quota resets. */
  orgReset?: number;
}

/** What became of one request a permit let go: Affinity's answer, or none (network error, timeout, abort). */
export type AttemptResult =
  | { kind: 'response'; status: number; headers: RateLimitHeaders }
  | { kind: 'no-response' };

/** Leave to send one request. The sender hands it the result; the limiter decides what it means. */
export interface Permit {
  /** Tells the limiter how the request went. Call exactly once per permit; later calls are ignored. */
  release(result: AttemptResult): Promise<void>;
}

/**
 * The one owner of pacing: asked before every request, told every result through the permit it
 * granted. It alone decides how long a request waits, including after a 429 (the caller asks for
 * a new permit to retry and never pauses for rate-limit reasons of its own).
 */
export interface Limiter {
  /** Resolves with a permit when one request may be sent; rejects (e.g. QuotaExhaustedError) when none may. */
  acquire(signal?: AbortSignal): Promise<Permit>;
  /** Total milliseconds callers spent waiting in acquire(). */
  readonly waitedMs: number;
  close(): Promise<void>;
}

/** A permit whose release runs `apply` once, whatever the number of calls. */
export function oncePermit(apply: (result: AttemptResult) => Promise<void> | void): Permit {
  let released = false;
  return {
    async release(result) {
      if (released) return;
      released = true;
      await apply(result);
    },
  };
}
