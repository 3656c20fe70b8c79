import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Fixture } from '../../src/simulator/fixture.js';
import { type RunningSimulator, startSimulator } from '../../src/simulator/server.js';
import type { RunReport } from '../../src/sync/report.js';
import { isolatedRedis, isolatedSchema, redisUrl } from '../support/services.js';
import { until } from '../support/until.js';
import {
  entryIdOf,
  expectedValues,
  listId,
  portfolioFixture,
  portfolioMapping,
  portfolioTableSql,
  postgresSource,
  runCli,
  sql,
  startCli,
} from './support.js';

// sync: incremental with its state in Redis, under a real process: SIGKILL while PATCHes are in
// flight, then run again. Every entry that needed a write is written exactly once over both runs
// (nothing missed, nothing written twice), edits made in Affinity by another user included. The
// list (2,000 entries, 20 scan pages) is big enough that re-reading what the kill left is cheaper.

const n = 2000;
const changed = 150;
const edited = Array.from({ length: 5 }, (_, k) => 200 + k);
const patchRoute = 'PATCH /v2/lists/{listId}/list-entries/{listEntryId}/fields';

/** The portfolio list with every field tracking changes, already holding what the table says. */
function trackedFixture(): Fixture {
  const fixture = portfolioFixture(n, () => true);
  for (const list of fixture.lists ?? []) {
    list.fields = (list.fields ?? []).map((f) => ({ ...f, trackChanges: true }));
  }
  return fixture;
}

let sim: RunningSimulator;
let db: Awaited<ReturnType<typeof isolatedSchema>>;
let redis: Awaited<ReturnType<typeof isolatedRedis>>;
let dir: string;
let env: Record<string, string>;
let file: string;

beforeAll(async () => {
  sim = await startSimulator({ fixture: trackedFixture() });
  db = await isolatedSchema('incr_kill');
  redis = await isolatedRedis('incr-kill');
  dir = await mkdtemp(join(tmpdir(), 'incremental-kill-'));
  await sql(db.url, portfolioTableSql('portfolio', n));
  file = join(dir, 'portfolio.yaml');
  const mapping = portfolioMapping('incremental-kill', postgresSource(db.url, 'select * from portfolio'));
  await writeFile(file, `${mapping}sync: incremental\n`);
  env = {
    AFFINITY_API_KEY: sim.apiKey,
    AFFINITY_BASE_URL: sim.url,
    REDIS_URL: redisUrl(),
    QUEUE_PREFIX: redis.prefix.slice(0, -1),
    LOG_LEVEL: 'warn',
  };
}, 60_000);

afterAll(async () => {
  await sim?.close();
  await db?.drop();
  await redis?.cleanup();
  await rm(dir, { recursive: true, force: true });
});

async function reportOf(args: string[]): Promise<RunReport> {
  const reportFile = join(dir, `report-${Date.now()}.json`);
  const result = await runCli(['run', file, '--report', reportFile, ...args], env);
  expect(result.code, result.stderr).toBe(0);
  const { readFile } = await import('node:fs/promises');
  return JSON.parse(await readFile(reportFile, 'utf8')) as RunReport;
}

describe('sync: incremental under SIGKILL (state in Redis)', () => {
  it('a rerun after SIGKILL mid-write misses nothing and writes nothing twice', async () => {
    // 1. The first run reconciles: it reads the whole list, writes nothing, keeps the state.
    const first = await reportOf([]);
    expect(first.sync).toMatchObject({ kind: 'reconcile', reason: 'first-run' });
    expect(first.calls.write).toBe(0);
    expect(await redis.redis.exists(`${redis.prefix}state:incremental:incremental-kill:meta`)).toBe(1);

    // 2. The warehouse changes half the rows; someone edits five other entries in Affinity.
    await sql(db.url, `update portfolio set arr = arr + 1 where company_id <= ${changed}`);
    for (const i of edited) {
      sim.edit({
        listId,
        listEntryId: entryIdOf(i),
        updates: [{ id: 'field-2', value: { type: 'text', data: 'edited in Affinity' } }],
      });
    }

    // 3. The next run is killed while its PATCHes are in flight.
    sim.setFaults({ latencyMs: 20 });
    const run = startCli(['run', file], env);
    await until('40 PATCHes', () => (sim.stats().requestsByRoute[patchRoute] ?? 0) >= 40, 60_000);
    run.child.kill('SIGKILL');
    await run.done;
    sim.setFaults({});
    const afterKill = sim.stats().requestsByRoute[patchRoute] ?? 0;
    expect(afterKill).toBeLessThan(changed + edited.length);

    // 4. The rerun finishes the job from the kept state.
    const rerun = await reportOf([]);
    expect(rerun.sync).toMatchObject({ kind: 'incremental' });
    expect(rerun.status).toBe('succeeded');

    // Every entry that needed a write got exactly one, over both runs; no other entry got any.
    const needed = new Set([
      ...Array.from({ length: changed }, (_, k) => entryIdOf(k + 1)),
      ...edited.map(entryIdOf),
    ]);
    const writes = sim.stats().writesPerEntry;
    expect(
      Object.keys(writes)
        .map(Number)
        .sort((a, b) => a - b),
    ).toEqual([...needed].sort((a, b) => a - b));
    expect(Object.values(writes).every((count) => count === 1)).toBe(true);
    // And Affinity holds what the warehouse says.
    const entries = sim.state.lists.get(listId)!;
    for (let i = 1; i <= n; i++) {
      const want = { ...expectedValues(i), 'field-1': i * 1000 + 0.5 + (i <= changed ? 1 : 0) };
      const have = Object.fromEntries(entries.entryById.get(entryIdOf(i))!.values);
      expect(have, `entry ${entryIdOf(i)}`).toEqual(want);
    }
    // The rerun re-read only what the kill left unknown and what the feed flagged.
    expect(rerun.sync!.entriesReread).toBeLessThanOrEqual(edited.length + 8);
    expect(rerun.calls.write).toBe(changed + edited.length - afterKill);

    console.info(
      `incremental SIGKILL: ${afterKill} PATCHes landed before the kill; the rerun re-read ${rerun.sync!.entriesReread} entries, ` +
        `wrote ${rerun.calls.write} (${rerun.calls.total} calls); needless writes 0, missed 0`,
    );

    // 5. Once more: nothing to do, and it costs a handful of calls instead of a scan.
    const idle = await reportOf([]);
    expect(idle.calls.write).toBe(0);
    expect(idle.sync).toMatchObject({ kind: 'incremental', entriesReread: 0 });
  }, 180_000);
});
