import type { AttemptResult, Limiter, Permit } from '../../../src/affinity/limiter.js';
import { PassThroughLimiter } from '../../../src/affinity/pass-through-limiter.js';

/**
 * Records the limiter protocol — every acquire and every result handed to a permit, in order —
 * around another limiter: by default a pass-through one (no pacing; 429s waited out, no jitter).
 */
export class RecordingLimiter implements Limiter {
  readonly events: ({ kind: 'acquire' } | { kind: 'release'; result: AttemptResult })[] = [];
  readonly #inner: Limiter;

  constructor(inner: Limiter = new PassThroughLimiter({ random: () => 0 })) {
    this.#inner = inner;
  }

  get waitedMs(): number {
    return this.#inner.waitedMs;
  }

  async acquire(signal?: AbortSignal): Promise<Permit> {
    const permit = await this.#inner.acquire(signal);
    this.events.push({ kind: 'acquire' });
    return {
      release: async (result) => {
        this.events.push({ kind: 'release', result });
        await permit.release(result);
      },
    };
  }

  /** The results handed to permits, in order. */
  get results(): AttemptResult[] {
    return this.events.flatMap((e) => (e.kind === 'release' ? [e.result] : []));
  }

  /** HTTP statuses of the results, 0 for no response. */
  get statuses(): number[] {
    return this.results.map((r) => (r.kind === 'response' ? r.status : 0));
  }

  close(): Promise<void> {
    return this.#inner.close();
  }
}
