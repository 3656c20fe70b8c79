import { describe, expect, it } from 'vitest';
import { resolveLimiterOptions } from '../../src/limiter/limiter-options.js';
import { decide, initialState, observe } from '../../src/limiter/pacing-math.js';

// Known problem, reported to the lead (not fixed here: the arithmetic lives in pacing-math.ts and
// its Lua twin). Each concurrency 429 raises the back-off level, including the 429s of requests
// that were already in flight together: one burst of 8 429s pauses as if 8 had come one after the
// other — 15–30 s instead of ~0.5–1 s. Measured end to end (100 entries, 8 in flight): a storm of
// 3 429s costs 2.1 s, of 8 costs 28.7 s, of 16 costs 205 s. `it.fails` until the level counts
// rounds (e.g. only 429s of requests granted after the last back-off started).

describe('limiter back-off after one burst of concurrency 429s', () => {
  it.fails('pauses about as long for 8 simultaneous 429s as for one', () => {
    const { settings } = resolveLimiterOptions({ limit: 100_000, windowSeconds: 60, maxInFlight: 8 });
    const state = initialState(settings);
    const now = 1_000_000;
    for (let i = 0; i < 8; i++) expect(decide(state, now + i, settings)).toEqual({ kind: 'go' });
    // All eight answered 429 with room left in the window: the concurrency cap, one event.
    const headers = { userLimit: 100_000, userRemaining: 99_990, userReset: 30 };
    const answered = now + 10;
    for (let i = 0; i < 8; i++) observe(state, answered, { status: 429, headers }, 1, settings);
    expect(state.pausedUntil - answered).toBeLessThanOrEqual(2000);
  });
});
