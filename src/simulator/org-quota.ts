/** Monthly account quota; null options mean unlimited (headers then say "unlimited"). */
export interface OrgQuotaOptions {
  /** Calls per month. */
  limit: number;
  /** Calls left at start. @defaultValue limit */
  remaining?: number;
  /** Seconds until the quota resets, at start. @defaultValue 30 days */
  resetSeconds?: number;
}

export class OrgQuota {
  private remainingCalls: number;
  private readonly startedAt: number;

  constructor(
    private readonly options: OrgQuotaOptions | null,
    now: number,
  ) {
    this.remainingCalls = options ? (options.remaining ?? options.limit) : Number.POSITIVE_INFINITY;
    this.startedAt = now;
  }

  tryTake(): boolean {
    if (!this.options) return true;
    if (this.remainingCalls <= 0) return false;
    this.remainingCalls -= 1;
    return true;
  }

  headers(now: number): { limit: string; remaining: string; reset: string } {
    if (!this.options) return { limit: 'unlimited', remaining: 'unlimited', reset: 'unlimited' };
    const reset = Math.max(
      0,
      (this.options.resetSeconds ?? 30 * 86_400) - Math.floor((now - this.startedAt) / 1000),
    );
    return {
      limit: String(this.options.limit),
      remaining: String(this.remainingCalls),
      reset: String(reset),
    };
  }
}
