import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readEnv } from '../../src/config/env.js';
import { loadMappingFile } from '../../src/mappings/load-mapping.js';
import { enqueueRun } from '../../src/queue/enqueue-run.js';
import { HistoryStore } from '../../src/queue/history-store.js';
import { openSyncQueue } from '../../src/queue/sync-queue.js';
import { type RunningSimulator, startSimulator } from '../../src/simulator/server.js';
import { executeRun } from '../../src/sync/execute-run.js';
import { type RunningWorker, startWorker } from '../../src/worker/start-worker.js';
import { RedisServer } from '../support/redis-server.js';
import { uniqueName } from '../support/services.js';
import { until } from '../support/until.js';
import {
  capturedLogger,
  entryIdOf,
  type PortfolioWorkspace,
  portfolioFixture,
  portfolioWorkspace,
  wrongEntries,
} from './support.js';

// Redis goes away in the middle of a run and comes back: the shared limiter holds requests (never
// sends unpaced) and the run goes on; a worker keeps its active job and the follow-up queued
// behind it (AOF-persisted Redis, as the compose file runs it), and both complete.

const apiKey = 'sk-faults-redis-0c4a2b';
const n = 120;
const rateLimit = { limit: 100_000, windowSeconds: 60 };

describe('Redis restarted during a run', () => {
  let workspace: PortfolioWorkspace | undefined;
  let sim: RunningSimulator | undefined;
  let redis: RedisServer | undefined;
  const dir = () => workspace?.dir ?? '';

  beforeAll(async () => {
    workspace = await portfolioWorkspace({
      prefix: 'faults_redis',
      n,
      mapping: 'faults-redis',
      query: 'select * from portfolio',
    });
  });

  afterAll(async () => {
    await sim?.close();
    await redis?.destroy();
    await workspace?.close();
  });

  function expectEveryEntryWrittenOnce(simulator: RunningSimulator): void {
    const expected = Object.fromEntries(Array.from({ length: n }, (_, k) => [String(entryIdOf(k + 1)), 1]));
    expect(simulator.stats().writesPerEntry).toEqual(expected);
    expect(wrongEntries(simulator, n)).toEqual([]);
  }

  it('`run` with REDIS_URL: the limiter holds requests while Redis is down and the run completes', async () => {
    redis = await RedisServer.start();
    const server = redis;
    // 5 ms per request: the writes outlast the moment Redis is killed.
    sim = await startSimulator({ apiKey, fixture: portfolioFixture(n), rateLimit, faults: { latencyMs: 5 } });
    const simulator = sim;
    const { logger, lines } = capturedLogger();
    const env = readEnv({
      AFFINITY_API_KEY: apiKey,
      AFFINITY_BASE_URL: simulator.url,
      REDIS_URL: server.url,
      QUEUE_PREFIX: uniqueName('faults-redis-run'),
    });
    let killed: Promise<void> | undefined;
    const running = executeRun({
      loaded: await loadMappingFile(join(dir(), 'portfolio.yaml')),
      env,
      logger,
      onProgress: (p) => {
        if (p.phase === 'writing' && p.entriesWritten >= 5) killed ??= server.kill();
      },
    });
    await until('Redis to be killed mid-run', () => killed !== undefined);
    await killed;
    await until('the limiter to report the outage', () =>
      lines.some((l) => l.includes('limiter Redis unreachable; requests wait')),
    );
    const writesDuringOutage = simulator.stats().patches.length;
    await server.start();
    const report = await running;

    expect(report.status).toBe('succeeded');
    expect(writesDuringOutage).toBeLessThan(n);
    expect(report.entries).toEqual({ updated: n, unchanged: 0, failed: 0 });
    expect(lines.some((l) => l.includes('limiter Redis is back'))).toBe(true);
    // Never a burst: no more requests in flight than a run sends.
    expect(simulator.stats().maxInFlight).toBeLessThanOrEqual(env.SYNC_CONCURRENCY);
    expectEveryEntryWrittenOnce(simulator);
    await simulator.close();
    sim = undefined;
    await server.destroy();
    redis = undefined;
  });

  it('a worker: the active job and its queued follow-up survive a Redis restart and both complete', async () => {
    redis = await RedisServer.start({ persistent: true });
    const server = redis;
    sim = await startSimulator({ apiKey, fixture: portfolioFixture(n), rateLimit, faults: { latencyMs: 5 } });
    const simulator = sim;
    const prefix = uniqueName('faults-redis-worker');
    const env = readEnv({
      AFFINITY_API_KEY: apiKey,
      AFFINITY_BASE_URL: simulator.url,
      REDIS_URL: server.url,
      QUEUE_PREFIX: prefix,
      MAPPINGS_DIR: dir(),
      WORKER_HTTP_PORT: '0',
      JOB_ATTEMPTS: '3',
      JOB_BACKOFF_MS: '200',
    });
    const { logger, lines } = capturedLogger();
    const connection = new Redis(server.url, { maxRetriesPerRequest: null });
    // The test's own connection also sees the restart; it reconnects like the worker's.
    connection.on('error', () => undefined);
    const queue = openSyncQueue(env, connection);
    const history = new HistoryStore(connection, prefix, 100);
    let worker: RunningWorker | undefined;
    try {
      worker = await startWorker(env, logger);
      const retry = { attempts: env.JOB_ATTEMPTS, backoffMs: env.JOB_BACKOFF_MS };
      const first = await enqueueRun(queue, { mapping: 'faults-redis', trigger: 'backfill' }, retry);
      expect(first.outcome).toBe('queued');
      await until('the run to be writing', () => simulator.stats().patches.length >= 5);
      const followUp = await enqueueRun(queue, { mapping: 'faults-redis', trigger: 'backfill' }, retry);
      expect(followUp.outcome).toBe('follow-up');

      await server.kill();
      await until('the limiter to report the outage', () =>
        lines.some((l) => l.includes('limiter Redis unreachable; requests wait')),
      );
      const writesDuringOutage = simulator.stats().patches.length;
      await server.start();

      const runs = await until(
        'both runs in the history',
        async () => {
          const recent = await history.recent('faults-redis');
          return recent.length >= 2 && recent;
        },
        20_000,
      );
      expect(writesDuringOutage).toBeLessThan(n);
      const jobIds = runs.map((r) => r.jobId);
      expect(new Set(jobIds)).toEqual(new Set([first.jobId, followUp.jobId]));
      expect(runs.map((r) => r.report.status)).toEqual(['succeeded', 'succeeded']);
      // The follow-up found everything already written.
      const [latest, earliest] = runs;
      expect(latest?.jobId).toBe(followUp.jobId);
      expect(latest?.report.entries).toEqual({ updated: 0, unchanged: n, failed: 0 });
      expect(earliest?.report.entries).toEqual({ updated: n, unchanged: 0, failed: 0 });
      await until('both jobs completed', async () => {
        const states = await Promise.all([queue.getJobState(first.jobId), queue.getJobState(followUp.jobId)]);
        return states.every((s) => s === 'completed');
      });
      expectEveryEntryWrittenOnce(simulator);
    } finally {
      await worker?.close();
      await queue.close();
      connection.disconnect();
    }
  });
});
