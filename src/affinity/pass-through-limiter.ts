import type { Limiter, LimiterObservation } from './limiter.js';

/** A limiter that never waits: for tests, and for callers that pace requests some other way. */
export class PassThroughLimiter implements Limiter {
  readonly waitedMs = 0;

  async acquire(signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
  }

  async observe(_observation: LimiterObservation): Promise<void> {}

  async close(): Promise<void> {}
}
