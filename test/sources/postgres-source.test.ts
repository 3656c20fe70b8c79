import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clearSecrets } from '../../src/log/secrets.js';
import { openSource } from '../../src/sources/open-source.js';
import { PostgresSource } from '../../src/sources/postgres-source.js';
import { SourceError } from '../../src/sources/source.js';
import { closedPort } from '../support/free-port.js';
import { isolatedSchema, uniqueName } from '../support/services.js';
import { until } from '../support/until.js';
import { consumeMeasuringHeap } from './heap-probe.js';
import { startPgAuthRejectingStub } from './pg-auth-stub.js';

const run = promisify(execFile);

let db: Awaited<ReturnType<typeof isolatedSchema>>;
let admin: pg.Client;

function withAppName(url: string, name: string): string {
  const u = new URL(url);
  u.searchParams.set('application_name', name);
  return u.toString();
}

async function backends(appName: string): Promise<number> {
  const { rows } = await admin.query<{ n: number }>(
    'select count(*)::int as n from pg_stat_activity where application_name = $1',
    [appName],
  );
  return rows[0]?.n ?? -1;
}

/** The server drops a backend shortly after the client hangs up: poll until none is left, with a deadline. */
async function backendsGone(appName: string, deadlineMs = 5000): Promise<number> {
  try {
    return await until(
      'the server to drop the backend',
      async () => ((await backends(appName)) === 0 ? 0 : undefined),
      deadlineMs,
    );
  } catch {
    return backends(appName);
  }
}

async function failure(promise: Promise<unknown>): Promise<SourceError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(SourceError);
    return error as SourceError;
  }
  throw new Error('expected a SourceError');
}

async function drain(source: { rows(): AsyncIterable<unknown> }): Promise<number> {
  let n = 0;
  for await (const _ of source.rows()) n++;
  return n;
}

beforeAll(async () => {
  db = await isolatedSchema('src_pg');
  admin = new pg.Client({ connectionString: db.url });
  await admin.connect();
  await admin.query(`
    create table metrics (
      id int8, amount numeric, day date, at timestamptz, plain_at timestamp, doc jsonb,
      tags text[], amounts numeric[], days date[], flag boolean, name text, ratio float8
    );
    insert into metrics values (
      9007199254740993, 12345678901234567890.123, '2024-01-15', '2024-01-15T10:00:00Z',
      '2024-01-15 10:00:00', '{"a": [1, "x"], "b": null}', '{red,blue}',
      '{12345678901234567890.123,1}', '{2024-01-15,2024-12-31}', true, 'Acme', 0.5
    );
  `);
});

afterAll(async () => {
  await admin.end();
  await db.drop();
  clearSecrets();
});

describe('PostgresSource', () => {
  it('hands values over without precision loss', async () => {
    const source = openSource({ type: 'postgres', url: db.url, query: 'select * from metrics' }, {});
    const rows = [];
    for await (const row of source.rows()) rows.push(row);
    expect(rows).toEqual([
      {
        id: '9007199254740993',
        amount: '12345678901234567890.123',
        day: '2024-01-15',
        at: new Date('2024-01-15T10:00:00Z'),
        plain_at: new Date('2024-01-15T10:00:00Z'),
        doc: { a: [1, 'x'], b: null },
        tags: ['red', 'blue'],
        amounts: ['12345678901234567890.123', '1'],
        days: ['2024-01-15', '2024-12-31'],
        flag: true,
        name: 'Acme',
        ratio: 0.5,
      },
    ]);
  });

  it('describes the result columns without reading rows', async () => {
    const appName = uniqueName('describe');
    const source = openSource(
      { type: 'postgres', url: withAppName(db.url, appName), query: 'select * from metrics;\n' },
      {},
    );
    const columns = await source.describe();
    await source.close();
    expect(columns).toEqual([
      { name: 'id', kind: 'number', nativeType: 'bigint' },
      { name: 'amount', kind: 'number', nativeType: 'numeric' },
      { name: 'day', kind: 'date', nativeType: 'date' },
      { name: 'at', kind: 'timestamp', nativeType: 'timestamp with time zone' },
      { name: 'plain_at', kind: 'timestamp', nativeType: 'timestamp without time zone' },
      { name: 'doc', kind: 'json', nativeType: 'jsonb' },
      { name: 'tags', kind: 'array', nativeType: 'text[]' },
      { name: 'amounts', kind: 'array', nativeType: 'numeric[]' },
      { name: 'days', kind: 'array', nativeType: 'date[]' },
      { name: 'flag', kind: 'boolean', nativeType: 'boolean' },
      { name: 'name', kind: 'text', nativeType: 'text' },
      { name: 'ratio', kind: 'number', nativeType: 'double precision' },
    ]);
    expect(await backendsGone(appName)).toBe(0);
  });

  it('keeps a DATE on its calendar day under TZ=Asia/Tokyo', async () => {
    const config = { type: 'postgres', url: db.url, query: 'select day, days from metrics' };
    const { stdout } = await run(
      process.execPath,
      ['--import', 'tsx', 'test/sources/print-rows.ts', JSON.stringify(config)],
      {
        env: { ...process.env, TZ: 'Asia/Tokyo' },
      },
    );
    expect(JSON.parse(stdout)).toEqual({
      tz: 'Asia/Tokyo',
      rows: [{ day: '2024-01-15', days: ['2024-01-15', '2024-12-31'] }],
    });
  });

  it('streams 200,000 rows with bounded heap and closes the connection', async () => {
    const appName = uniqueName('stream');
    const source = new PostgresSource(
      {
        type: 'postgres',
        url: withAppName(db.url, appName),
        query: `select g as id, g::numeric * 1.5 as amount, repeat('x', 100) as pad
                  from generate_series(1, 200000) g`,
      },
      { batchSize: 1000 },
    );
    const { count, peakGrowthMb } = await consumeMeasuringHeap(source.rows(), {
      check: (row, i) => {
        if (row['id'] !== i + 1) throw new Error(`row ${i} out of order: ${String(row['id'])}`);
      },
    });
    expect(count).toBe(200_000);
    console.info(`postgres: 200,000 rows, peak retained heap growth ${peakGrowthMb.toFixed(1)} MB`);
    expect(peakGrowthMb).toBeLessThan(64);
    expect(source.connected).toBe(false);
    expect(await backendsGone(appName)).toBe(0);
  });

  it('closes the connection when the consumer stops early', async () => {
    const appName = uniqueName('early');
    const source = new PostgresSource(
      {
        type: 'postgres',
        url: withAppName(db.url, appName),
        query: 'select g from generate_series(1, 200000) g',
      },
      { batchSize: 100 },
    );
    let seen = 0;
    for await (const _ of source.rows()) {
      if (seen === 0) expect(await backends(appName)).toBe(1);
      if (++seen === 10) break;
    }
    expect(seen).toBe(10);
    expect(source.connected).toBe(false);
    expect(await backendsGone(appName)).toBe(0);
  });

  it('reports bad SQL with the server message and code, and closes the connection', async () => {
    const appName = uniqueName('badsql');
    const source = new PostgresSource(
      { type: 'postgres', url: withAppName(db.url, appName), query: 'select * from analytics_missing' },
      { mappingName: 'portfolio-metrics' },
    );
    const error = await failure(drain(source));
    expect(error.message).toBe(
      'mapping "portfolio-metrics": postgres query failed: relation "analytics_missing" does not exist (42P01)',
    );
    expect(error.sourceType).toBe('postgres');
    expect(source.connected).toBe(false);
    expect(await backendsGone(appName)).toBe(0);
    const describeError = await failure(
      openSource(
        { type: 'postgres', url: db.url, query: 'select nope from metrics' },
        { mappingName: 'portfolio-metrics' },
      ).describe(),
    );
    expect(describeError.message).toBe(
      'mapping "portfolio-metrics": postgres query failed: column "nope" does not exist (42703)',
    );
  });

  it('reports a refused connection without the password', async () => {
    const port = await closedPort();
    const source = openSource(
      {
        type: 'postgres',
        url: `postgres://bob:hunter2-secret@127.0.0.1:${port}/warehouse`,
        query: 'select 1',
      },
      { mappingName: 'portfolio-metrics' },
    );
    const error = await failure(drain(source));
    expect(error.message).toBe(
      `mapping "portfolio-metrics": cannot connect to postgres at 127.0.0.1:${port}: connection refused (ECONNREFUSED); check the host and port in source.url and that the server is running`,
    );
  });

  it('reports a wrong password without the password', async () => {
    const stub = await startPgAuthRejectingStub();
    try {
      const source = openSource(
        {
          type: 'postgres',
          url: `postgres://bob:wrong-pass-1234@127.0.0.1:${stub.port}/warehouse`,
          query: 'select 1',
        },
        { mappingName: 'portfolio-metrics' },
      );
      const error = await failure(source.describe());
      expect(error.message).toBe(
        `mapping "portfolio-metrics": postgres login failed at 127.0.0.1:${stub.port}: password authentication failed for user "bob" (28P01); check the user and password in source.url`,
      );
      expect(error.message).not.toContain('wrong-pass-1234');
      await source.close();
    } finally {
      await stub.close();
    }
  });

  it('reports an unknown host', async () => {
    const source = openSource(
      { type: 'postgres', url: 'postgres://bob:pw-secret-9@warehouse.invalid:5432/db', query: 'select 1' },
      { mappingName: 'portfolio-metrics' },
    );
    const error = await failure(drain(source));
    expect(error.message).toMatch(
      /^mapping "portfolio-metrics": cannot connect to postgres: host "warehouse\.invalid" not found \((ENOTFOUND|EAI_AGAIN)\); check the host in source\.url$/,
    );
  });
});
