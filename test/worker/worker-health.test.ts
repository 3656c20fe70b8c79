import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HistoryStore } from '../../src/queue/history-store.js';
import { openRedis } from '../../src/queue/redis-connection.js';
import { openSyncQueue } from '../../src/queue/sync-queue.js';
import { type RunningSimulator, startSimulator } from '../../src/simulator/server.js';
import { redisUrl, uniqueName } from '../support/services.js';
import { until } from '../support/until.js';
import { type CliProcess, spawnCli } from './support/cli-process.js';

// A spawned worker: a scheduled run whose writes would cross QUOTA_RESERVE is skipped before
// writing, with a clear history entry (issue 15.3); a partial run's job ends failed, not retried,
// its reason saying why (issue 13.5, what Bull Board shows).

const apiKey = 'sk-worker-health-6d2f';
const prefix = uniqueName('wh');
const connection = openRedis(redisUrl());
const queue = openSyncQueue({ QUEUE_PREFIX: prefix }, connection);
const history = new HistoryStore(connection, prefix, 100);
let sim: RunningSimulator;
let dir: string;
let worker: CliProcess | undefined;

// Entries 100001..100020 of the generated list get a new ARR; 'x' is a value ARR rejects.
const rows = (arr: (i: number) => string) =>
  Array.from({ length: 20 }, (_, i) => `select ${100_001 + i} as entry_id, ${arr(i)} as arr`).join(
    ' union all ',
  );
const mapping = (name: string, query: string) => `name: ${name}
schedule: { cron: "*/2 * * * * *", timezone: UTC }
source:
  type: duckdb
  query: "${query}"
list: 1001
match:
  - { column: entry_id, by: listEntryId }
fields:
  arr: ARR
`;

beforeAll(async () => {
  // 40 calls left of 1,000: 20 are kept in reserve (QUOTA_RESERVE 0.02), the reads leave 19 to spend.
  sim = await startSimulator({ companies: 25, apiKey, orgQuota: { limit: 1000, remaining: 40 } });
  dir = await mkdtemp(join(tmpdir(), 'affinity-sync-worker-health-'));
});

afterAll(async () => {
  if (worker && worker.child.exitCode === null && worker.child.signalCode === null)
    worker.child.kill('SIGKILL');
  await worker?.exited;
  await queue.obliterate({ force: true }).catch(() => undefined);
  await queue.close();
  const keys = await connection.keys(`${prefix}:*`);
  if (keys.length > 0) await connection.del(...keys);
  connection.disconnect();
  await sim?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the worker and the health of its runs', () => {
  it('skips a scheduled run whose writes would cross the quota reserve, and fails a partial run without retrying it', async () => {
    await writeFile(
      join(dir, 'big.yaml'),
      mapping(
        'big',
        rows((i) => String(i + 1_000_000)),
      ),
    );
    await writeFile(
      join(dir, 'bad.yaml'),
      mapping(
        'bad',
        rows(() => "'x'"),
      ),
    );
    worker = spawnCli(['worker'], {
      PATH: process.env['PATH'],
      AFFINITY_API_KEY: apiKey,
      AFFINITY_BASE_URL: sim.url,
      REDIS_URL: redisUrl(),
      QUEUE_PREFIX: prefix,
      MAPPINGS_DIR: dir,
      WORKER_HTTP_PORT: '0',
      JOB_ATTEMPTS: '2',
      JOB_BACKOFF_MS: '100',
      LOG_LEVEL: 'info',
    });
    const skipped = await until(
      'a skipped scheduled run of big',
      async () => (await history.recent('big')).find((e) => e.report.skipped === 'quota-reserve'),
      60_000,
    );
    expect(skipped).toMatchObject({
      trigger: 'schedule',
      attempt: 1,
      report: { status: 'failed', skipped: 'quota-reserve', entries: { updated: 0, failed: 0 } },
    });
    expect(skipped.report.error).toMatch(
      /^mapping "big": skipped before writing: its 20 writes would cross the monthly reserve — \d+ calls left, 20 kept in reserve \(QUOTA_RESERVE 0\.02 of 1,000\), so only \d+ may be spent; the allowance resets in 30 days; nothing was written, and the next scheduled run tries again$/,
    );
    expect(skipped.report.forecast).toMatchObject({ writes: 20 });
    // Not written, not retried: the job failed at once with the same reason.
    expect(sim.stats().writesPerEntry).toEqual({});
    // The history is written before the job is moved to failed.
    await until(
      'the skipped job to end',
      async () => (await (await queue.getJob(skipped.jobId))?.getState()) === 'failed',
    );
    const job = await queue.getJob(skipped.jobId);
    expect(job?.failedReason).toBe(skipped.report.error);
    expect(job?.attemptsMade).toBe(1);

    const partial = await until(
      'a partial run of bad',
      async () => (await history.recent('bad')).find((e) => e.report.status === 'partial'),
      60_000,
    );
    const failedJob = await queue.getJob(partial.jobId);
    await until('the partial job to end', async () => (await failedJob?.getState()) === 'failed');
    const settled = await queue.getJob(partial.jobId);
    expect(settled?.failedReason).toBe(
      "ended partial: 20 values rejected (beyond the mapping's tolerate:); see the run's problems (affinity-sync history bad --problems)",
    );
    expect(settled?.attemptsMade).toBe(1);
    expect((await history.recent('bad')).filter((e) => e.jobId === partial.jobId)).toHaveLength(1);

    worker.child.kill('SIGTERM');
    expect(await worker.exited).toEqual({ code: 0, signal: null });
  }, 120_000);
});
