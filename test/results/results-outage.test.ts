import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readEnv } from '../../src/config/env.js';
import { loadMappingFile } from '../../src/mappings/load-mapping.js';
import { SyncMetrics } from '../../src/metrics/sync-metrics.js';
import { openRunSink } from '../../src/results/open-run-sink.js';
import { defaultConnectTimeoutMs, defaultStatementTimeoutMs } from '../../src/results/results-connection.js';
import { resultsFailures } from '../../src/results/results-metrics.js';
import { type RunningSimulator, startSimulator } from '../../src/simulator/server.js';
import { executeRun } from '../../src/sync/execute-run.js';
import type { RunReport } from '../../src/sync/report.js';
import {
  capturedLogger,
  entryIdOf,
  portfolioFixture,
  portfolioMapping,
  portfolioTableSql,
  postgresSource,
  sql,
  wrongEntries,
} from '../faults/support.js';
import { closedPort } from '../support/free-port.js';
import { databaseUrl, isolatedSchema } from '../support/services.js';
import { until } from '../support/until.js';
import { blackHole, query, resultsSchema, resultsWarnings, tcpProxy, withPort } from './support.js';

// A results database that is down, hangs, refuses or goes away mid-run: the sync completes, its
// report is right, one warning names the results store (no password), a counter counts it, and
// the run waits no longer than the store's bound (connect timeout + statement timeout).

const apiKey = 'sk-results-outage-81d3f0';
const password = 's3cret-results-pw';
const n = 20;
const mapping = 'results-outage';
const bound = defaultConnectTimeoutMs + defaultStatementTimeoutMs;
const lockKey = 7_313_001;

describe('a results store that fails never fails the sync', () => {
  let warehouse: Awaited<ReturnType<typeof isolatedSchema>>;
  let results: ReturnType<typeof resultsSchema>;
  let dir: string;
  let sim: RunningSimulator | undefined;

  beforeAll(async () => {
    warehouse = await isolatedSchema('results_outage');
    results = resultsSchema();
    await sql(warehouse.url, portfolioTableSql('portfolio', n));
    dir = await mkdtemp(join(tmpdir(), 'results-outage-'));
    // The shared advisory lock lets a test hold the run between its start and its rows.
    const gated = `select p.* from portfolio p, (select pg_advisory_xact_lock_shared(${lockKey})) g order by company_id`;
    await writeFile(
      join(dir, 'portfolio.yaml'),
      portfolioMapping(mapping, postgresSource(warehouse.url, gated)),
    );
  });

  afterEach(async () => {
    await sim?.close();
    sim = undefined;
  });

  afterAll(async () => {
    await warehouse?.drop();
    await results?.drop();
    await rm(dir, { recursive: true, force: true });
  });

  async function run(resultsUrl: string): Promise<{ report: RunReport; lines: string[]; extraMs: number }> {
    sim = await startSimulator({ apiKey, fixture: portfolioFixture(n) });
    const { logger, lines } = capturedLogger();
    const env = readEnv({
      AFFINITY_API_KEY: apiKey,
      AFFINITY_BASE_URL: sim.url,
      RESULTS_DATABASE_URL: resultsUrl,
      RESULTS_SCHEMA: results.schema,
    });
    const loaded = await loadMappingFile(join(dir, 'portfolio.yaml'));
    const started = Date.now();
    const report = await executeRun({ loaded, env, logger, sink: openRunSink(env, logger) });
    // Time executeRun spent outside the engine: dependencies plus the results store's wait.
    return { report, lines, extraMs: Date.now() - started - report.durationMs };
  }

  function expectSyncRight(report: RunReport): void {
    expect(report.status).toBe('succeeded');
    expect(report.rows).toMatchObject({ read: n, matched: n });
    expect(report.entries).toEqual({ updated: n, unchanged: 0, failed: 0 });
    expect(report.fields.written).toBe(n * 4);
    expect(wrongEntries(sim!, n)).toEqual([]);
    expect(Object.keys(sim!.stats().writesPerEntry)).toHaveLength(n);
    expect(sim!.stats().writesPerEntry[String(entryIdOf(1))]).toBe(1);
  }

  function expectOneWarning(lines: string[], port: number, reason: RegExp): void {
    const warnings = resultsWarnings(lines);
    expect(warnings).toHaveLength(1);
    const [warning] = warnings;
    expect(warning!['msg']).toMatch(new RegExp(`^results store postgres(ql)?://127\\.0\\.0\\.1:${port}/`));
    expect(warning!['msg']).toContain(`(schema ${results.schema})`);
    expect(warning!['msg']).toMatch(reason);
    expect(warning!['msg']).toContain('the sync goes on');
    expect(lines.join('\n')).not.toContain(password);
  }

  function resultsUrl(port: number, database = new URL(databaseUrl()).pathname.slice(1)): string {
    const url = new URL(withPort(databaseUrl(), port));
    url.username = url.username || 'postgres';
    url.password = password;
    url.pathname = `/${database}`;
    return url.toString();
  }

  it('refused connection (nothing listens): warns at once, report right, counted', async () => {
    const port = await closedPort();
    const before = await resultsFailures(mapping);
    const { report, lines, extraMs } = await run(resultsUrl(port));
    expectSyncRight(report);
    expectOneWarning(lines, port, /ECONNREFUSED.*check the host and port in RESULTS_DATABASE_URL/);
    expect(JSON.stringify(report)).not.toContain(password);
    expect(await resultsFailures(mapping)).toBe(before + 1);
    // The worker's /metrics serves it.
    const served = await new SyncMetrics({ defaultMetrics: false }).registry.metrics();
    expect(served).toContain(
      `affinity_sync_results_store_failures_total{mapping="${mapping}"} ${before + 1}`,
    );
    expect(extraMs).toBeLessThan(bound);
  });

  it('a database that accepts connections and never answers: given up within the connect timeout', async () => {
    const hole = await blackHole();
    try {
      const { report, lines, extraMs } = await run(resultsUrl(hole.port));
      expectSyncRight(report);
      expectOneWarning(lines, hole.port, /timeout/);
      expect(extraMs).toBeLessThan(defaultConnectTimeoutMs + 1500);
    } finally {
      await hole.close();
    }
  });

  it('a database that refuses (no such database): warns with what to check', async () => {
    const port = Number(new URL(databaseUrl()).port || 5432);
    const { report, lines, extraMs } = await run(resultsUrl(port, 'no_such_results_db'));
    expectSyncRight(report);
    expectOneWarning(lines, port, /no_such_results_db.*check the database name in RESULTS_DATABASE_URL/);
    expect(extraMs).toBeLessThan(bound);
  });

  it('the results database going away mid-run: the sync completes, the run row stays "running"', async () => {
    const target = new URL(databaseUrl());
    const proxy = await tcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    const gate = new pg.Client({ connectionString: databaseUrl() });
    await gate.connect();
    await gate.query('select pg_advisory_lock($1)', [lockKey]);
    try {
      const running = run(resultsUrl(proxy.port));
      // The run has begun in the store (its row is there) and waits on the gate for its rows.
      const row = await until('the run row', async () => {
        const rows = await query<{ run_id: string; status: string }>(
          databaseUrl(),
          `select run_id, status from "${results.schema}".runs where mapping = $1`,
          [mapping],
        ).catch(() => []);
        return rows[0];
      });
      expect(row.status).toBe('running');
      await proxy.cut();
      await gate.query('select pg_advisory_unlock($1)', [lockKey]);
      const { report, lines, extraMs } = await running;
      expectSyncRight(report);
      expect(report.runId).toBe(row.run_id);
      expectOneWarning(lines, proxy.port, /the connection to the results database was lost/);
      expect(extraMs).toBeLessThan(bound);
      const after = await query<{ status: string }>(
        databaseUrl(),
        `select status from "${results.schema}".runs where run_id = $1`,
        [report.runId],
      );
      expect(after).toEqual([{ status: 'running' }]);
    } finally {
      await gate.end();
      await proxy.cut().catch(() => undefined);
    }
  });
});
