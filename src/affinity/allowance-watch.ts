import type { Limiter, LimiterObservation } from './limiter.js';

/** The account's monthly allowance as Affinity's last response reported it (`x-ratelimit-limit-org*`). */
export interface QuotaAllowance {
  /** Calls left this month (`x-ratelimit-limit-org-remaining`). */
  remaining: number;
  /** Calls per month (`x-ratelimit-limit-org`), when reported. */
  limit?: number;
  /** Seconds until the allowance resets (`x-ratelimit-limit-org-reset`), when reported. */
  resetSeconds?: number;
}

/**
 * A Limiter that hands everything to `inner` and remembers the monthly allowance the last response
 * carried; none is reported (undefined) while the headers say "unlimited" or are missing.
 */
export class AllowanceWatch implements Limiter {
  #last: QuotaAllowance | undefined;

  constructor(private readonly inner: Limiter) {}

  get waitedMs(): number {
    return this.inner.waitedMs;
  }

  /** The allowance of the last response that reported one. */
  allowance(): QuotaAllowance | undefined {
    return this.#last;
  }

  acquire(signal?: AbortSignal): Promise<void> {
    return this.inner.acquire(signal);
  }

  observe(observation: LimiterObservation): Promise<void> {
    const { orgRemaining, orgLimit, orgReset } = observation.headers;
    if (orgRemaining !== undefined) {
      this.#last = {
        remaining: orgRemaining,
        ...(orgLimit === undefined ? {} : { limit: orgLimit }),
        ...(orgReset === undefined ? {} : { resetSeconds: orgReset }),
      };
    }
    return this.inner.observe(observation);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
