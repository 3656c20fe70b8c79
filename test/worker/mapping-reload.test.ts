import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HealthReport } from '../../src/http/create-app.js';
import { HistoryStore } from '../../src/queue/history-store.js';
import { openRedis } from '../../src/queue/redis-connection.js';
import { openSyncQueue } from '../../src/queue/sync-queue.js';
import { type RunningSimulator, startSimulator } from '../../src/simulator/server.js';
import { hashFile } from '../../src/worker/read-mappings.js';
import { RedisServer } from '../support/redis-server.js';
import { isolatedSchema, uniqueName } from '../support/services.js';
import { until } from '../support/until.js';
import { type CliProcess, runCli, spawnCli } from './support/cli-process.js';

// One worker process runs throughout while the test edits MAPPINGS_DIR: a valid edit is what the
// next run reads, an invalid edit keeps the last valid version running (and says so), a deleted
// file takes its schedule away. `backfill` runs with REDIS_URL alone: no key, no mapping files.

const apiKey = 'sk-mapping-reload-6d2a91';
const listId = 1001;
const arrField = 'field-101';
const prefix = uniqueName('reload');
// A Redis of the test's own, started and killed here.
let redis: RedisServer;
let connection: Redis;
let queue: ReturnType<typeof openSyncQueue>;
let history: HistoryStore;

let sim: RunningSimulator;
let schema: Awaited<ReturnType<typeof isolatedSchema>>;
let dir: string;
let worker: CliProcess;
let port: number;
let entryIds: number[];

const mapping = (name: string, column: string, extra = '') => `name: ${name}
${extra}source:
  type: postgres
  url: ${schema.url}
  query: select entry_id, ${column} as arr from warehouse order by entry_id
list: ${listId}
match:
  - { column: entry_id, by: listEntryId }
fields:
  arr: ARR
`;

/** What `backfill` needs, and nothing else: no AFFINITY_API_KEY, no MAPPINGS_DIR, no warehouse URL. */
const triggerEnv = () => ({ PATH: process.env['PATH'], REDIS_URL: redis.url, QUEUE_PREFIX: prefix });

function arrOf(entryId: number): unknown {
  const list = sim.state.lists.get(listId)!;
  return sim.state.read(list.entryById.get(entryId)!, list.fieldById.get(arrField)!);
}

async function readyz(): Promise<HealthReport> {
  return (await (await fetch(`http://127.0.0.1:${port}/readyz`)).json()) as HealthReport;
}

/** Waits for a log line of the worker after the `from`-th one. */
function logAfter(from: number, match: (line: Record<string, unknown>) => boolean) {
  return until('the worker to log it', () => worker.logs().slice(from).find(match), 20_000);
}

beforeAll(async () => {
  redis = await RedisServer.start();
  connection = openRedis(redis.url);
  queue = openSyncQueue({ QUEUE_PREFIX: prefix }, connection);
  history = new HistoryStore(connection, prefix, 100);
  sim = await startSimulator({
    companies: 6,
    seed: 11,
    apiKey,
    rateLimit: { limit: 100_000, windowSeconds: 60 },
  });
  schema = await isolatedSchema('reload');
  const db = new pg.Client({ connectionString: schema.url });
  await db.connect();
  await db.query('create table warehouse (entry_id bigint primary key, v1 numeric, v2 numeric)');
  entryIds = sim.state.lists.get(listId)!.entries.map((e) => e.id);
  for (const id of entryIds)
    await db.query('insert into warehouse values ($1, $2, $3)', [id, 1000 + id, 2000 + id]);
  await db.end();
  dir = await mkdtemp(join(tmpdir(), 'affinity-sync-reload-'));
  await writeFile(join(dir, 'portfolio.yaml'), mapping('portfolio', 'v1'));
  await writeFile(join(dir, 'nightly.yaml'), mapping('nightly', 'v1', 'schedule: { cron: "0 3 * * *" }\n'));
  worker = spawnCli(['worker'], {
    PATH: process.env['PATH'],
    AFFINITY_API_KEY: apiKey,
    AFFINITY_BASE_URL: sim.url,
    REDIS_URL: redis.url,
    QUEUE_PREFIX: prefix,
    MAPPINGS_DIR: dir,
    WORKER_HTTP_PORT: '0',
    LOG_LEVEL: 'info',
  });
  port = (await worker.waitForLog((l) => l['msg'] === 'worker started'))['port'] as number;
}, 60_000);

afterAll(async () => {
  if (worker && worker.child.exitCode === null && worker.child.signalCode === null)
    worker.child.kill('SIGKILL');
  await worker?.exited;
  await queue?.close();
  connection?.disconnect();
  await redis?.destroy();
  await sim?.close();
  await schema?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('a running worker follows MAPPINGS_DIR', () => {
  it('backfill --wait with only REDIS_URL runs the mapping as the worker has it', async () => {
    const result = await runCli(['backfill', 'portfolio', '--wait'], triggerEnv());
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^backfill portfolio: queued as job portfolio\.\w+\n/);
    for (const id of entryIds) expect(arrOf(id)).toBe(1000 + id);
    const [run] = await history.recent('portfolio', 1);
    expect(run?.mappingHash).toBe(await hashFile(join(dir, 'portfolio.yaml')));
    expect((await runCli(['backfill', 'nightly', '--wait'], triggerEnv())).code).toBe(0);
  }, 60_000);

  it('an edited query is what the next backfill --wait reads, with no restart', async () => {
    const from = worker.logs().length;
    await writeFile(join(dir, 'portfolio.yaml'), mapping('portfolio', 'v2'));
    const hash = await hashFile(join(dir, 'portfolio.yaml'));
    const updated = await logAfter(from, (l) => l['msg'] === 'mapping updated; the next run uses it');
    expect(updated).toMatchObject({ mapping: 'portfolio', hash, reason: 'file change' });

    const result = await runCli(['backfill', 'portfolio', '--wait'], triggerEnv());
    expect(result.code, result.stderr).toBe(0);
    for (const id of entryIds) expect(arrOf(id)).toBe(2000 + id);
    const [run] = await history.recent('portfolio', 1);
    expect(run).toMatchObject({ mappingHash: hash, report: { status: 'succeeded' } });
    expect(worker.child.exitCode).toBeNull();
  }, 60_000);

  it('an invalid edit keeps the last valid version running and is reported in the logs, /readyz and status', async () => {
    const validHash = await hashFile(join(dir, 'portfolio.yaml'));
    const from = worker.logs().length;
    await writeFile(join(dir, 'portfolio.yaml'), `${mapping('portfolio', 'v1')}bogus: true\n`);
    const invalid = await logAfter(from, (l) => String(l['msg']).startsWith('mapping file invalid'));
    expect(invalid['msg']).toBe(`mapping file invalid; its last valid version (${validHash}) keeps running`);
    expect(invalid['problems']).toEqual([
      expect.stringMatching(/portfolio\.yaml:11:1 bogus: unknown key "bogus"/),
    ]);

    const health = await readyz();
    expect(health.ok).toBe(true);
    expect(health.checks['mappings']?.invalid).toEqual([
      {
        file: join(dir, 'portfolio.yaml'),
        problems: [expect.stringContaining('bogus: unknown key "bogus"')],
        running: { name: 'portfolio', hash: validHash },
      },
    ]);
    const status = await runCli(['status', 'portfolio'], triggerEnv());
    expect(status.code).toBe(0);
    expect(status.stdout).toContain(`  loaded:  version ${validHash} on 1 worker(s)\n`);
    expect(status.stdout).toMatch(
      /\n {2}invalid: \S+portfolio\.yaml:11:1 bogus: unknown key "bogus".*\(the last valid version keeps running\)\n/,
    );

    // The query of the kept version (v2), not of the broken text (v1), reads the warehouse.
    await runSql('update warehouse set v2 = v2 + 1');
    const result = await runCli(['backfill', 'portfolio', '--wait'], triggerEnv());
    expect(result.code, result.stderr).toBe(0);
    for (const id of entryIds) expect(arrOf(id)).toBe(2001 + id);
    expect((await history.recent('portfolio', 1))[0]?.mappingHash).toBe(validHash);
  }, 60_000);

  it('a deleted file takes its schedule and its name away; its history stays', async () => {
    expect((await queue.getJobSchedulers(0, -1)).map((s) => s.key)).toEqual(['nightly']);
    const from = worker.logs().length;
    await rm(join(dir, 'nightly.yaml'));
    await logAfter(from, (l) => l['msg'] === 'mapping removed' && l['mapping'] === 'nightly');
    await logAfter(from, (l) => l['msg'] === 'job schedulers follow the mappings');
    expect(await queue.getJobSchedulers(0, -1)).toEqual([]);
    expect((await readyz()).checks['schedulers']).toEqual({ ok: true, detail: '0 registered' });

    const status = await runCli(['status'], triggerEnv());
    expect(status.stdout).toMatch(/^portfolio — no schedule/);
    expect(status.stdout).not.toContain('nightly');
    expect((await history.recent('nightly')).length).toBe(1);
    const unknown = await runCli(['status', 'nightly'], triggerEnv());
    expect(unknown).toMatchObject({
      code: 2,
      stderr: 'affinity-sync status: no mapping named "nightly"; the workers have: portfolio\n',
    });
    const backfill = await runCli(['backfill', 'nightly'], triggerEnv());
    expect(backfill).toMatchObject({
      code: 2,
      stderr: 'affinity-sync backfill: no mapping named "nightly"; the workers have: portfolio\n',
    });
  }, 60_000);
});

async function runSql(text: string): Promise<void> {
  const db = new pg.Client({ connectionString: schema.url });
  await db.connect();
  await db.query(text);
  await db.end();
}
