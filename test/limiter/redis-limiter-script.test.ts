import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PacingSettings } from '../../src/limiter/pacing-math.js';
import { limiterKeys, RedisPacingStore } from '../../src/limiter/redis-pacing-store.js';
import { isolatedRedis } from '../support/services.js';
import { describePacingScenarios, type PacingCore, testSettings } from './core-scenarios.js';

let redis: Redis;
let prefix: string;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  ({ redis, prefix, cleanup } = await isolatedRedis('limiter'));
});
afterAll(async () => {
  await cleanup();
});

/** The Lua script with an injected clock; each core is a fresh API key, `other()` a second process on it. */
function luaCore(apiKey: string, settings: PacingSettings, slotTtlMs = 120_000): PacingCore {
  const store = new RedisPacingStore(redis, limiterKeys(apiKey, prefix), settings, slotTtlMs);
  const slots: string[] = [];
  return {
    async acquire(now) {
      const token = randomUUID();
      const decision = await store.acquire(token, now);
      if (decision.kind === 'go') slots.push(token);
      return decision;
    },
    async observe(now, observation, random = 0) {
      await store.observe(slots.shift() ?? randomUUID(), observation, random, now);
    },
    state: (now) => store.state(now),
    other: () => luaCore(apiKey, settings, slotTtlMs),
  };
}

describePacingScenarios('redis-limiter-script (Lua)', async (settings = testSettings) =>
  luaCore(`key-${randomUUID()}`, settings),
);

describe('redis-limiter-script (Lua): Redis specifics', () => {
  it('keys the state by a SHA-256 hash of the API key, never the key', async () => {
    const apiKey = `secret-${randomUUID()}`;
    const core = luaCore(apiKey, testSettings);
    await core.acquire(1000);
    const keys = await redis.keys(`${prefix}*`);
    expect(keys.some((key) => key.includes(apiKey))).toBe(false);
    expect(keys).toContain(limiterKeys(apiKey, prefix).state);
    expect(limiterKeys(apiKey, prefix).state).toMatch(/limiter:\{[0-9a-f]{64}\}:state$/);
  });

  it("frees a crashed process's in-flight slots when their TTL ends", async () => {
    const core = luaCore(`key-${randomUUID()}`, { ...testSettings, maxInFlight: 1, limit: 6000 }, 1000);
    expect(await core.acquire(10_000)).toEqual({ kind: 'go' });
    expect(await core.other().acquire(10_500)).toEqual({ kind: 'wait', waitMs: 20, reason: 'concurrency' });
    expect(await core.other().acquire(11_001)).toEqual({ kind: 'go' });
  });

  it("uses Redis's own clock when no time is passed", async () => {
    const store = new RedisPacingStore(
      redis,
      limiterKeys(`key-${randomUUID()}`, prefix),
      testSettings,
      120_000,
    );
    const [seconds] = await redis.time();
    expect(await store.acquire('a')).toEqual({ kind: 'go' });
    const state = await store.state();
    expect(state.tat! / 1000).toBeGreaterThanOrEqual(Number(seconds));
    expect(state.tat! / 1000).toBeLessThan(Number(seconds) + 5);
  });
});
