import { describe, expect, it } from 'vitest';
import type { AttemptResult, RateLimitHeaders } from '../../src/affinity/limiter.js';
import { PassThroughLimiter } from '../../src/affinity/pass-through-limiter.js';
import { classifyAttempt } from '../../src/affinity/rate-limit-policy.js';
import { InProcessLimiter } from '../../src/limiter/in-process-limiter.js';

// The 429 policy on its own, and the pass-through limiter that applies nothing else.

function answer(status: number, headers: RateLimitHeaders = {}): AttemptResult {
  return { kind: 'response', status, headers };
}

describe('classifyAttempt: what an answer says about pacing', () => {
  it.each([
    ['200', answer(200, { userRemaining: 10 }), 'accepted'],
    ['404 (the pace was fine)', answer(404), 'accepted'],
    ['429 with nothing remaining', answer(429, { userRemaining: 0, userReset: 12 }), 'window-spent'],
    ['429 with a reset but no count', answer(429, { userReset: 12 }), 'window-spent'],
    ['429 while the window has room', answer(429, { userRemaining: 300, userReset: 12 }), 'concurrency'],
    ['429 without headers', answer(429), 'concurrency'],
    ['503', answer(503, { userRemaining: 0 }), 'server-error'],
    ['no response', { kind: 'no-response' } as const, 'no-response'],
  ])('%s → %s', (_name, result, verdict) => {
    expect(classifyAttempt(result)).toBe(verdict);
  });
});

/** A pass-through limiter on a fake clock that advances when the limiter sleeps. */
function fakeClockPassThrough(random = 0.5) {
  let now = 1_000_000;
  const limiter = new PassThroughLimiter({
    now: () => now,
    random: () => random,
    sleep: async (ms) => {
      now += ms;
    },
  });
  return { limiter, now: () => now };
}

describe('PassThroughLimiter', () => {
  it('never waits while Affinity accepts', async () => {
    const { limiter, now } = fakeClockPassThrough();
    const start = now();
    for (let i = 0; i < 20; i++) await (await limiter.acquire()).release(answer(200, { userRemaining: 0 }));
    expect(now()).toBe(start);
    expect(limiter.waitedMs).toBe(0);
  });

  it('waits for the reset after a window-spent 429, plus jitter', async () => {
    const { limiter, now } = fakeClockPassThrough(0.5);
    const start = now();
    await (await limiter.acquire()).release(answer(429, { userRemaining: 0, userReset: 3 }));
    await limiter.acquire();
    // Jitter: 0.5 × min(1 s, window / 10), the window learned from the reset: 3 s.
    expect(now() - start).toBe(3000 + 150);
  });

  it('backs off exponentially after concurrency 429s, without escalating within one burst', async () => {
    const { limiter, now } = fakeClockPassThrough(1);
    const start = now();
    const burst = [await limiter.acquire(), await limiter.acquire()];
    for (const permit of burst) await permit.release(answer(429, { userRemaining: 50 }));
    await limiter.acquire().then((p) => p.release(answer(429, { userRemaining: 50 })));
    await limiter.acquire();
    // 500 ms for the burst, then 1000 ms for the next 429.
    expect(now() - start).toBe(1500);
  });

  it('ignores a second release of one permit', async () => {
    const { limiter, now } = fakeClockPassThrough(1);
    const start = now();
    const permit = await limiter.acquire();
    await permit.release(answer(200));
    await permit.release(answer(429, { userRemaining: 0, userReset: 30 }));
    await limiter.acquire();
    expect(now()).toBe(start);
  });
});

describe('permits of the in-process limiter', () => {
  it('free their in-flight slot once, however often they are released', async () => {
    const limiter = new InProcessLimiter({ maxInFlight: 2 });
    const first = await limiter.acquire();
    await limiter.acquire();
    await first.release(answer(200));
    await first.release(answer(200));
    expect(limiter.state.inFlight).toBe(1);
  });
});
