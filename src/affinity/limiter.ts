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

/** What the client tells the limiter after each request it was allowed to send. */
export interface LimiterObservation {
  /** HTTP status, or 0 when no response arrived (network error). */
  status: number;
  headers: RateLimitHeaders;
}

/**
 * Asked before every request and told the outcome of each. Every `acquire()` that resolves is
 * followed by exactly one `observe()`, so implementations can count requests in flight.
 */
export interface Limiter {
  /** Resolves when one request may be sent; rejects (e.g. QuotaExhaustedError) when none may. */
  acquire(signal?: AbortSignal): Promise<void>;
  observe(observation: LimiterObservation): Promise<void>;
  /** Total milliseconds callers spent waiting in acquire(). */
  readonly waitedMs: number;
  close(): Promise<void>;
}
