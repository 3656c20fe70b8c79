import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { clearSecrets, registerSecret } from '../../src/log/secrets.js';
import { failureReport } from '../../src/queue/failure-report.js';
import { PostgresRunSink } from '../../src/results/postgres-run-sink.js';
import { ResultsReader } from '../../src/results/results-reader.js';
import type { Change } from '../../src/sync/change-log.js';
import type { RunReport } from '../../src/sync/report.js';
import type { StoredProblem } from '../../src/sync/run-sink.js';
import { capturedLogger } from '../faults/support.js';
import { databaseUrl, uniqueName } from '../support/services.js';
import { resultsSchema, resultsWarnings } from './support.js';

// The sink on its own: every change and problem handed to it lands (no cap), in order, in batches;
// text PostgreSQL cannot hold (U+0000) and registered secrets never reach the tables.

const results = resultsSchema();
afterAll(() => results.drop());

function sink(options: { batchRows?: number; highWaterRows?: number } = {}) {
  const { logger, lines } = capturedLogger();
  return {
    sink: new PostgresRunSink({ url: databaseUrl(), schema: results.schema, logger, ...options }),
    lines,
  };
}

function report(runId: string, mapping: string): RunReport {
  return {
    ...failureReport({ mapping, runId, mode: 'diff', startedAt: Date.now(), error: 'x' }),
    status: 'succeeded',
  };
}

async function read<T>(use: (reader: ResultsReader) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: databaseUrl() });
  await client.connect();
  try {
    return await use(new ResultsReader(client, results.schema));
  } finally {
    await client.end();
  }
}

const change = (i: number): Change => ({
  entryId: 10_000 + i,
  entityId: i,
  entityName: `Company ${i}`,
  fieldId: `field-${(i % 4) + 1}`,
  fieldName: 'ARR',
  before: i % 3 === 0 ? null : { amount: i },
  after: [i, `v${i}`],
  sent: [i],
});

const problem = (i: number): StoredProblem => ({
  row: i,
  key: `company_id=${i}`,
  ...(i % 2 === 0 ? { column: 'arr', value: `"x${i}"` } : {}),
  code: i % 5 === 0 ? 'rejected-value' : 'unmatched',
  reason: `reason ${i}`,
});

describe('PostgresRunSink', () => {
  it('takes every change and problem beyond the report’s cap of 1,000, in order, in batches', async () => {
    const runId = uniqueName('run');
    const mapping = uniqueName('sink');
    const { sink: s, lines } = sink({ batchRows: 700, highWaterRows: 1500 });
    s.begin({ runId, mapping, mode: 'diff', dryRun: false, startedAt: new Date().toISOString() });
    const changes = Array.from({ length: 3000 }, (_, k) => change(k + 1));
    const problems = Array.from({ length: 2500 }, (_, k) => problem(k + 1));
    // Handed over as the engine would while it runs: many batches of varying size.
    for (let i = 0; i < changes.length; i += 450) await s.changes(changes.slice(i, i + 450));
    for (let i = 0; i < problems.length; i += 1100) await s.problems(problems.slice(i, i + 1100));
    await s.finish(report(runId, mapping));
    expect(resultsWarnings(lines)).toEqual([]);

    const stored = await read((r) => r.changes(runId, 0, 10_000));
    expect(stored.total).toBe(3000);
    expect(stored.items).toEqual(changes.map(({ entryId, ...c }) => ({ listEntryId: entryId, ...c })));
    const storedProblems = await read((r) => r.problems(runId, 0, 10_000));
    expect(storedProblems.total).toBe(2500);
    expect(storedProblems.items).toEqual(problems);
    const page = await read((r) => r.problems(runId, 1000, 3));
    expect(page).toEqual({ total: 2500, offset: 1000, items: problems.slice(1000, 1003) });
  });

  it('stores U+0000 as U+FFFD and registered secrets as [redacted]', async () => {
    const runId = uniqueName('run');
    const mapping = uniqueName('sink');
    registerSecret('hunter2-results-secret');
    try {
      const { sink: s, lines } = sink();
      s.begin({ runId, mapping, mode: 'overwrite', dryRun: true, startedAt: new Date().toISOString() });
      await s.changes([
        { ...change(1), before: 'a\u0000b', after: { note: 'c\u0000d hunter2-results-secret' } },
      ]);
      await s.problems([
        { code: 'rejected-value', reason: 'bad \u0000 value hunter2-results-secret', value: '\u0000' },
      ]);
      await s.finish(report(runId, mapping));
      expect(resultsWarnings(lines)).toEqual([]);
    } finally {
      clearSecrets();
    }
    const [stored] = (await read((r) => r.changes(runId, 0, 10))).items;
    expect(stored).toMatchObject({ before: 'a\uFFFDb', after: { note: 'c\uFFFDd [redacted]' } });
    const [storedProblem] = (await read((r) => r.problems(runId, 0, 10))).items;
    expect(storedProblem).toEqual({
      code: 'rejected-value',
      reason: 'bad \uFFFD value [redacted]',
      value: '\uFFFD',
    });
  });
});

describe('PostgresRunSink, newer report fields', () => {
  it('records the run kind, the state counts, the target and every creation of the report', async () => {
    const runId = uniqueName('run');
    const mapping = uniqueName('sink');
    const { sink: s, lines } = sink();
    s.begin({ runId, mapping, mode: 'diff', dryRun: false, startedAt: new Date().toISOString() });
    const base = report(runId, mapping);
    await s.finish({
      ...base,
      target: 'companies',
      warnings: 2,
      sync: {
        kind: 'incremental',
        rowsSkipped: 950,
        entriesFlagged: 3,
        entriesReread: 3,
        feedPages: 1,
        ownChangesSkipped: 0,
        liveScanCalls: 10,
        readCalls: 6,
        callsSaved: 4,
      },
      creations: [
        {
          kind: 'company',
          id: 9001,
          via: 'check',
          row: 4,
          key: 'domain=acme.com',
          name: 'Acme',
          domain: 'acme.com',
        },
        {
          kind: 'list-entry',
          id: 77,
          via: 'response',
          row: 4,
          key: 'domain=acme.com',
          listId: 1001,
          entityId: 9001,
        },
      ],
    });
    expect(resultsWarnings(lines)).toEqual([]);
    const client = new pg.Client({ connectionString: databaseUrl() });
    await client.connect();
    try {
      const runs = await client.query(
        `select target, sync_kind, warnings, rows_skipped_by_state, entries_flagged, calls_saved
           from "${results.schema}".runs where run_id = $1`,
        [runId],
      );
      expect(runs.rows).toEqual([
        {
          target: 'companies',
          sync_kind: 'incremental',
          warnings: '2',
          rows_skipped_by_state: '950',
          entries_flagged: '3',
          calls_saved: '4',
        },
      ]);
      const creations = await client.query(
        `select kind, id, detail from "${results.schema}".creations where run_id = $1 order by seq`,
        [runId],
      );
      expect(creations.rows).toEqual([
        {
          kind: 'company',
          id: '9001',
          detail: { via: 'check', row: 4, key: 'domain=acme.com', name: 'Acme', domain: 'acme.com' },
        },
        {
          kind: 'list-entry',
          id: '77',
          detail: { via: 'response', row: 4, key: 'domain=acme.com', listId: 1001, entityId: 9001 },
        },
      ]);
    } finally {
      await client.end();
    }
  });
});
