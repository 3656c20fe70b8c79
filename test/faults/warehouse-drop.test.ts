import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSimulator, startSimulator } from '../../src/simulator/server.js';
import type { RunReport } from '../../src/sync/report.js';
import { databaseUrl, isolatedSchema } from '../support/services.js';
import { until } from '../support/until.js';
import {
  portfolioFixture,
  portfolioMapping,
  portfolioTableSql,
  postgresSource,
  runInProcess,
  sql,
  startCli,
  wrongEntries,
} from './support.js';

// The warehouse connection dies while rows stream (pg_terminate_backend, as a failover or an admin
// would). The run must end failed with a clear message and exit 1, its counts must match what
// reached Affinity, and the next run must complete the rest.

const apiKey = 'sk-faults-drop-6c20d4';
// More rows than one cursor fetch (1,000): the first batch arrives before the connection dies.
const n = 1000;
const mapping = 'faults-warehouse-drop';
// Every tenth entry differs from the warehouse; the others already hold its values.
const current = (i: number) => i % 10 !== 0;
const changed = n / 10;

describe('the warehouse connection dropped mid-stream', () => {
  let db: Awaited<ReturnType<typeof isolatedSchema>>;
  let dir: string;
  let sim: RunningSimulator;

  beforeAll(async () => {
    db = await isolatedSchema('faults_drop');
    await sql(db.url, portfolioTableSql('portfolio', n));
    // While ctl.slow is true, the row after the first 1,000 takes a minute to produce.
    await sql(
      db.url,
      `create table ctl (slow boolean);
       insert into ctl values (true);
       create view feed as
         select company_id, arr, sector, last_funding, stage from portfolio
         union all
         select null, null, null, null, null from ctl where slow and pg_sleep(60) is not null`,
    );
    dir = await mkdtemp(join(tmpdir(), 'faults-drop-'));
    await writeFile(
      join(dir, 'drop.yaml'),
      portfolioMapping(mapping, postgresSource(db.url, 'select * from feed')),
    );
    sim = await startSimulator({
      apiKey,
      fixture: portfolioFixture(n, current),
      rateLimit: { limit: 100_000, windowSeconds: 60 },
    });
  });

  afterAll(async () => {
    // A failed assertion may leave the source asleep on the slow row, holding the schema.
    await sql(
      databaseUrl(),
      `select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'affinity-sync:${mapping}'`,
    );
    await sim?.close();
    await db?.drop();
    await rm(dir, { recursive: true, force: true });
  });

  const env = () => ({ AFFINITY_API_KEY: apiKey, AFFINITY_BASE_URL: sim.url, LOG_LEVEL: 'info' });

  it('fails the run with the reason and exit 1, reports what reached Affinity, and the next run completes', async () => {
    const reportFile = join(dir, 'first.json');
    const first = startCli(['run', join(dir, 'drop.yaml'), '--report', reportFile], env());

    // The source's backend is asleep producing row 1,001: the first batch has been sent. Cut it.
    const pid = await until('the source query to wait on the slow row', async () => {
      const { rows } = await sql(
        databaseUrl(),
        `select pid from pg_stat_activity where application_name = 'affinity-sync:${mapping}' and wait_event = 'PgSleep'`,
      );
      return rows[0]?.pid as number | undefined;
    });
    await sql(databaseUrl(), `select pg_terminate_backend(${pid})`);
    const result = await first.done;

    expect(result.code).toBe(1);
    const failure = `mapping "${mapping}": postgres query failed: terminating connection due to administrator command (57P01)`;
    expect(result.stdout).toContain(`${mapping}: FAILED`);
    expect(result.stdout).toContain(failure);
    const report = JSON.parse(await readFile(reportFile, 'utf8')) as RunReport;
    expect(report.status).toBe('failed');
    expect(report.error).toBe(failure);
    // Rows stream before anything is written: nothing reached Affinity, and the report says so.
    expect(report.rows.read).toBeGreaterThan(0);
    expect(report.rows.read).toBeLessThanOrEqual(n);
    expect(sim.stats().patches).toHaveLength(0);
    expect(report.calls.write).toBe(0);
    expect(report.entries).toEqual({ updated: 0, unchanged: 0, failed: 0 });
    expect(report.fields.written).toBe(0);

    // The warehouse is back: the next run writes every entry, each once, with the right values.
    await sql(db.url, 'update ctl set slow = false');
    const second = await runInProcess(['run', join(dir, 'drop.yaml'), '--report', join(dir, 'second.json')], {
      ...env(),
      LOG_LEVEL: 'silent',
    });
    expect(second.code).toBe(0);
    const done = JSON.parse(await readFile(join(dir, 'second.json'), 'utf8')) as RunReport;
    expect(done.status).toBe('succeeded');
    expect(done.rows.read).toBe(n);
    expect(done.entries).toEqual({ updated: changed, unchanged: n - changed, failed: 0 });
    expect(done.calls.write).toBe(sim.stats().patches.length);
    expect(Object.keys(sim.stats().writesPerEntry)).toHaveLength(changed);
    expect(wrongEntries(sim, n)).toEqual([]);
  });
});
