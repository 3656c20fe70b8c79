import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRedis } from '../../src/queue/redis-connection.js';
import { openSyncQueue } from '../../src/queue/sync-queue.js';
import { type RunningSimulator, startSimulator } from '../../src/simulator/server.js';
import { RedisServer } from '../support/redis-server.js';
import { isolatedSchema, uniqueName } from '../support/services.js';
import { until } from '../support/until.js';
import { type CliProcess, runCli, spawnCli } from './support/cli-process.js';

// `backfill --wait` never waits forever: with no worker it says so at once; while it waits it says
// when the worker running its job disappears (SIGKILL) and that another worker retook the job.

const apiKey = 'sk-backfill-wait-1e5b7c';
const prefix = uniqueName('bfwait');
// A Redis of the test's own, started and killed here.
let redis: RedisServer;
let connection: Redis;
let queue: ReturnType<typeof openSyncQueue>;
let sim: RunningSimulator;
let schema: Awaited<ReturnType<typeof isolatedSchema>>;
let dir: string;
let workerEnv: NodeJS.ProcessEnv;
const children: CliProcess[] = [];

const triggerEnv = (queuePrefix = prefix) => ({
  PATH: process.env['PATH'],
  REDIS_URL: redis.url,
  QUEUE_PREFIX: queuePrefix,
});

function startWorker(): CliProcess {
  const worker = spawnCli(['worker'], workerEnv);
  children.push(worker);
  return worker;
}

async function workerId(worker: CliProcess): Promise<string> {
  return (await worker.waitForLog((l) => l['msg'] === 'worker started'))['id'] as string;
}

beforeAll(async () => {
  redis = await RedisServer.start();
  connection = openRedis(redis.url);
  queue = openSyncQueue({ QUEUE_PREFIX: prefix }, connection);
  sim = await startSimulator({
    companies: 4,
    seed: 5,
    apiKey,
    rateLimit: { limit: 100_000, windowSeconds: 60 },
  });
  schema = await isolatedSchema('bfwait');
  const db = new pg.Client({ connectionString: schema.url });
  await db.connect();
  await db.query('create table warehouse (entry_id bigint primary key, arr numeric not null)');
  for (const entry of sim.state.lists.get(1001)!.entries) {
    await db.query('insert into warehouse values ($1, $2)', [entry.id, 7000 + entry.id]);
  }
  await db.end();
  dir = await mkdtemp(join(tmpdir(), 'affinity-sync-bfwait-'));
  await writeFile(
    join(dir, 'held.yaml'),
    `name: held
source:
  type: postgres
  url: ${schema.url}
  query: select entry_id, arr from warehouse
list: 1001
match:
  - { column: entry_id, by: listEntryId }
fields:
  arr: ARR
`,
  );
  workerEnv = {
    PATH: process.env['PATH'],
    AFFINITY_API_KEY: apiKey,
    AFFINITY_BASE_URL: sim.url,
    REDIS_URL: redis.url,
    QUEUE_PREFIX: prefix,
    MAPPINGS_DIR: dir,
    WORKER_HTTP_PORT: '0',
    // Short locks so a killed worker's job is retaken in seconds.
    WORKER_LOCK_DURATION_MS: '3000',
    WORKER_STALLED_INTERVAL_MS: '1000',
    LOG_LEVEL: 'info',
  };
});

afterAll(async () => {
  for (const child of children) {
    if (child.child.exitCode === null && child.child.signalCode === null) child.child.kill('SIGKILL');
  }
  await Promise.all(children.map((c) => c.exited));
  await queue?.close();
  connection?.disconnect();
  await redis?.destroy();
  await sim?.close();
  await schema?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('backfill --wait', () => {
  it('with no worker running exits 1 within 10 s and queues nothing', async () => {
    const empty = uniqueName('bfwait-none');
    const started = Date.now();
    const result = await runCli(['backfill', 'held', '--wait'], triggerEnv(empty));
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(result).toMatchObject({
      code: 1,
      stdout: '',
      stderr:
        `affinity-sync backfill: no worker is running under QUEUE_PREFIX=${empty} at REDIS_URL=${redis.url}; ` +
        'nothing was queued — start one with `affinity-sync worker` (same REDIS_URL and QUEUE_PREFIX)\n',
    });
    expect(await connection.keys(`${empty}:*`)).toEqual([]);
  }, 30_000);

  it('says when the worker running its job disappears and that another worker retook it', async () => {
    const first = startWorker();
    const firstId = await workerId(first);
    // The test holds a lock on the warehouse table: the run stays active until the test lets go.
    const db = new pg.Client({ connectionString: schema.url });
    await db.connect();
    await db.query('begin');
    await db.query('lock table warehouse in access exclusive mode');
    const waiting = spawnCli(['backfill', 'held', '--wait'], triggerEnv());
    children.push(waiting);
    const jobId = await until(
      'the job to be queued',
      () => /queued as job (\S+)/.exec(waiting.stdout())?.[1],
    );
    await until(
      'the first worker to run it',
      async () => (await queue.getJob(jobId))?.processedBy === firstId,
    );
    const second = startWorker();
    const secondId = await workerId(second);

    first.child.kill('SIGKILL');
    await until('the retake to be told', () => waiting.stderr().includes('retaken'), 30_000);
    await db.query('commit');
    await db.end();
    expect(await waiting.exited).toEqual({ code: 0, signal: null });
    expect(waiting.stderr()).toContain(
      `backfill held: worker ${firstId} running job ${jobId} stopped; the job was retaken by worker ${secondId}\n`,
    );
    expect(waiting.stdout()).toMatch(/\nheld: SUCCEEDED in /);
  }, 90_000);

  it('gives up (exit 1) when the last worker disappears while it waits', async () => {
    const [last] = children.filter((c) => c.child.exitCode === null && c.child.signalCode === null);
    const db = new pg.Client({ connectionString: schema.url });
    await db.connect();
    await db.query('begin');
    await db.query('lock table warehouse in access exclusive mode');
    try {
      const waiting = spawnCli(['backfill', 'held', '--wait', '--mode', 'overwrite'], triggerEnv());
      children.push(waiting);
      const jobId = await until(
        'the job to be queued',
        () => /queued as job (\S+)/.exec(waiting.stdout())?.[1],
      );
      await until('the run to be active', async () => (await queue.getJobState(jobId)) === 'active');
      const killedAt = Date.now();
      last!.child.kill('SIGKILL');
      expect((await waiting.exited).code).toBe(1);
      // Presence expires 6 s after the last beat, then 10 s without any worker.
      expect(Date.now() - killedAt).toBeLessThan(25_000);
      expect(waiting.stderr()).toMatch(
        new RegExp(`backfill held: worker \\S+ running job ${jobId.replace('.', '\\.')} stopped reporting; `),
      );
      expect(waiting.stderr()).toMatch(
        new RegExp(
          `affinity-sync backfill: no worker is running \\(none has reported for 10 s\\); job ${jobId.replace('.', '\\.')} stays queued and runs when a worker starts\\n$`,
        ),
      );
    } finally {
      await db.query('rollback');
      await db.end();
    }
  }, 60_000);
});
