import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HistoryStore } from '../../src/queue/history-store.js';
import { openRedis } from '../../src/queue/redis-connection.js';
import { openSyncQueue } from '../../src/queue/sync-queue.js';
import { type RunningSimulator, startSimulator } from '../../src/simulator/server.js';
import { isolatedSchema, redisUrl, uniqueName } from '../support/services.js';
import { until } from '../support/until.js';
import { type CliProcess, runCli, spawnCli } from './support/cli-process.js';

const apiKey = 'sk-worker-failures-8e1b2c';
const prefix = uniqueName('wf');
const connection = openRedis(redisUrl());
const queue = openSyncQueue({ QUEUE_PREFIX: prefix }, connection);
const history = new HistoryStore(connection, prefix, 100);
let sim: RunningSimulator;
let schema: Awaited<ReturnType<typeof isolatedSchema>>;
let dir: string;
let env: NodeJS.ProcessEnv;
let worker: CliProcess | undefined;

const mapping = (name: string, query: string, extra = '') => `name: ${name}
${extra}source:
  type: postgres
  url: ${schema.url}
  query: ${query}
list: 1001
match:
  - { column: entry_id, by: listEntryId }
fields:
  arr: ARR
`;

beforeAll(async () => {
  sim = await startSimulator({ companies: 5, apiKey });
  schema = await isolatedSchema('wf');
  dir = await mkdtemp(join(tmpdir(), 'affinity-sync-worker-failures-'));
  env = {
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
  };
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
  await schema?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('affinity-sync worker, when things go wrong', () => {
  it('refuses to start without REDIS_URL', async () => {
    const { REDIS_URL: _unset, ...rest } = env;
    const result = await runCli(['worker'], rest);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'REDIS_URL is not set: affinity-sync worker keeps its queue, schedules and history in Redis; ' +
        'export REDIS_URL=redis://host:6379\n',
    );
  }, 60_000);

  it('backfill of an unknown mapping exits 2 naming the mappings the workers have, and queues nothing', async () => {
    await writeFile(join(dir, 'good.yaml'), mapping('good', 'select 1 as entry_id, 2 as arr'));
    const running = spawnCli(['worker'], env);
    await running.waitForLog((l) => l['msg'] === 'worker started');
    // backfill reads the names the workers publish in Redis, not the mapping files.
    const result = await runCli(['backfill', 'nope'], { ...env, MAPPINGS_DIR: '/nonexistent' });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('affinity-sync backfill: no mapping named "nope"; the workers have: good\n');
    expect(await queue.getWaitingCount()).toBe(0);
    running.child.kill('SIGTERM');
    expect(await running.exited).toEqual({ code: 0, signal: null });
    await rm(join(dir, 'good.yaml'));
  }, 60_000);

  it('refuses to start on an invalid mapping, naming it, and registers nothing', async () => {
    await writeFile(join(dir, 'good.yaml'), mapping('good', 'select 1 as entry_id, 2 as arr'));
    await writeFile(join(dir, 'bad.yaml'), mapping('bad', 'select 1', 'schedule: { cron: "every day" }\n'));
    const result = await runCli(['worker'], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /^affinity-sync worker: refusing to start, invalid mapping:\n\S*bad\.yaml:2:\d+ schedule\.cron: /,
    );
    expect(result.stderr).not.toContain('good.yaml');
    expect(await queue.getJobSchedulers(0, -1)).toEqual([]);
    await rm(join(dir, 'bad.yaml'));
    await rm(join(dir, 'good.yaml'));
  }, 60_000);

  it('a port in use fails the start before anything reaches Redis: exit 1, no scheduler, no presence', async () => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const taken = (holder.address() as AddressInfo).port;
    await writeFile(
      join(dir, 'tick.yaml'),
      mapping('tick', 'select 1 as entry_id, 2 as arr', 'schedule: { cron: "0 3 * * *" }\n'),
    );
    try {
      const result = await runCli(['worker'], {
        ...env,
        WORKER_HTTP_HOST: '127.0.0.1',
        WORKER_HTTP_PORT: String(taken),
      });
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(
        `affinity-sync worker: cannot listen on 127.0.0.1:${taken} (WORKER_HTTP_HOST, WORKER_HTTP_PORT): ` +
          `listen EADDRINUSE: address already in use 127.0.0.1:${taken}; choose another port or stop what holds it — nothing was registered in Redis\n`,
      );
      expect(await queue.getJobSchedulers(0, -1)).toEqual([]);
      expect(await connection.keys(`${prefix}:worker*`)).toEqual([]);
    } finally {
      await new Promise<void>((resolve) => holder.close(() => resolve()));
      await rm(join(dir, 'tick.yaml'));
    }
  }, 60_000);

  it('a run that keeps failing ends failed with its reason in the history; the schedule keeps going', async () => {
    await writeFile(
      join(dir, 'broken.yaml'),
      mapping(
        'broken',
        'select entry_id, arr from no_such_table',
        'schedule: { cron: "*/2 * * * * *", timezone: UTC }\n',
      ),
    );
    worker = spawnCli(['worker'], env);
    // Two jobs that used up both attempts: the first failure did not stop the schedule.
    const failedJobs = await until(
      'two scheduled runs to end failed',
      async () => {
        const runs = await history.recent('broken');
        const final = runs.filter((r) => r.attempt === r.attempts);
        return final.length >= 2 ? final : undefined;
      },
      60_000,
    );
    const [, first] = failedJobs;
    expect(first).toMatchObject({
      trigger: 'schedule',
      attempt: 2,
      attempts: 2,
      report: { status: 'failed' },
    });
    expect(first?.report.error).toMatch(/no_such_table/);
    const job = await queue.getJob(first!.jobId);
    expect(await job?.getState()).toBe('failed');
    expect(job?.failedReason).toBe(first?.report.error);
    expect((await history.recent('broken')).filter((r) => r.jobId === first?.jobId)).toHaveLength(2);

    worker.child.kill('SIGTERM');
    expect(await worker.exited).toEqual({ code: 0, signal: null });
  }, 90_000);
});
