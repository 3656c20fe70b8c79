import type pg from 'pg';
import { latestVersion, migrations, quoteIdent } from './results-tables.js';

// First argument of the two-key advisory lock ('afsy'), so our locks never meet another app's.
const lockClass = 0x61667379;

/** The version the results schema is at: 0 when the schema or its version table does not exist. */
export async function resultsSchemaVersion(client: pg.ClientBase, schema: string): Promise<number> {
  const table = `${quoteIdent(schema)}.schema_version`;
  const exists = await client.query<{ found: boolean }>('select to_regclass($1) is not null as found', [
    table,
  ]);
  if (!exists.rows[0]?.found) return 0;
  const { rows } = await client.query<{ v: number }>(
    `select coalesce(max(version), 0)::int as v from ${table}`,
  );
  return rows[0]?.v ?? 0;
}

/**
 * Creates or migrates the results schema to the latest version. Safe when several processes start
 * at once: each takes a transaction-scoped advisory lock on the schema's name, so one migrates and
 * the others then find nothing to do. A schema already at the latest version costs two reads.
 */
export async function migrateResults(client: pg.ClientBase, schema: string): Promise<void> {
  if ((await resultsSchemaVersion(client, schema)) >= latestVersion) return;
  const s = quoteIdent(schema);
  await client.query('begin');
  try {
    await client.query('select pg_advisory_xact_lock($1, hashtext($2))', [lockClass, schema]);
    // CREATE SCHEMA IF NOT EXISTS needs CREATE on the database even when the schema exists.
    const found = await client.query('select 1 from pg_namespace where nspname = $1', [schema]);
    if (found.rowCount === 0) await client.query(`create schema ${s}`);
    await client.query(
      `create table if not exists ${s}.schema_version (
         version integer primary key,
         description text not null,
         applied_at timestamptz not null default now()
       )`,
    );
    const at = await resultsSchemaVersion(client, schema);
    for (const migration of migrations) {
      if (migration.version <= at) continue;
      await client.query(migration.sql(s));
      await client.query(`insert into ${s}.schema_version (version, description) values ($1, $2)`, [
        migration.version,
        migration.description,
      ]);
    }
    await client.query('commit');
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  }
}
