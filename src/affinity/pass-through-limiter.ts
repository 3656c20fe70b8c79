import { abortableSleep, type Sleep } from '../util/abortable-sleep.js';
import { type AttemptResult, type Limiter, oncePermit, type Permit } from './limiter.js';
import {
  classifyAttempt,
  learnWindowMs,
  type PauseState,
  pauseForConcurrency,
  pauseForWindow,
  resetMs,
} from './rate-limit-policy.js';

export interface PassThroughLimiterOptions {
  /** Clock in milliseconds. @defaultValue Date.now */
  now?: () => number;
  /** Uniform [0, 1) source for jitter. @defaultValue Math.random */
  random?: () => number;
  /** @defaultValue a timer that rejects with the signal's reason */
  sleep?: Sleep;
}

/** Until a reset says otherwise, the window a spent-window 429 waits for (Affinity's minute). */
const assumedWindowMs = 60_000;

/**
 * A limiter that paces nothing: every request goes at once, except after a 429, which it waits out
 * as the 429 policy says (until the reset after a spent window, exponential back-off after a
 * concurrency 429). For tests and for callers sending few requests (`validate --remote`).
 */
export class PassThroughLimiter implements Limiter {
  readonly #pause: PauseState = { pausedUntil: 0, backoffLevel: 0 };
  readonly #now: () => number;
  readonly #random: () => number;
  readonly #sleep: Sleep;
  #learnedWindowMs: number | undefined;
  #waitedMs = 0;

  constructor(options: PassThroughLimiterOptions = {}) {
    this.#now = options.now ?? Date.now;
    this.#random = options.random ?? Math.random;
    this.#sleep = options.sleep ?? abortableSleep;
  }

  get waitedMs(): number {
    return this.#waitedMs;
  }

  async acquire(signal?: AbortSignal): Promise<Permit> {
    signal?.throwIfAborted();
    const waitMs = this.#pause.pausedUntil - this.#now();
    if (waitMs > 0) {
      await this.#sleep(waitMs, signal);
      this.#waitedMs += waitMs;
    }
    return oncePermit((result) => this.#release(result));
  }

  #release(result: AttemptResult): void {
    const verdict = classifyAttempt(result);
    const now = this.#now();
    if (result.kind === 'response')
      this.#learnedWindowMs = learnWindowMs(this.#learnedWindowMs, result.headers);
    const windowMs = this.#learnedWindowMs ?? assumedWindowMs;
    switch (verdict) {
      case 'window-spent': {
        const untilReset = result.kind === 'response' ? resetMs(result.headers) : undefined;
        pauseForWindow(this.#pause, now, untilReset ?? windowMs, windowMs, this.#random());
        return;
      }
      case 'concurrency':
        pauseForConcurrency(this.#pause, now, this.#random());
        return;
      case 'accepted':
        this.#pause.backoffLevel = 0;
        return;
      case 'server-error':
      case 'no-response':
        return;
      default: {
        const never: never = verdict;
        throw new Error(`unknown rate-limit verdict ${String(never)}`);
      }
    }
  }

  async close(): Promise<void> {}
}
