import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readEnv } from '../../src/config/env.js';
import { loadMappingFile } from '../../src/mappings/load-mapping.js';
import { openRunSink } from '../../src/results/open-run-sink.js';
import { ResultsReader } from '../../src/results/results-reader.js';
import { type StoredRun, storedRunFromReport } from '../../src/results/stored-run.js';
import { type RunningSimulator, startSimulator } from '../../src/simulator/server.js';
import { executeRun } from '../../src/sync/execute-run.js';
import type { RunReport } from '../../src/sync/report.js';
import {
  capturedLogger,
  portfolioFixture,
  portfolioMapping,
  portfolioTableSql,
  postgresSource,
  sql,
} from '../faults/support.js';
import { databaseUrl, isolatedSchema } from '../support/services.js';
import { query, resultsSchema, resultsWarnings } from './support.js';

// Runs against the simulator and a Postgres warehouse with RESULTS_DATABASE_URL set: every run is
// one `runs` row whose counts are the report's, its changes and its problems are rows.

const apiKey = 'sk-results-store-5c2e9a';
const n = 12;
// Companies 9..12 already hold the warehouse's values; company 2's stage is not an option; company
// 999 is on no list entry.
const warehouseQuery = `select company_id, arr, sector, last_funding,
    case when company_id = 2 then 'Series Z' else stage end as stage from portfolio
  union all select 999, 1.5, 'none', date '2024-01-01', 'Seed'
  order by company_id`;

describe('the results store, written by every run', () => {
  let warehouse: Awaited<ReturnType<typeof isolatedSchema>>;
  let results: ReturnType<typeof resultsSchema>;
  let dir: string;
  let sim: RunningSimulator;

  beforeAll(async () => {
    warehouse = await isolatedSchema('results_wh');
    results = resultsSchema();
    await sql(warehouse.url, portfolioTableSql('portfolio', n));
    dir = await mkdtemp(join(tmpdir(), 'results-store-'));
    await writeFile(
      join(dir, 'portfolio.yaml'),
      portfolioMapping('results-portfolio', postgresSource(warehouse.url, JSON.stringify(warehouseQuery))),
    );
    sim = await startSimulator({ apiKey, fixture: portfolioFixture(n, (i) => i > 8) });
  });

  afterAll(async () => {
    await sim?.close();
    await warehouse?.drop();
    await results?.drop();
    await rm(dir, { recursive: true, force: true });
  });

  async function run(options: { dryRun?: boolean } = {}): Promise<{ report: RunReport; lines: string[] }> {
    const { logger, lines } = capturedLogger();
    const env = readEnv({
      AFFINITY_API_KEY: apiKey,
      AFFINITY_BASE_URL: sim.url,
      RESULTS_DATABASE_URL: databaseUrl(),
      RESULTS_SCHEMA: results.schema,
    });
    const loaded = await loadMappingFile(join(dir, 'portfolio.yaml'));
    const report = await executeRun({ loaded, env, logger, sink: openRunSink(env, logger), ...options });
    return { report, lines };
  }

  async function reader<T>(use: (reader: ResultsReader) => Promise<T>): Promise<T> {
    const client = new pg.Client({ connectionString: databaseUrl() });
    await client.connect();
    try {
      return await use(new ResultsReader(client, results.schema));
    } finally {
      await client.end();
    }
  }

  /** What the `runs` row must say: the report's counts, status, times and error. */
  function expectedRun(report: RunReport, changes: number): StoredRun {
    return { ...storedRunFromReport(report), changes, problems: report.problems.length };
  }

  const pairsOf = (changes: ReadonlyArray<{ entryId?: number; listEntryId?: number; fieldId: string }>) =>
    changes.map((c) => `${c.entryId ?? c.listEntryId}/${c.fieldId}`).sort();

  it('stores a dry run, then two real runs: one row each with the report’s counts, the last with 0 changes', async () => {
    const dry = await run({ dryRun: true });
    const first = await run();
    const second = await run();

    expect(dry.report.changes).toHaveLength(8 * 4 - 1);
    expect(first.report.status).toBe('partial');
    expect(first.report.fields.written).toBe(8 * 4 - 1);
    expect(second.report.fields.written).toBe(0);
    for (const { lines } of [dry, first, second]) expect(resultsWarnings(lines)).toEqual([]);

    const runs = await reader((r) => r.recentRuns('results-portfolio', 10));
    expect(runs.map((r) => r.runId)).toEqual([second, first, dry].map((r) => r.report.runId));
    const [secondRow, firstRow, dryRow] = runs;
    expect(dryRow).toEqual(expectedRun(dry.report, dry.report.changes!.length));
    // Real runs' reports have no `changes` yet (issue 13.1): the engine's hand-over fills them in.
    expect(firstRow).toEqual(expectedRun(first.report, first.report.changes?.length ?? 0));
    expect(secondRow).toEqual(expectedRun(second.report, 0));

    // The dry run's changes are exactly the (entry, field) pairs the real run then wrote.
    const written = sim
      .stats()
      .patches.flatMap((p) =>
        (p.body as { updates: Array<{ id: string }> }).updates.map((u) => `${p.listEntryId}/${u.id}`),
      )
      .sort();
    const dryChanges = await reader((r) => r.changes(dry.report.runId, 0, 1000));
    expect(pairsOf(dryChanges.items)).toEqual(written);
    expect(dryChanges.items).toEqual(
      dry.report.changes!.map((c) => ({
        listEntryId: c.entryId,
        entityId: c.entityId,
        ...(c.entityName === undefined ? {} : { entityName: c.entityName }),
        fieldId: c.fieldId,
        fieldName: c.fieldName,
        before: c.before ?? null,
        after: c.after ?? null,
        sent: c.sent ?? null,
      })),
    );

    // Problems: the rejected stage and the unmatched company, in the report's order, on every run.
    for (const { report } of [dry, first, second]) {
      const problems = await reader((r) => r.problems(report.runId, 0, 1000));
      expect(problems.items).toEqual(
        report.problems.map((p) => ({
          ...('code' in p && typeof p.code === 'string' ? { code: p.code } : {}),
          ...(p.row === undefined ? {} : { row: p.row }),
          ...(p.key === undefined ? {} : { key: p.key }),
          ...(p.column === undefined ? {} : { column: p.column }),
          ...(p.entryId === undefined ? {} : { listEntryId: p.entryId }),
          ...(p.value === undefined ? {} : { value: p.value }),
          reason: p.reason,
        })),
      );
      expect(problems.items.map((p) => p.key).sort()).toEqual(['company_id=2', 'company_id=999']);
    }
  });

  it('stores exactly the (entry, field) pairs the simulator recorded as written by a real run', async () => {
    await sim.close();
    sim = await startSimulator({ apiKey, fixture: portfolioFixture(n, (i) => i > 8) });
    const { report } = await run();
    const written = sim
      .stats()
      .patches.flatMap((p) =>
        (p.body as { updates: Array<{ id: string }> }).updates.map((u) => `${p.listEntryId}/${u.id}`),
      )
      .sort();
    expect(written).toHaveLength(8 * 4 - 1);
    const stored = await reader((r) => r.changes(report.runId, 0, 1000));
    expect(pairsOf(stored.items)).toEqual(written);
  });

  it('records a run that ended in a configuration error as failed, with the reason', async () => {
    const bad = join(dir, 'bad-field.yaml');
    await writeFile(
      bad,
      portfolioMapping('results-bad', postgresSource(warehouse.url, 'select * from portfolio')).replace(
        'sector: Sector',
        'sector: Sectr',
      ),
    );
    const { logger } = capturedLogger();
    const env = readEnv({
      AFFINITY_API_KEY: apiKey,
      AFFINITY_BASE_URL: sim.url,
      RESULTS_DATABASE_URL: databaseUrl(),
      RESULTS_SCHEMA: results.schema,
    });
    await expect(
      executeRun({ loaded: await loadMappingFile(bad), env, logger, sink: openRunSink(env, logger) }),
    ).rejects.toThrow(/Sectr/);
    const rows = await query<{ status: string; error: string; rows_read: string | null }>(
      databaseUrl(),
      `select status, error, rows_read from "${results.schema}".runs where mapping = 'results-bad'`,
    );
    expect(rows).toEqual([{ status: 'failed', error: expect.stringContaining('Sectr'), rows_read: null }]);
  });
});
