import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoCompanies, demoRows, demoSeed } from '../../src/demo/demo-rows.js';
import { sampleCsvPath, toCsv, toSeedSql, warehouseSeedPath } from '../../src/demo/sample-files.js';
import { loadMappingFile } from '../../src/mappings/load-mapping.js';
import { generateFixture } from '../../src/simulator/generate.js';
import { openSource } from '../../src/sources/open-source.js';
import type { Row } from '../../src/sources/source.js';
import { normalizeDomain } from '../../src/sync/domain.js';
import { isolatedSchema } from '../support/services.js';

const root = join(import.meta.dirname, '..', '..');
const regenerate = 'regenerate them with `npx tsx src/demo/write-sample-data.ts`';

async function readAll(rows: AsyncIterable<Row>): Promise<Row[]> {
  const all: Row[] = [];
  for await (const row of rows) all.push(row);
  return all;
}

describe('sample data', () => {
  it('the committed CSV and seed SQL are what the generator makes from the simulator’s portfolio', () => {
    const rows = demoRows();
    expect(readFileSync(join(root, sampleCsvPath), 'utf8'), regenerate).toBe(toCsv(rows));
    expect(readFileSync(join(root, warehouseSeedPath), 'utf8'), regenerate).toBe(toSeedSql(rows));
  });

  it('holds the rows the demo report must show, and every other row finds a company', () => {
    const rows = demoRows();
    const fixture = generateFixture({ companies: demoCompanies, seed: demoSeed });
    const ids = new Set(fixture.companies.map((c) => c.id));
    const domains = new Set(fixture.companies.flatMap((c) => c.domains ?? []));
    const unmatched = rows.filter(
      (r) =>
        !(r.company_id !== null && ids.has(r.company_id)) &&
        !domains.has(normalizeDomain(r.domain ?? '') ?? ''),
    );
    expect(unmatched.map((r) => r.domain)).toEqual(['quietfield-robotics.example']);
    expect(rows.filter((r) => r.stage === 'Series Z')).toHaveLength(1);
    const byId = rows.filter((r) => r.company_id !== null).map((r) => r.company_id);
    expect(byId.length - new Set(byId).size, 'one company twice').toBe(1);
    const messy = rows.map((r) => r.domain ?? '').filter((d) => d !== '' && normalizeDomain(d) !== d);
    expect(messy).toEqual([
      'COBALTENERGY.COM',
      'https://www.vertexcommerce.com/about',
      'quartznetworks.com.',
      'http://meridiananalytics.ai:443/?utm_source=crm',
    ]);
  });

  it('embedded DuckDB reads the CSV through the example mapping’s own query with the intended types', async () => {
    const { mapping } = await loadMappingFile(join(root, 'mappings', 'example-portfolio.yaml'), {});
    const source = openSource(mapping.source);
    try {
      const kinds = Object.fromEntries((await source.describe()).map((c) => [c.name, c.kind]));
      expect(kinds).toEqual({
        company_id: 'number',
        domain: 'text',
        arr: 'number',
        headcount: 'number',
        stage: 'text',
        health: 'text',
        last_funding: 'date',
        notes: 'text',
      });
      const rows = await readAll(source.rows());
      expect(rows).toHaveLength(demoRows().length);
      expect(rows[1]).toMatchObject({
        company_id: null,
        domain: 'embernetworks.ai',
        last_funding: '2024-02-08',
      });
    } finally {
      await source.close();
    }
  });

  describe('the warehouse seed in PostgreSQL', () => {
    let schema: Awaited<ReturnType<typeof isolatedSchema>>;
    beforeAll(async () => {
      schema = await isolatedSchema('seed');
    });
    afterAll(() => schema.drop());

    it('loads, and the example-warehouse query reads every row back', async () => {
      // The seed names its schema `analytics`; here it goes to this file's own schema.
      const sql = readFileSync(join(root, warehouseSeedPath), 'utf8').replace(
        /\banalytics(?=[.;])/g,
        schema.schema,
      );
      const client = new pg.Client({ connectionString: schema.url });
      await client.connect();
      try {
        await client.query(sql);
      } finally {
        await client.end();
      }
      const { mapping } = await loadMappingFile(join(root, 'mappings', 'example-warehouse.yaml'), {
        WAREHOUSE_URL: schema.url,
      });
      if (mapping.source.type !== 'postgres') throw new Error('example-warehouse must read postgres');
      const source = openSource({
        ...mapping.source,
        query: mapping.source.query.replace('analytics.', `${schema.schema}.`),
      });
      try {
        const rows = await readAll(source.rows());
        expect(rows).toHaveLength(demoRows().length);
        expect(rows.find((r) => r['stage'] === 'Series Z')).toMatchObject({ last_funding: '2024-02-29' });
      } finally {
        await source.close();
      }
    });
  });
});
