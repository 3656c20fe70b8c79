import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSimulator, startSimulator } from '../../src/simulator/server.js';
import { RedisServer } from '../support/redis-server.js';
import { isolatedRedis, redisUrl } from '../support/services.js';
import { until } from '../support/until.js';
import type { WorkerResult } from './fixtures/worker.js';
import { runWorkers } from './fixtures/workers.js';

// Three worker processes, each with its own client and RedisLimiter on one API key, against the
// simulator's window of 60 requests per 5 s.

const limit = 60;
const windowSeconds = 5;
let prefix: string;
let cleanup: () => Promise<void>;
const sims: RunningSimulator[] = [];

beforeAll(async () => {
  ({ prefix, cleanup } = await isolatedRedis('limiter_proc'));
});
afterAll(async () => {
  for (const sim of sims) await sim.close();
  await cleanup();
});

async function simulator(apiKey: string): Promise<RunningSimulator> {
  const sim = await startSimulator({ apiKey, rateLimit: { limit, windowSeconds } });
  sims.push(sim);
  return sim;
}

function elapsedSeconds(results: WorkerResult[]): string {
  const ms = Math.max(...results.map((r) => r.finishedAt)) - Math.min(...results.map((r) => r.startedAt));
  return (ms / 1000).toFixed(1);
}

/**
 * Requests per window achieved, as a fraction of the limit: requests let go per window between the
 * first and the last grant across all processes (process start-up and exit excluded).
 */
function rateFraction(results: WorkerResult[]): number {
  const grants = results.flatMap((r) => r.grantedAt).sort((a, b) => a - b);
  const spanMs = grants.at(-1)! - grants[0]!;
  return (((grants.length - 1) / spanMs) * windowSeconds * 1000) / limit;
}

describe('RedisLimiter across processes', () => {
  it('(a) three processes share 60 requests per 5 s with zero 429s and at least 90% of the rate', async () => {
    const sim = await simulator('key-shared-a');
    const config = { baseUrl: sim.url, apiKey: sim.apiKey, redisUrl: redisUrl(), keyPrefix: `${prefix}a:` };
    const { results } = await runWorkers(3, { ...config, requests: 45, limit, windowSeconds });
    const done = await results;
    const fraction = rateFraction(done);
    console.info(
      `(a) 3 processes, 135 requests in ${elapsedSeconds(done)} s (first go to last finish): ` +
        `${(fraction * 100).toFixed(1)}% of the allowed rate between first and last grant, ` +
        `${sim.stats().rateLimited} 429s, most in one window ${sim.stats().maxInWindow}`,
    );
    expect(done.map((r) => r.error)).toEqual([undefined, undefined, undefined]);
    expect(done.map((r) => r.sent)).toEqual([45, 45, 45]);
    expect(sim.stats().rateLimited).toBe(0);
    expect(sim.stats().maxInWindow).toBeLessThanOrEqual(limit);
    expect(fraction).toBeGreaterThanOrEqual(0.9);
  }, 60_000);

  it('(b) a limit lowered mid-run settles with at most one 429 per process', async () => {
    const sim = await simulator('key-shared-b');
    const config = { baseUrl: sim.url, apiKey: sim.apiKey, redisUrl: redisUrl(), keyPrefix: `${prefix}b:` };
    const { results } = await runWorkers(3, { ...config, requests: 20, limit, windowSeconds });
    // Lowered once the current window already holds as many requests as the new limit allows.
    await until('30 requests', () => sim.stats().totalRequests >= 30, 20_000);
    sim.setRateLimit({ limit: 30 });
    const done = await results;
    console.info(
      `(b) limit 60 → 30 mid-run, ${elapsedSeconds(done)} s: 429s per process ${done.map((r) => r.rateLimited).join(', ')} ` +
        `(simulator counted ${sim.stats().rateLimited})`,
    );
    expect(done.map((r) => r.error)).toEqual([undefined, undefined, undefined]);
    for (const result of done) expect(result.rateLimited).toBeLessThanOrEqual(1);
    expect(sim.stats().rateLimited).toBeLessThanOrEqual(3);
  }, 60_000);

  it('(c) a Redis restart mid-run does not break the run', async () => {
    const redis = await RedisServer.start();
    try {
      const sim = await simulator('key-shared-c');
      const config = { baseUrl: sim.url, apiKey: sim.apiKey, redisUrl: redis.url, keyPrefix: `${prefix}c:` };
      const { results } = await runWorkers(3, { ...config, requests: 15, limit, windowSeconds });
      await until('15 requests', () => sim.stats().totalRequests >= 15, 20_000);
      await redis.kill();
      const before = sim.stats().totalRequests;
      // The outage itself: long enough for every worker to meet it, well under the 60 s bound.
      await delay(1500);
      const duringOutage = sim.stats().totalRequests - before;
      await redis.start();
      const done = await results;
      console.info(
        `(c) ${elapsedSeconds(done)} s; Redis killed after ${before} requests, down 1.5 s, ${duringOutage} sent while down, ` +
          `${sim.stats().rateLimited} 429s`,
      );
      expect(done.map((r) => r.error)).toEqual([undefined, undefined, undefined]);
      expect(done.map((r) => r.sent)).toEqual([15, 15, 15]);
      // Requests already granted may finish; nothing new goes out unpaced.
      expect(duringOutage).toBeLessThanOrEqual(3);
    } finally {
      await redis.destroy();
    }
  }, 60_000);
});
