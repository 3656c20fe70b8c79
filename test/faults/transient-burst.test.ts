import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AffinityClient } from '../../src/affinity/client.js';
import { PassThroughLimiter } from '../../src/affinity/pass-through-limiter.js';
import { readEnv } from '../../src/config/env.js';
import { loadMappingFile } from '../../src/mappings/load-mapping.js';
import { type RunningSimulator, startSimulator } from '../../src/simulator/server.js';
import { openSource } from '../../src/sources/open-source.js';
import { runSync } from '../../src/sync/engine.js';
import { executeRun } from '../../src/sync/execute-run.js';
import type { RunReport } from '../../src/sync/report.js';
import { isolatedSchema } from '../support/services.js';
import {
  capturedLogger,
  entryIdOf,
  portfolioFixture,
  portfolioMapping,
  portfolioTableSql,
  postgresSource,
  sql,
  wrongEntries,
} from './support.js';

// Issue 13.6, done when: a 30% 503 burst lasting 10 s during the writes ends with every entry
// written in the same run, each counted.

const apiKey = 'sk-transient-burst-51c0';
const n = 200;
const burst = { burst: { errorRate: 0.3, durationMs: 10_000 } };
const patchRoute = 'PATCH /v2/lists/{listId}/list-entries/{listEntryId}/fields';

describe('a 30% 503 burst lasting 10 s during the writes', () => {
  let db: Awaited<ReturnType<typeof isolatedSchema>>;
  let dir: string;
  let sim: RunningSimulator | undefined;

  beforeAll(async () => {
    db = await isolatedSchema('transient_burst');
    await sql(db.url, portfolioTableSql('portfolio', n));
    dir = await mkdtemp(join(tmpdir(), 'transient-burst-'));
    await writeFile(
      join(dir, 'portfolio.yaml'),
      portfolioMapping(
        'burst-portfolio',
        postgresSource(db.url, 'select * from portfolio order by company_id'),
      ),
    );
  });

  afterEach(async () => {
    await sim?.close();
    sim = undefined;
  });

  afterAll(async () => {
    await db?.drop();
    await rm(dir, { recursive: true, force: true });
  });

  /** Every entry written exactly once (a 503'd PATCH applies nothing), with the right values, each counted. */
  function expectEveryEntryWrittenOnce(simulator: RunningSimulator, report: RunReport): void {
    const expected = Object.fromEntries(Array.from({ length: n }, (_, k) => [String(entryIdOf(k + 1)), 1]));
    expect(simulator.stats().writesPerEntry).toEqual(expected);
    expect(wrongEntries(simulator, n)).toEqual([]);
    expect(report.status).toBe('succeeded');
    expect(report.entries).toEqual({ updated: n, unchanged: 0, failed: 0 });
    expect(report.fields.written).toBe(4 * n);
    expect(report.changes.length + report.changesOmitted).toBe(4 * n);
    expect(report.transient.failed).toBe(0);
    // Every PATCH the simulator saw is one the report counts (failed attempts included).
    expect(report.calls.write).toBe(simulator.stats().requestsByRoute[patchRoute]);
    expect(report.problems.filter((p) => p.code.startsWith('entry-failed'))).toEqual([]);
  }

  it('with the product defaults (paced at 20 requests/s, so the writes outlast the burst): every entry written', async () => {
    // 20 requests per second: ~290 PATCHes (with the 503s' retries) take ~15 s, the burst the first 10.
    sim = await startSimulator({
      apiKey,
      fixture: portfolioFixture(n),
      rateLimit: { limit: 1200, windowSeconds: 60 },
    });
    const simulator = sim;
    const { logger } = capturedLogger();
    const env = readEnv({ AFFINITY_API_KEY: apiKey, AFFINITY_BASE_URL: simulator.url });
    let burstStarted = 0;
    const report = await executeRun({
      loaded: await loadMappingFile(join(dir, 'portfolio.yaml')),
      env,
      logger,
      onProgress: (p) => {
        if (p.phase !== 'writing' || burstStarted > 0) return;
        burstStarted = Date.now();
        simulator.setFaults(burst);
      },
    });
    const stats = simulator.stats();
    expect(stats.responsesByStatus['503'] ?? 0).toBeGreaterThan(20);
    // The writes went on past the end of the burst.
    expect(Date.parse(report.finishedAt) - burstStarted).toBeGreaterThan(10_000);
    expectEveryEntryWrittenOnce(simulator, report);
    expect(report.calls.retried).toBeGreaterThanOrEqual(stats.responsesByStatus['503'] ?? 0);
  }, 90_000);

  it('with no retries in the transport, the entries the burst failed are written after the pause, in the same run', async () => {
    sim = await startSimulator({
      apiKey,
      fixture: portfolioFixture(n),
      rateLimit: { limit: 100_000, windowSeconds: 60 },
    });
    const simulator = sim;
    const { logger } = capturedLogger();
    const limiter = new PassThroughLimiter();
    const client = new AffinityClient({ apiKey, baseUrl: simulator.url, limiter, logger, maxRetries: 0 });
    const loaded = await loadMappingFile(join(dir, 'portfolio.yaml'));
    let burstStarted = 0;
    const report = await runSync(
      {
        client,
        limiter,
        logger,
        openSource: (config) => openSource(config, { logger, mappingName: 'burst' }),
      },
      {
        mapping: loaded.mapping,
        // The default pause (10 s): the retry comes after the burst that started with the writes.
        onProgress: (p) => {
          if (p.phase !== 'writing' || burstStarted > 0) return;
          burstStarted = Date.now();
          simulator.setFaults(burst);
        },
      },
    );
    const failed503 = simulator.stats().responsesByStatus['503'] ?? 0;
    // About 30% of the entries failed their only attempt and were tried again at the end.
    expect(report.transient.retried).toBe(failed503);
    expect(report.transient.retried).toBeGreaterThan(n * 0.15);
    expect(report.calls.retried).toBe(0);
    expectEveryEntryWrittenOnce(simulator, report);
  }, 90_000);
});
