import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueueRun } from '../../src/queue/enqueue-run.js';
import { HistoryStore } from '../../src/queue/history-store.js';
import { openSyncQueue } from '../../src/queue/sync-queue.js';
import { type RunningSimulator, startSimulator } from '../../src/simulator/server.js';
import { closedPort } from '../support/free-port.js';
import { RedisServer } from '../support/redis-server.js';
import { isolatedSchema, uniqueName } from '../support/services.js';
import { until } from '../support/until.js';
import { type CliProcess, runCli, spawnCli } from './support/cli-process.js';
import { warehouseArrMapping } from './support/warehouse-mapping.js';

// Redis out of reach, as a new user meets it: commands and a starting worker fail fast in one
// line naming REDIS_URL; a running worker rides out an outage of its own Redis (killed and
// restarted by the test) with one line when it is lost and one when it is back.

const apiKey = 'sk-redis-outage-3b7d1a';
const password = 'pw-outage-9f2c4e71';
const listId = 1001;
const outageMs = 10_000;

let sim: RunningSimulator;
let schema: Awaited<ReturnType<typeof isolatedSchema>>;
let dir: string;
const children: CliProcess[] = [];

const mappingText = (name: string, url: string) => warehouseArrMapping(name, url, listId);

beforeAll(async () => {
  sim = await startSimulator({
    companies: 12,
    seed: 3,
    apiKey,
    rateLimit: { limit: 100_000, windowSeconds: 60 },
  });
  schema = await isolatedSchema('outage');
  const db = new pg.Client({ connectionString: schema.url });
  await db.connect();
  await db.query('create table warehouse (entry_id bigint primary key, arr numeric not null)');
  for (const entry of sim.state.lists.get(listId)!.entries) {
    await db.query('insert into warehouse values ($1, $2)', [entry.id, 500_000 + entry.id]);
  }
  await db.end();
  dir = await mkdtemp(join(tmpdir(), 'affinity-sync-outage-'));
  await writeFile(join(dir, 'outage-a.yaml'), mappingText('outage-a', schema.url));
  await writeFile(join(dir, 'outage-b.yaml'), mappingText('outage-b', schema.url));
}, 60_000);

afterAll(async () => {
  for (const child of children) {
    if (child.child.exitCode === null && child.child.signalCode === null) child.child.kill('SIGKILL');
  }
  await Promise.all(children.map((c) => c.exited));
  await sim?.close();
  await schema?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Runs the CLI to its end and times it. */
async function timed(args: string[], env: NodeJS.ProcessEnv) {
  const started = Date.now();
  const result = await runCli(args, env);
  const lines = `${result.stdout}${result.stderr}`.trim().split('\n');
  return { ...result, ms: Date.now() - started, lines };
}

describe('Redis out of reach', () => {
  it('status, backfill --wait and a starting worker against a closed port: exit 1 in time, ≤ 3 lines naming REDIS_URL', async () => {
    const port = await closedPort();
    const shown = `REDIS_URL=redis://:***@127.0.0.1:${port}`;
    const base = { PATH: process.env['PATH'], REDIS_URL: `redis://:${password}@127.0.0.1:${port}` };
    const workerEnv = {
      ...base,
      AFFINITY_API_KEY: apiKey,
      MAPPINGS_DIR: dir,
      WORKER_HTTP_PORT: '0',
      WORKER_REDIS_WAIT_SECONDS: '2',
    };
    // `status --help` alongside: what starting the CLI costs on this machine now (modules loaded,
    // nothing asked of Redis) — the 10 s bound is the product's, not the test machine's load.
    const [help, status, history, backfill, worker] = await Promise.all([
      timed(['status', '--help'], base),
      timed(['status'], base),
      timed(['history', 'outage-a'], base),
      timed(['backfill', 'outage-a', '--wait'], base),
      timed(['worker'], workerEnv),
    ]);
    const line = (command: string, seconds: number) =>
      `affinity-sync ${command}: cannot reach Redis at ${shown} within ${seconds} s (connect ECONNREFUSED 127.0.0.1:${port}); ` +
      'check that Redis is running and that REDIS_URL names its host and port';
    expect(status).toMatchObject({ code: 1, stdout: '', stderr: `${line('status', 5)}\n` });
    expect(history).toMatchObject({ code: 1, stdout: '', stderr: `${line('history', 5)}\n` });
    expect(backfill).toMatchObject({ code: 1, stdout: '', stderr: `${line('backfill', 5)}\n` });
    expect(worker.code).toBe(1);
    expect(worker.lines.at(-1)).toBe(line('worker', 2));
    // The worker says once that it waits, then the line above.
    expect(worker.lines).toHaveLength(2);
    expect(JSON.parse(worker.lines[0]!)).toMatchObject({ redis: shown, waitSeconds: 2 });
    for (const run of [status, history, backfill, worker]) {
      expect(run.lines.length).toBeLessThanOrEqual(3);
      expect(run.lines.join('\n')).not.toContain(password);
    }
    const startup = help.ms;
    expect(status.ms - startup).toBeLessThan(10_000);
    expect(history.ms - startup).toBeLessThan(10_000);
    expect(backfill.ms - startup).toBeLessThan(10_000);
    // WORKER_REDIS_WAIT_SECONDS, then the exit.
    expect(worker.ms).toBeGreaterThanOrEqual(2000);
    expect(worker.ms - startup).toBeLessThan(10_000);
  }, 60_000);

  it('a running worker through a 10 s outage: 2 log lines, /readyz 503 then 200, /livez 200 throughout, queued run completes', async () => {
    const redis = await RedisServer.start({ persistent: true, password });
    const prefix = uniqueName('outage');
    const connection = new Redis(redis.url, { maxRetriesPerRequest: null });
    connection.on('error', () => undefined); // the test's own connection sees the outage too
    const queue = openSyncQueue({ QUEUE_PREFIX: prefix }, connection);
    const history = new HistoryStore(connection, prefix, 100);
    // The test holds a lock on the warehouse table: run A stays active (its query waits) through the outage.
    const db = new pg.Client({ connectionString: schema.url });
    await db.connect();
    try {
      const worker = spawnCli(['worker'], {
        PATH: process.env['PATH'],
        AFFINITY_API_KEY: apiKey,
        AFFINITY_BASE_URL: sim.url,
        REDIS_URL: redis.url,
        QUEUE_PREFIX: prefix,
        MAPPINGS_DIR: dir,
        WORKER_HTTP_PORT: '0',
        WORKER_CONCURRENCY: '1',
        WORKER_HTTP_TOKEN: 'outage-token-4d1f',
        LOG_LEVEL: 'info',
      });
      children.push(worker);
      const port = (await worker.waitForLog((l) => l['msg'] === 'worker started'))['port'] as number;
      const get = async (path: string) => (await fetch(`http://127.0.0.1:${port}${path}`)).status;
      expect(await get('/readyz')).toBe(200);
      // The dashboard wants the token; basic auth with it as the password lets a browser in.
      expect(await get('/dashboard')).toBe(401);
      const basic = `Basic ${Buffer.from(':outage-token-4d1f').toString('base64')}`;
      expect(
        (await fetch(`http://127.0.0.1:${port}/dashboard`, { headers: { authorization: basic } })).status,
      ).toBe(200);

      await db.query('begin');
      await db.query('lock table warehouse in access exclusive mode');
      const retry = { attempts: 2, backoffMs: 200 };
      const a = await enqueueRun(queue, { mapping: 'outage-a', trigger: 'backfill' }, retry);
      await until('run A to be active', async () => (await queue.getJobState(a.jobId)) === 'active');
      // Its Affinity calls done, its query waiting on the lock: the run's limiter has nothing to ask Redis.
      await until('run A to wait on the warehouse lock', async () => {
        const { rows } = await db.query(
          "select count(*)::int as n from pg_locks where not granted and relation = 'warehouse'::regclass",
        );
        return (rows[0] as { n: number }).n > 0;
      });
      const b = await enqueueRun(queue, { mapping: 'outage-b', trigger: 'backfill' }, retry);
      expect(await queue.getJobState(b.jobId)).toBe('waiting');
      const logsBefore = worker.logs().length;

      await redis.kill();
      const killedAt = Date.now();
      await until('/readyz to answer 503', async () => (await get('/readyz')) === 503, 5000);
      // The outage lasts 10 s; /livez answers all along (a liveness probe must not restart the worker).
      const livez: number[] = [];
      await until(
        '10 s of outage',
        async () => {
          livez.push(await get('/livez'));
          return Date.now() - killedAt >= outageMs;
        },
        outageMs + 5000,
      );
      expect(new Set(livez)).toEqual(new Set([200]));
      expect(await get('/readyz')).toBe(503);
      await redis.start();
      await until('/readyz to answer 200 again', async () => (await get('/readyz')) === 200, 15_000);

      await db.query('commit');
      const runs = await until('both runs in the history', async () => {
        const [ra] = await history.recent('outage-a');
        const [rb] = await history.recent('outage-b');
        return ra && rb ? { ra, rb } : undefined;
      });
      expect(runs.ra).toMatchObject({ jobId: a.jobId, report: { status: 'succeeded' } });
      expect(runs.rb).toMatchObject({ jobId: b.jobId, report: { status: 'succeeded' } });

      // Exactly two lines about Redis during the outage, no ioredis dumps, the password never shown.
      const outageLogs = worker.logs().slice(logsBefore);
      const aboutRedis = outageLogs.filter((l) => /redis/i.test(JSON.stringify(l)));
      expect(aboutRedis.map((l) => l['msg'])).toEqual([
        'Redis connection lost; jobs wait until it is back (running ones keep going)',
        'Redis connection is back',
      ]);
      expect(aboutRedis[0]).toMatchObject({ redis: `REDIS_URL=redis://:***@127.0.0.1:${redis.port}` });
      expect(aboutRedis[1]?.['outageMs']).toBeGreaterThanOrEqual(outageMs);
      const text = worker.stderr();
      expect(text.split('\n').filter((l) => l !== '' && !l.startsWith('{'))).toEqual([]);
      expect(text).not.toContain(password);

      worker.child.kill('SIGTERM');
      expect(await worker.exited).toEqual({ code: 0, signal: null });
    } finally {
      await db.end();
      await queue.close();
      connection.disconnect();
      await redis.destroy();
    }
  }, 90_000);
});
