import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckdbSource } from '../../src/sources/duckdb-source.js';
import { openSource } from '../../src/sources/open-source.js';
import { SourceError } from '../../src/sources/source.js';
import { consumeMeasuringHeap } from './heap-probe.js';

const run = promisify(execFile);

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'duckdb-source-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function failure(promise: Promise<unknown>): Promise<SourceError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(SourceError);
    return error as SourceError;
  }
  throw new Error('expected a SourceError');
}

const typedQuery = `select
  9007199254740993::bigint as id,
  12345678901234567890.123::decimal(38,3) as amount,
  170141183460469231731687303715884105727::hugeint as huge,
  date '2024-01-15' as day,
  timestamptz '2024-01-15 10:00:00+00' as at,
  timestamp '2024-01-15 10:00:00' as plain_at,
  '{"a": [1, "x"]}'::json as doc,
  ['red', 'blue'] as tags,
  true as flag,
  'Acme' as name,
  0.5::double as ratio,
  42::integer as small,
  null::varchar as nothing`;

describe('DuckdbSource', () => {
  it('hands values over without precision loss', async () => {
    const source = openSource({ type: 'duckdb', query: typedQuery }, {});
    const rows = [];
    for await (const row of source.rows()) rows.push(row);
    expect(rows).toEqual([
      {
        id: '9007199254740993',
        amount: '12345678901234567890.123',
        huge: '170141183460469231731687303715884105727',
        day: '2024-01-15',
        at: new Date('2024-01-15T10:00:00Z'),
        plain_at: new Date('2024-01-15T10:00:00Z'),
        doc: { a: [1, 'x'] },
        tags: ['red', 'blue'],
        flag: true,
        name: 'Acme',
        ratio: 0.5,
        small: 42,
        nothing: null,
      },
    ]);
  });

  it('describes the result columns without running the query', async () => {
    const source = openSource({ type: 'duckdb', query: typedQuery }, {});
    const columns = await source.describe();
    await source.close();
    expect(columns).toEqual([
      { name: 'id', kind: 'number', nativeType: 'BIGINT' },
      { name: 'amount', kind: 'number', nativeType: 'DECIMAL(38,3)' },
      { name: 'huge', kind: 'number', nativeType: 'HUGEINT' },
      { name: 'day', kind: 'date', nativeType: 'DATE' },
      { name: 'at', kind: 'timestamp', nativeType: 'TIMESTAMP WITH TIME ZONE' },
      { name: 'plain_at', kind: 'timestamp', nativeType: 'TIMESTAMP' },
      { name: 'doc', kind: 'json', nativeType: 'JSON' },
      { name: 'tags', kind: 'array', nativeType: 'VARCHAR[]' },
      { name: 'flag', kind: 'boolean', nativeType: 'BOOLEAN' },
      { name: 'name', kind: 'text', nativeType: 'VARCHAR' },
      { name: 'ratio', kind: 'number', nativeType: 'DOUBLE' },
      { name: 'small', kind: 'number', nativeType: 'INTEGER' },
      { name: 'nothing', kind: 'text', nativeType: 'VARCHAR' },
    ]);
  });

  it('reads a CSV file with exact numbers and dates', async () => {
    const source = openSource(
      {
        type: 'duckdb',
        query: `select * from read_csv('test/sources/fixtures/metrics.csv',
                  columns = {'company_id': 'BIGINT', 'domain': 'VARCHAR', 'arr': 'DECIMAL(38,3)', 'last_funding': 'DATE'})`,
      },
      {},
    );
    const rows = [];
    for await (const row of source.rows()) rows.push(row);
    expect(rows).toEqual([
      {
        company_id: '9007199254740993',
        domain: 'acme.com',
        arr: '12345678901234567890.123',
        last_funding: '2024-01-15',
      },
      { company_id: '42', domain: 'globex.com', arr: '1.500', last_funding: '2023-12-31' },
    ]);
  });

  it('reads a database file given by path, read-only', async () => {
    const path = join(dir, 'warehouse.duckdb');
    const writer = await DuckDBInstance.create(path);
    const connection = await DuckDBConnection.create(writer);
    await connection.run("create table t as select 1 as a, 'x' as b");
    connection.closeSync();
    writer.closeSync();
    const source = openSource({ type: 'duckdb', path, query: 'select * from t' }, {});
    const rows = [];
    for await (const row of source.rows()) rows.push(row);
    expect(rows).toEqual([{ a: 1, b: 'x' }]);
  });

  it('reports a database file that does not exist', async () => {
    const path = join(dir, 'missing.duckdb');
    const source = openSource(
      { type: 'duckdb', path, query: 'select 1' },
      { mappingName: 'portfolio-metrics' },
    );
    const error = await failure(source.describe());
    await source.close();
    expect(error.message).toBe(
      `mapping "portfolio-metrics": cannot open duckdb database "${path}": IO Error: Cannot open database "${path}" in read-only mode: database does not exist`,
    );
  });

  it('keeps a DATE on its calendar day under TZ=Asia/Tokyo', async () => {
    const config = { type: 'duckdb', query: "select date '2024-01-15' as day" };
    const { stdout } = await run(
      process.execPath,
      ['--import', 'tsx', 'test/sources/print-rows.ts', JSON.stringify(config)],
      { env: { ...process.env, TZ: 'Asia/Tokyo' } },
    );
    expect(JSON.parse(stdout)).toEqual({ tz: 'Asia/Tokyo', rows: [{ day: '2024-01-15' }] });
  });

  it('streams 200,000 rows with bounded heap and closes the connection', async () => {
    const source = new DuckdbSource(
      {
        type: 'duckdb',
        query: `select range as id, (range * 1.5)::decimal(18,1) as amount, repeat('x', 100) as pad
                  from range(200000)`,
      },
      {},
    );
    const { count, peakGrowthMb } = await consumeMeasuringHeap(source.rows(), {
      check: (row, i) => {
        if (row['id'] !== String(i)) throw new Error(`row ${i} out of order: ${String(row['id'])}`);
      },
    });
    expect(count).toBe(200_000);
    console.info(`duckdb: 200,000 rows, peak retained heap growth ${peakGrowthMb.toFixed(1)} MB`);
    expect(peakGrowthMb).toBeLessThan(64);
    expect(source.connected).toBe(false);
  });

  it('closes the connection when the consumer stops early', async () => {
    const source = new DuckdbSource({ type: 'duckdb', query: 'select range as id from range(200000)' }, {});
    let seen = 0;
    for await (const _ of source.rows()) {
      expect(source.connected).toBe(true);
      if (++seen === 10) break;
    }
    expect(seen).toBe(10);
    expect(source.connected).toBe(false);
  });

  it('reports bad SQL and closes the connection', async () => {
    const source = new DuckdbSource(
      { type: 'duckdb', query: 'select * from analytics_missing' },
      { mappingName: 'portfolio-metrics' },
    );
    const error = await failure(
      (async () => {
        for await (const _ of source.rows()) {
          // unreachable
        }
      })(),
    );
    expect(error.message.split('\n')[0]).toBe(
      'mapping "portfolio-metrics": duckdb query failed: Catalog Error: Table with name analytics_missing does not exist!',
    );
    expect(error.sourceType).toBe('duckdb');
    expect(source.connected).toBe(false);
  });

  it('reports a missing CSV file', async () => {
    const source = openSource(
      { type: 'duckdb', query: "select * from read_csv('test/sources/fixtures/nope.csv')" },
      { mappingName: 'portfolio-metrics' },
    );
    const error = await failure(source.describe());
    await source.close();
    expect(error.message).toBe(
      'mapping "portfolio-metrics": duckdb query failed: IO Error: No files found that match the pattern "test/sources/fixtures/nope.csv"\n\n' +
        "LINE 1: select * from read_csv('test/sources/fixtures/nope.csv')\n" +
        '                      ^',
    );
  });
});
