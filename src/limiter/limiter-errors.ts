import { errorMessage } from '../util/error-message.js';
/** Thrown by acquire() once the monthly quota is down to its reserve: syncs stop, people keep working. */
export class QuotaExhaustedError extends Error {
  override readonly name = 'QuotaExhaustedError';
  /** Monthly calls Affinity still allows. */
  readonly remaining: number;
  /** How many of them are kept in reserve. */
  readonly reserved: number;
  /** When Affinity resets the monthly quota. */
  readonly resetsAt: Date;

  constructor(remaining: number, reserved: number, resetsAt: Date) {
    super(
      `Affinity's monthly API quota is down to its reserve: ${remaining} calls remain and ` +
        `${reserved} are kept for people using Affinity, so this sync stops here. The quota resets at ` +
        `${resetsAt.toISOString()}; run again after that, or lower quotaReserve to spend more of it.`,
    );
    this.remaining = remaining;
    this.reserved = reserved;
    this.resetsAt = resetsAt;
  }
}

/** Thrown by acquire() when the shared limiter's Redis stayed unreachable longer than allowed. */
export class LimiterUnavailableError extends Error {
  override readonly name = 'LimiterUnavailableError';

  constructor(redisLocation: string, outageMs: number, cause: unknown) {
    const reason = errorMessage(cause);
    super(
      `The rate limiter's Redis at ${redisLocation} has not answered for ${Math.round(outageMs / 1000)} s ` +
        `(last error: ${reason}). Requests to Affinity are held back rather than sent unpaced, so this ` +
        `run stops. Check that Redis is running and reachable (REDIS_URL), then run again.`,
      { cause },
    );
  }
}
