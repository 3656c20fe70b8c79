import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { warehouseSql } from './dataset.js';

/** One benchmark's warehouse: a dedicated schema holding table `warehouse`. */
export interface Warehouse {
  schema: string;
  /** Connection URL for mappings (the admin URL; queries name the schema). */
  url: string;
  /** Qualified table name for queries, e.g. `"bench_ab12"."warehouse"`. */
  table: string;
  drop(): Promise<void>;
}

/** Creates a fresh schema and fills `warehouse` with `rows` rows (see warehouseSql). */
export async function createWarehouse(
  url: string,
  rows: number,
  changedEvery: number,
  namespace = 'bench',
): Promise<Warehouse> {
  const schema = `${namespace}_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const table = `"${schema}"."warehouse"`;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`create schema "${schema}"`);
    await client.query(warehouseSql(table, rows, changedEvery));
    await client.query(`analyze ${table}`);
  } finally {
    await client.end();
  }
  return {
    schema,
    url,
    table,
    async drop() {
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      try {
        await admin.query(`drop schema if exists "${schema}" cascade`);
      } finally {
        await admin.end();
      }
    },
  };
}
