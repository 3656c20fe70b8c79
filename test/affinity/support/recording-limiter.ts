import type { Limiter, LimiterObservation } from '../../../src/affinity/limiter.js';

/** A limiter that never waits and records the protocol: every acquire and every observation in order. */
export class RecordingLimiter implements Limiter {
  readonly events: ({ kind: 'acquire' } | ({ kind: 'observe' } & LimiterObservation))[] = [];
  readonly waitedMs = 0;

  async acquire(): Promise<void> {
    this.events.push({ kind: 'acquire' });
  }

  async observe(observation: LimiterObservation): Promise<void> {
    this.events.push({ kind: 'observe', ...observation });
  }

  get observations(): LimiterObservation[] {
    return this.events.flatMap((e) =>
      e.kind === 'observe' ? [{ status: e.status, headers: e.headers }] : [],
    );
  }

  async close(): Promise<void> {}
}
