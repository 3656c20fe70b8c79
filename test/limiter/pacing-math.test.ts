import { describe, expect, it } from 'vitest';
import { concurrencyBackoffMs } from '../../src/affinity/rate-limit-policy.js';
import {
  decide,
  emissionIntervalMs,
  initialState,
  observe,
  type PacingSettings,
  reservedCalls,
} from '../../src/limiter/pacing-math.js';
import { describePacingScenarios, type PacingCore, testSettings } from './core-scenarios.js';

function pureCore(settings: PacingSettings = testSettings): PacingCore {
  const state = initialState(settings);
  const core: PacingCore = {
    async acquire(now) {
      return decide(state, now, settings);
    },
    async observe(now, observation, random = 0) {
      observe(state, now, observation, random, settings);
    },
    async state() {
      return { ...state };
    },
    other: () => core,
  };
  return core;
}

describePacingScenarios('pacing-math.ts', async (settings) => pureCore(settings));

describe('pacing-math helpers', () => {
  it('computes the emission interval, the reserve and the back-off steps', () => {
    expect(emissionIntervalMs(900, 60_000, 0.05)).toBeCloseTo(70.175, 3);
    expect(reservedCalls(100_000, 0.02)).toBe(2000);
    expect(reservedCalls(undefined, 0.02)).toBe(0);
    expect([1, 2, 3, 10].map((level) => concurrencyBackoffMs(level, 1))).toEqual([500, 1000, 2000, 30_000]);
    expect(concurrencyBackoffMs(1, 0)).toBe(250);
  });
});
