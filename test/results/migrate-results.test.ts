import { spawn } from 'node:child_process';
import { join } from 'node:path';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { migrateResults, resultsSchemaVersion } from '../../src/results/migrate-results.js';
import { latestVersion } from '../../src/results/results-tables.js';
import { databaseUrl } from '../support/services.js';
import { until } from '../support/until.js';
import { query, resultsSchema } from './support.js';

// The results schema is created on first use, by whichever process gets there first; the others
// wait on the advisory lock and find it done.

const fixture = join(import.meta.dirname, 'fixtures', 'migrate-once.ts');

describe('results schema migrations', () => {
  const drops: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const drop of drops.splice(0)) await drop();
  });

  function freshSchema(): string {
    const { schema, drop } = resultsSchema();
    drops.push(drop);
    return schema;
  }

  async function tablesOf(schema: string): Promise<string[]> {
    const rows = await query<{ table_name: string }>(
      databaseUrl(),
      'select table_name from information_schema.tables where table_schema = $1 order by 1',
      [schema],
    );
    return rows.map((r) => r.table_name);
  }

  async function versionsOf(schema: string): Promise<number[]> {
    const rows = await query<{ version: number }>(
      databaseUrl(),
      `select version from "${schema}".schema_version order by version`,
    );
    return rows.map((r) => r.version);
  }

  it('creates the schema once and is a no-op after', async () => {
    const schema = freshSchema();
    const client = new pg.Client({ connectionString: databaseUrl() });
    await client.connect();
    try {
      expect(await resultsSchemaVersion(client, schema)).toBe(0);
      await migrateResults(client, schema);
      await migrateResults(client, schema);
      expect(await resultsSchemaVersion(client, schema)).toBe(latestVersion);
    } finally {
      await client.end();
    }
    expect(await tablesOf(schema)).toEqual(['changes', 'creations', 'problems', 'runs', 'schema_version']);
    expect(await versionsOf(schema)).toEqual([1]);
  });

  it('six connections migrating one fresh schema at once: one schema, no error', async () => {
    const schema = freshSchema();
    const clients = Array.from({ length: 6 }, () => new pg.Client({ connectionString: databaseUrl() }));
    await Promise.all(clients.map((c) => c.connect()));
    try {
      const outcomes = await Promise.allSettled(clients.map((c) => migrateResults(c, schema)));
      expect(outcomes.filter((o) => o.status === 'rejected')).toEqual([]);
    } finally {
      await Promise.all(clients.map((c) => c.end()));
    }
    expect(await tablesOf(schema)).toEqual(['changes', 'creations', 'problems', 'runs', 'schema_version']);
    expect(await versionsOf(schema)).toEqual([1]);
  });

  it('two processes migrating one fresh schema at once: one schema, both exit 0', async () => {
    const schema = freshSchema();
    const children = [0, 1].map(() => {
      const child = spawn(process.execPath, ['--import', 'tsx', fixture, databaseUrl(), schema], {
        stdio: ['pipe', 'pipe', 'inherit'],
      });
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
      });
      const exit = new Promise<number | null>((resolve) => child.once('close', resolve));
      return { child, output: () => out, exit };
    });
    // Both connected before either starts: the migrations overlap.
    await until('both processes connected', () => children.every((c) => c.output().includes('ready')));
    for (const { child } of children) child.stdin.write('go\n');
    const codes = await Promise.all(children.map((c) => c.exit));
    expect(children.map((c) => c.output())).toEqual(['ready\nmigrated\n', 'ready\nmigrated\n']);
    expect(codes).toEqual([0, 0]);
    expect(await tablesOf(schema)).toEqual(['changes', 'creations', 'problems', 'runs', 'schema_version']);
    expect(await versionsOf(schema)).toEqual([1]);
  });

  it('migrates into a schema created beforehand by an administrator', async () => {
    const schema = freshSchema();
    await query(databaseUrl(), `create schema "${schema}"`);
    const client = new pg.Client({ connectionString: databaseUrl() });
    await client.connect();
    try {
      await migrateResults(client, schema);
    } finally {
      await client.end();
    }
    expect(await versionsOf(schema)).toEqual([1]);
  });
});
