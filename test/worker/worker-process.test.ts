import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueueRun } from '../../src/queue/enqueue-run.js';
import { HistoryStore } from '../../src/queue/history-store.js';
import { openRedis } from '../../src/queue/redis-connection.js';
import { openSyncQueue } from '../../src/queue/sync-queue.js';
import { type RunningSimulator, startSimulator } from '../../src/simulator/server.js';
import { isolatedSchema, redisUrl, uniqueName } from '../support/services.js';
import { until } from '../support/until.js';
import { type CliProcess, runCli, spawnCli } from './support/cli-process.js';
import { warehouseArrMapping } from './support/warehouse-mapping.js';

// End to end: worker processes (spawned like production), a Postgres warehouse table, the
// simulator over HTTP and real Redis. Each PATCH takes ≥ 50 ms and a run sends 2 at a time, so a
// run of 60 entries lasts long enough to be interrupted.

const apiKey = 'sk-worker-e2e-5f0c1d2e3a';
const prefix = uniqueName('wk');
const listId = 1001;
const arrField = 'field-101';
const syncConcurrency = 2;
const retry = { attempts: 2, backoffMs: 200 };

let sim: RunningSimulator;
let schema: Awaited<ReturnType<typeof isolatedSchema>>;
let dir: string;
let env: NodeJS.ProcessEnv;
const connection = openRedis(redisUrl());
const queue = openSyncQueue({ QUEUE_PREFIX: prefix }, connection);
const history = new HistoryStore(connection, prefix, 100);
const workers: CliProcess[] = [];
/** entry id → the ARR the warehouse holds (all differ from the simulator's initial data). */
const wanted = new Map<number, number>();

const running = (w: CliProcess) => w.child.exitCode === null && w.child.signalCode === null;

function startWorker(): CliProcess {
  const worker = spawnCli(['worker'], env);
  workers.push(worker);
  return worker;
}

async function workerPort(worker: CliProcess): Promise<number> {
  const line = await worker.waitForLog((l) => l['msg'] === 'worker started');
  return line['port'] as number;
}

function writesPerEntry(): Map<number, number> {
  return new Map(Object.entries(sim.stats().writesPerEntry).map(([id, n]) => [Number(id), n]));
}

function totalWrites(): number {
  return [...writesPerEntry().values()].reduce((a, b) => a + b, 0);
}

function arrOf(entryId: number): unknown {
  const list = sim.state.lists.get(listId)!;
  const entry = list.entryById.get(entryId)!;
  return sim.state.read(entry, list.fieldById.get(arrField)!);
}

async function mappingFile(name: string, body: string): Promise<void> {
  await writeFile(join(dir, `${name}.yaml`), body);
}

const syncMapping = (url: string) => warehouseArrMapping('portfolio-arr', url, listId);

beforeAll(async () => {
  sim = await startSimulator({
    companies: 60,
    seed: 7,
    apiKey,
    rateLimit: { limit: 100_000, windowSeconds: 60 },
    faults: { latencyMs: 50 },
  });
  schema = await isolatedSchema('wk');
  const db = new pg.Client({ connectionString: schema.url });
  await db.connect();
  await db.query('create table warehouse (entry_id bigint primary key, arr numeric not null)');
  for (const entry of sim.state.lists.get(listId)!.entries) {
    wanted.set(entry.id, 1_000_000 + entry.id);
    await db.query('insert into warehouse values ($1, $2)', [entry.id, 1_000_000 + entry.id]);
  }
  await db.end();
  dir = await mkdtemp(join(tmpdir(), 'affinity-sync-worker-'));
  env = {
    PATH: process.env['PATH'],
    AFFINITY_API_KEY: apiKey,
    AFFINITY_BASE_URL: sim.url,
    REDIS_URL: redisUrl(),
    QUEUE_PREFIX: prefix,
    MAPPINGS_DIR: dir,
    WORKER_HTTP_PORT: '0',
    WORKER_CONCURRENCY: '2',
    SYNC_CONCURRENCY: String(syncConcurrency),
    // Short locks so a killed worker's job is retaken in seconds, not half a minute.
    WORKER_LOCK_DURATION_MS: '4000',
    WORKER_STALLED_INTERVAL_MS: '1000',
    WORKER_SHUTDOWN_TIMEOUT_MS: '10000',
    JOB_ATTEMPTS: String(retry.attempts),
    JOB_BACKOFF_MS: String(retry.backoffMs),
    LOG_LEVEL: 'info',
  };
  await mappingFile('portfolio-arr', syncMapping(schema.url));
}, 120_000);

afterAll(async () => {
  for (const worker of workers.filter(running)) worker.child.kill('SIGKILL');
  await Promise.all(workers.map((w) => w.exited));
  await queue.obliterate({ force: true }).catch(() => undefined);
  await queue.close();
  const keys = await connection.keys(`${prefix}:*`);
  if (keys.length > 0) await connection.del(...keys);
  connection.disconnect();
  await sim?.close();
  await schema?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('affinity-sync worker', () => {
  it('fires a schedule; status and /metrics show the run; SIGTERM when idle exits 0', async () => {
    await mappingFile(
      'tick',
      `name: tick
schedule: { cron: "*/2 * * * * *", timezone: UTC }
source:
  type: postgres
  url: ${schema.url}
  query: select entry_id, arr from warehouse where false
list: ${listId}
match:
  - { column: entry_id, by: listEntryId }
fields:
  arr: ARR
`,
    );
    const worker = startWorker();
    const port = await workerPort(worker);
    const run = await until('a scheduled run in the history', async () =>
      (await history.recent('tick')).find((e) => e.trigger === 'schedule'),
    );
    expect(run.report).toMatchObject({ mapping: 'tick', status: 'succeeded', rows: { read: 0 } });

    // /healthz is the same as /readyz; the mappings check came with live reloading.
    for (const path of ['/healthz', '/readyz']) {
      const health = await fetch(`http://127.0.0.1:${port}${path}`);
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({
        ok: true,
        checks: {
          redis: { ok: true, detail: 'answers' },
          schedulers: { ok: true, detail: '1 registered' },
          mappings: { ok: true, detail: '2 loaded' },
        },
      });
    }
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(metrics).toMatch(/affinity_sync_runs_total\{mapping="tick",status="succeeded"\} [1-9]/);

    const status = await runCli(['status', 'tick'], env);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/^tick — schedule "\*\/2 \* \* \* \* \*" UTC, next \d{4}-\d\d-\d\dT/);
    expect(status.stdout).toMatch(
      / {2}succeeded +\d+\.\ds {2}rows 0 read\/0 matched\/0 unmatched .* schedule, job tick\./,
    );

    const stoppedAt = Date.now();
    worker.child.kill('SIGTERM');
    expect(await worker.exited).toEqual({ code: 0, signal: null });
    expect(Date.now() - stoppedAt).toBeLessThan(10_000);
    await rm(join(dir, 'tick.yaml'));
  }, 90_000);

  it('a backfill during an active run queues exactly one follow-up (three requests → one extra run)', async () => {
    const worker = startWorker();
    await workerPort(worker);
    // The tick mapping is gone: its scheduler went with it.
    expect(await queue.getJobSchedulers(0, -1)).toEqual([]);

    // The test holds a lock on the warehouse table, so the first run stays active (its query
    // waits) for as long as the test needs to send its requests.
    const db = new pg.Client({ connectionString: schema.url });
    await db.connect();
    await db.query('begin');
    await db.query('lock table warehouse in access exclusive mode');
    const waiting = spawnCli(['backfill', 'portfolio-arr', '--wait'], env);
    const firstJob = await until(
      'the first backfill to be queued',
      () => /queued as job (\S+)/.exec(waiting.stdout())?.[1],
    );
    await until('the first run to start', async () => (await queue.getJobState(firstJob)) === 'active');
    const cli = await runCli(['backfill', 'portfolio-arr'], env);
    const second = await enqueueRun(queue, { mapping: 'portfolio-arr', trigger: 'backfill' }, retry);
    const third = await enqueueRun(
      queue,
      { mapping: 'portfolio-arr', trigger: 'http', mode: 'overwrite' },
      retry,
    );
    expect(cli.code).toBe(0);
    expect(cli.stdout).toBe(
      `backfill portfolio-arr: a run is active (job ${firstJob}); one follow-up run will start when it ends\n`,
    );
    expect(second).toMatchObject({ outcome: 'follow-up', activeJobId: firstJob });
    expect(third).toMatchObject({ outcome: 'follow-up', activeJobId: firstJob });
    expect(await queue.getWaitingCount()).toBe(0);
    await db.query('commit');
    await db.end();

    expect(await waiting.exited).toEqual({ code: 0, signal: null });
    expect(waiting.stdout()).toMatch(/^backfill portfolio-arr: queued as job portfolio-arr\.\w+\n/);
    expect(waiting.stdout()).toMatch(
      new RegExp(
        `\nportfolio-arr: SUCCEEDED in [\\d.]+s \\(diff\\)\n {2}rows {5}${wanted.size} read, ${wanted.size} matched,`,
      ),
    );
    expect(waiting.stderr()).toContain('"msg":"progress"');
    const runs = await until('two runs in the history', async () => {
      const entries = await history.recent('portfolio-arr');
      const active = await queue.getActiveCount();
      return entries.length === 2 && active === 0 && (await queue.getWaitingCount()) === 0
        ? entries
        : undefined;
    });
    const [followUp, first] = runs;
    expect(first?.report).toMatchObject({ status: 'succeeded', entries: { updated: wanted.size } });
    // The follow-up carries the last request's data (overwrite), so it rewrites every value once more.
    expect(followUp).toMatchObject({ trigger: 'http', report: { status: 'succeeded', mode: 'overwrite' } });
    expect(followUp?.report.entries.updated).toBe(wanted.size);
    for (const [entryId, arr] of wanted) expect(arrOf(entryId)).toBe(arr);
    // Nothing else ran: 2 runs × one PATCH per entry.
    expect([...writesPerEntry().values()].every((n) => n === 2)).toBe(true);
    expect(writesPerEntry().size).toBe(wanted.size);
  }, 120_000);

  it('SIGKILL mid-run: a new worker retakes the job and writes only what the first did not', async () => {
    const [killed] = workers.filter(running);
    sim.reset();
    const request = await enqueueRun(queue, { mapping: 'portfolio-arr', trigger: 'backfill' }, retry);
    await until('a third of the writes', () => totalWrites() >= wanted.size / 3);
    killed!.child.kill('SIGKILL');
    await killed!.exited;
    const writtenBeforeKill = totalWrites();

    const successor = startWorker();
    await workerPort(successor);
    const entry = await until(
      'the retaken run to finish',
      async () => (await history.recent('portfolio-arr')).find((e) => e.jobId === request.jobId),
      60_000,
    );
    expect(entry.report.status).toBe('succeeded');
    // The killed run left no report; the rerun found the first run's writes already in Affinity.
    expect(entry.report.entries.unchanged).toBeGreaterThanOrEqual(writtenBeforeKill - syncConcurrency);
    for (const [entryId, arr] of wanted) expect(arrOf(entryId)).toBe(arr);
    // No lost writes: every changed entry was written. No needless ones: the simulator applies a
    // PATCH it has received even when the client dies waiting for the answer, so the rerun's diff
    // sees it — every entry is written exactly once, the PATCHes in flight at the kill included.
    const writes = writesPerEntry();
    expect(writes.size).toBe(wanted.size);
    expect([...writes.entries()].filter(([, n]) => n !== 1)).toEqual([]);
  }, 120_000);

  it('SIGTERM mid-run: requests in flight finish, the job goes back to the queue, exit 0 in time', async () => {
    const [worker] = workers.filter(running);
    sim.reset();
    const request = await enqueueRun(queue, { mapping: 'portfolio-arr', trigger: 'backfill' }, retry);
    await until('a third of the writes', () => totalWrites() >= wanted.size / 3);
    const stoppedAt = Date.now();
    worker!.child.kill('SIGTERM');
    expect(await worker!.exited).toEqual({ code: 0, signal: null });
    expect(Date.now() - stoppedAt).toBeLessThan(10_000);

    const [handedBack] = await history.recent('portfolio-arr', 1);
    expect(handedBack).toMatchObject({ jobId: request.jobId, handedBack: true });
    expect(handedBack?.report.error).toBe(
      'mapping "portfolio-arr": interrupted: requests in flight finished, the rest was not sent',
    );
    expect(await queue.getJobState(request.jobId)).toBe('waiting');

    const successor = startWorker();
    await workerPort(successor);
    const entry = await until('the handed-back run to finish', async () => {
      const [latest] = await history.recent('portfolio-arr', 1);
      return latest?.jobId === request.jobId && !latest.handedBack ? latest : undefined;
    });
    expect(entry.report.status).toBe('succeeded');
    for (const [entryId, arr] of wanted) expect(arrOf(entryId)).toBe(arr);
    const writes = writesPerEntry();
    expect(writes.size).toBe(wanted.size);
    expect([...writes.entries()].filter(([, n]) => n !== 1)).toEqual([]);
  }, 120_000);
});
