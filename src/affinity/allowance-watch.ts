import type { AttemptResult, Limiter, Permit, RateLimitHeaders } from './limiter.js';

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

  async acquire(signal?: AbortSignal): Promise<Permit> {
    const permit = await this.inner.acquire(signal);
    return {
      release: (result: AttemptResult) => {
        if (result.kind === 'response') this.#remember(result.headers);
        return permit.release(result);
      },
    };
  }

  #remember(headers: RateLimitHeaders): void {
    const { orgRemaining, orgLimit, orgReset } = headers;
    if (orgRemaining === undefined) return;
    this.#last = {
      remaining: orgRemaining,
      ...(orgLimit === undefined ? {} : { limit: orgLimit }),
      ...(orgReset === undefined ? {} : { resetSeconds: orgReset }),
    };
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
