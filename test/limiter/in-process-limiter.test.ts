import { describe, expect, it } from 'vitest';
import { createLimiter } from '../../src/limiter/create-limiter.js';
import { InProcessLimiter } from '../../src/limiter/in-process-limiter.js';
import { QuotaExhaustedError } from '../../src/limiter/limiter-errors.js';
import { RedisLimiter } from '../../src/limiter/redis-limiter.js';
import { redisUrl } from '../support/services.js';

const t0 = Date.parse('2026-03-01T12:00:00Z');

/** An in-process limiter on a fake clock that advances when the limiter sleeps. */
function fakeClockLimiter(options: ConstructorParameters<typeof InProcessLimiter>[0] = {}) {
  let now = t0;
  const limiter = new InProcessLimiter({
    limit: 60,
    windowSeconds: 5,
    random: () => 0.5,
    ...options,
    now: () => now,
    sleep: async (ms, signal) => {
      signal?.throwIfAborted();
      now += ms;
    },
  });
  return { limiter, now: () => now };
}

describe('InProcessLimiter with an injected clock', () => {
  it('spreads requests across the window after a burst of 2', async () => {
    const { limiter, now } = fakeClockLimiter();
    const times: number[] = [];
    for (let i = 0; i < 6; i++) {
      const permit = await limiter.acquire();
      times.push(now() - t0);
      await permit.release({ kind: 'response', status: 200, headers: {} });
    }
    // 5000 ms / (60 × 0.95) ≈ 87.7 ms, waits rounded up to whole milliseconds.
    expect(times).toEqual([0, 0, 88, 176, 264, 351]);
    // Each acquire waited from its own start: 88 + 88 + 88 + 87 ms in all.
    expect(limiter.waitedMs).toBe(351);
  });

  it('pauses after a 429 until the reported reset plus jitter', async () => {
    const { limiter, now } = fakeClockLimiter();
    const permit = await limiter.acquire();
    await permit.release({
      kind: 'response',
      status: 429,
      headers: { userLimit: 60, userRemaining: 0, userReset: 3 },
    });
    await limiter.acquire();
    expect(now() - t0).toBe(3000 + 250);
  });

  it('rejects with QuotaExhaustedError once the monthly quota is down to the reserve', async () => {
    const { limiter } = fakeClockLimiter();
    const permit = await limiter.acquire();
    await permit.release({
      kind: 'response',
      status: 200,
      headers: { orgLimit: 100_000, orgRemaining: 2001, orgReset: 86_400 },
    });
    await limiter.acquire();
    const error = await limiter.acquire().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(QuotaExhaustedError);
    expect((error as QuotaExhaustedError).remaining).toBe(2000);
    expect((error as QuotaExhaustedError).resetsAt.toISOString()).toBe('2026-03-02T12:00:00.000Z');
    expect((error as Error).message).toBe(
      "Affinity's monthly API quota is down to its reserve: 2000 calls remain and 2000 are kept for people " +
        'using Affinity, so this sync stops here. The quota resets at 2026-03-02T12:00:00.000Z; run again ' +
        'after that, or lower quotaReserve to spend more of it.',
    );
  });

  it('treats missing or "unlimited" quota headers as no monthly cap', async () => {
    const { limiter } = fakeClockLimiter({ limit: 6000 });
    for (let i = 0; i < 50; i++) {
      const permit = await limiter.acquire();
      await permit.release({
        kind: 'response',
        status: 200,
        headers: { userLimit: 6000, userRemaining: 5000, userReset: 4 },
      });
    }
    expect(limiter.state.orgRemaining).toBeUndefined();
  });

  it('stops waiting when the signal aborts', async () => {
    const limiter = new InProcessLimiter({ limit: 60, windowSeconds: 5 });
    const permit = await limiter.acquire();
    await permit.release({ kind: 'response', status: 429, headers: { userRemaining: 0, userReset: 30 } });
    const controller = new AbortController();
    const waiting = limiter.acquire(controller.signal);
    controller.abort(new Error('shutting down'));
    await expect(waiting).rejects.toThrow('shutting down');
  });

  it('names the option that is out of range', () => {
    expect(() => new InProcessLimiter({ safetyMargin: 0.9 })).toThrow(
      'Limiter option safetyMargin must be a number from 0 to 0.5; got 0.9.',
    );
  });
});

describe('createLimiter', () => {
  it('is shared through Redis when a URL is given, in-process otherwise', async () => {
    const local = await createLimiter({ apiKey: 'key-local' });
    expect(local).toBeInstanceOf(InProcessLimiter);
    const shared = await createLimiter({
      apiKey: 'key-shared',
      redisUrl: redisUrl(),
      keyPrefix: 'test_create:',
    });
    expect(shared).toBeInstanceOf(RedisLimiter);
    await shared.close();
  });
});
