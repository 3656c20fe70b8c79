import { describe, expect, it } from 'vitest';
import { resolveLimiterOptions } from '../../src/limiter/limiter-options.js';
import { decide, initialState, observe } from '../../src/limiter/pacing-math.js';

// Found by the fault suite: each concurrency 429 raised the back-off level, including the 429s of
// requests in flight together, so one burst of 8 paused as if 8 had come one after the other
// (measured end to end, 100 entries, 8 in flight: a storm of 8 429s cost 28.7 s, of 16 205 s).
// 429s answered during a back-off pause now belong to the burst that started it.

describe('limiter back-off after one burst of concurrency 429s', () => {
  it('pauses about as long for 8 simultaneous 429s as for one', () => {
    const { settings } = resolveLimiterOptions({ limit: 100_000, windowSeconds: 60, maxInFlight: 8 });
    const state = initialState(settings);
    const now = 1_000_000;
    for (let i = 0; i < 8; i++) expect(decide(state, now + i, settings)).toEqual({ kind: 'go' });
    // All eight answered 429 with room left in the window: the concurrency cap, one event.
    const headers = { userLimit: 100_000, userRemaining: 99_990, userReset: 30 };
    const answered = now + 10;
    for (let i = 0; i < 8; i++)
      observe(state, answered, { kind: 'response', status: 429, headers }, 1, settings);
    expect(state.pausedUntil - answered).toBeLessThanOrEqual(2000);
  });
});
