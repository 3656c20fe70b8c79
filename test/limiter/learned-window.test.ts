import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RequestSampler } from '../../bench/request-sampler.js';
import { readEnv } from '../../src/config/env.js';
import { createLogger } from '../../src/log/logger.js';
import { loadMappingFile } from '../../src/mappings/load-mapping.js';
import { type RunningSimulator, startSimulator } from '../../src/simulator/server.js';
import { executeRun } from '../../src/sync/execute-run.js';
import {
  portfolioFixture,
  portfolioMapping,
  portfolioTableSql,
  postgresSource,
  sql,
  wrongEntries,
} from '../faults/support.js';
import { isolatedRedis, isolatedSchema, redisUrl } from '../support/services.js';

// A write-heavy run against a 5 s window of 40 requests that nobody tells the limiter about: it
// must learn the window from x-ratelimit-limit-user-reset (a fixed 60 s assumption paced at 8%).
// The 60 s / 120 case takes minutes: bench scenario S5.

const apiKey = 'sk-learned-window-5e1c';
const n = 100;
const rate = { limit: 40, windowSeconds: 5 };

let db: Awaited<ReturnType<typeof isolatedSchema>>;
let redis: Awaited<ReturnType<typeof isolatedRedis>>;
let dir: string;
const sims: RunningSimulator[] = [];

beforeAll(async () => {
  db = await isolatedSchema('learned_window');
  redis = await isolatedRedis('learned_window');
  await sql(db.url, portfolioTableSql('portfolio', n));
  dir = await mkdtemp(join(tmpdir(), 'learned-window-'));
  await writeFile(
    join(dir, 'portfolio.yaml'),
    portfolioMapping('learned-window', postgresSource(db.url, 'select * from portfolio order by company_id')),
  );
});

afterAll(async () => {
  for (const sim of sims) await sim.close();
  await redis?.cleanup();
  await db?.drop();
  await rm(dir, { recursive: true, force: true });
});

/** One run of the mapping against a fresh 5 s / 40 simulator; the achieved fraction of its rate. */
async function measuredRun(variables: Record<string, string>) {
  const sim = await startSimulator({ apiKey, fixture: portfolioFixture(n), rateLimit: rate });
  sims.push(sim);
  const env = readEnv({ AFFINITY_API_KEY: apiKey, AFFINITY_BASE_URL: sim.url, ...variables });
  const loaded = await loadMappingFile(join(dir, 'portfolio.yaml'));
  const sampler = new RequestSampler(sim, 50);
  sampler.start();
  let report: Awaited<ReturnType<typeof executeRun>>;
  try {
    report = await executeRun({ loaded, env, logger: createLogger({ level: 'silent' }) });
  } finally {
    sampler.stop();
  }
  const busy = sampler.busySpan();
  const fraction = busy.requests / ((busy.to - busy.from) / (rate.windowSeconds * 1000)) / rate.limit;
  return { sim, report, busy, fraction };
}

describe('the limiter learns a 5 s window of 40 from the reset header', () => {
  it.each([
    ['in-process limiter', () => ({})],
    ['shared Redis limiter', () => ({ REDIS_URL: redisUrl(), QUEUE_PREFIX: redis.prefix.slice(0, -1) })],
  ])(
    '%s: a write-heavy run reaches at least 90% of the allowed rate with at most one 429',
    async (name, vars) => {
      const { sim, report, busy, fraction } = await measuredRun(vars());
      const stats = sim.stats();
      console.info(
        `${name}: ${busy.requests} requests in ${((busy.to - busy.from) / 1000).toFixed(1)} s against ` +
          `${rate.limit} per ${rate.windowSeconds} s: ${(fraction * 100).toFixed(1)}% of the allowed rate, ` +
          `${stats.rateLimited} 429s, most in one window ${stats.maxInWindow}`,
      );
      expect(report.status).toBe('succeeded');
      expect(report.calls.write).toBe(n);
      expect(wrongEntries(sim, n)).toEqual([]);
      expect(stats.rateLimited).toBeLessThanOrEqual(1);
      expect(stats.maxInWindow).toBeLessThanOrEqual(rate.limit);
      expect(fraction).toBeGreaterThanOrEqual(0.9);
    },
    60_000,
  );
});
