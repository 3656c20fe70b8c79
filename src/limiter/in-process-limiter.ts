import { type AttemptResult, type Limiter, oncePermit, type Permit } from '../affinity/limiter.js';
import type { Logger } from '../log/logger.js';
import { silentLogger } from '../log/logger.js';
import { abortableSleep, type Sleep } from '../util/abortable-sleep.js';
import { QuotaExhaustedError } from './limiter-errors.js';
import {
  type LimiterOptions,
  type ResolvedLimiterOptions,
  resolveLimiterOptions,
} from './limiter-options.js';
import { decide, initialState, observe, type PacingState } from './pacing-math.js';

/** Options of the in-process limiter; `sleep` lets tests advance an injected clock instead of waiting. */
export interface InProcessLimiterOptions extends LimiterOptions {
  logger?: Logger;
  sleep?: Sleep;
}

/** The limiter for a single process (no REDIS_URL): the same arithmetic as the shared one, in memory. */
export class InProcessLimiter implements Limiter {
  readonly #options: ResolvedLimiterOptions;
  readonly #state: PacingState;
  readonly #sleep: Sleep;
  readonly #logger: Logger;
  #waitedMs = 0;

  constructor(options: InProcessLimiterOptions = {}) {
    this.#options = resolveLimiterOptions(options);
    this.#state = initialState(this.#options.settings);
    this.#sleep = options.sleep ?? abortableSleep;
    this.#logger = options.logger ?? silentLogger;
  }

  get waitedMs(): number {
    return this.#waitedMs;
  }

  /** A copy of the pacing state, for tests and diagnostics. */
  get state(): Readonly<PacingState> {
    return { ...this.#state };
  }

  async acquire(signal?: AbortSignal): Promise<Permit> {
    const { now, settings } = this.#options;
    const started = now();
    try {
      for (;;) {
        signal?.throwIfAborted();
        const decision = decide(this.#state, now(), settings);
        if (decision.kind === 'go') return oncePermit((result) => this.#release(result));
        if (decision.kind === 'quota') {
          throw new QuotaExhaustedError(decision.remaining, decision.reserved, new Date(decision.resetsAt));
        }
        await this.#sleep(decision.waitMs, signal);
      }
    } finally {
      this.#waitedMs += Math.max(now() - started, 0);
    }
  }

  #release(result: AttemptResult): void {
    const { now, random, settings } = this.#options;
    observe(this.#state, now(), result, random(), settings);
    if (result.kind === 'response' && result.status === 429) {
      this.#logger.warn(
        { pausedUntil: new Date(this.#state.pausedUntil).toISOString(), inFlightCap: this.#state.cap },
        'Affinity answered 429; pausing requests',
      );
    }
  }

  async close(): Promise<void> {}
}
