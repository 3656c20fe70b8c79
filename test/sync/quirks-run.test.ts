import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readEnv } from '../../src/config/env.js';
import { createLogger } from '../../src/log/logger.js';
import { loadMappingFile } from '../../src/mappings/load-mapping.js';
import { type RunningSimulator, startSimulator } from '../../src/simulator/server.js';
import { executeRun } from '../../src/sync/execute-run.js';
import type { RunReport } from '../../src/sync/report.js';
import { quirksFixture } from '../simulator/support.js';
import { isolatedSchema } from '../support/services.js';

// A run against responses the 2026-07-15 document allows: a mapped field of type "hidden" and
// list-entry pages whose data is null. It skips the hidden field, reports it, and succeeds.

describe('a run against a hidden field and null pages', () => {
  let sim: RunningSimulator;
  let db: Awaited<ReturnType<typeof isolatedSchema>>;
  let dir: string;

  beforeAll(async () => {
    db = await isolatedSchema('quirks');
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    await client.query(`create table deals (company_id bigint, arr numeric, terms text);
      insert into deals values (1, 20, 'new terms'), (2, 30, null);`);
    await client.end();
    dir = await mkdtemp(join(tmpdir(), 'quirks-'));
    await writeFile(
      join(dir, 'deals.yaml'),
      `name: restricted-deals\nsource:\n  type: postgres\n  url: ${db.url}\n  query: select * from deals order by company_id\n` +
        'list: 3001\nmatch:\n  - column: company_id\n    by: entityId\nfields:\n  arr: ARR\n  terms: Deal Terms\n',
    );
    sim = await startSimulator({ apiKey: 'quirks-key', fixture: quirksFixture, quirks: { nullPages: true } });
  });

  afterAll(async () => {
    await sim?.close();
    await db?.drop();
    await rm(dir, { recursive: true, force: true });
  });

  async function run(): Promise<RunReport> {
    const env = readEnv({ AFFINITY_API_KEY: 'quirks-key', AFFINITY_BASE_URL: sim.url });
    const logger = createLogger({ level: 'warn', destination: { write: () => undefined } });
    return executeRun({ loaded: await loadMappingFile(join(dir, 'deals.yaml')), env, logger });
  }

  it('ends succeeded, writes the other fields and reports the hidden one as skipped', async () => {
    const report = await run();
    expect(report.status).toBe('succeeded');
    expect(report.error).toBeUndefined();
    expect(report.rows).toMatchObject({ read: 2, matched: 2, unmatched: 0, rejected: 0 });
    expect(report.entries).toEqual({ updated: 2, unchanged: 0, failed: 0 });
    expect(report.fields).toEqual({ written: 2, unchanged: 0, rejected: 0 });
    expect(report.problems).toEqual([
      {
        code: 'skipped-field',
        column: 'terms',
        reason:
          'field-h1 ("Deal Terms") is skipped (never written): Affinity reports its type as "hidden" ' +
          "(a restricted field this API key cannot manage; its value is masked); give the API key's user access to it, or remove it from the mapping",
      },
    ]);
    // Reads: the list's fields, then the null page and the page with both entries.
    expect(report.calls).toMatchObject({ read: 3, write: 2 });
    expect(
      sim.stats().patches.flatMap((p) => (p.body as { updates: { id: string }[] }).updates.map((u) => u.id)),
    ).toEqual(['field-1', 'field-1']);
    const company = sim.state.companies.get(1);
    expect(company?.values.get('field-h1')).toBe('secret terms');
  });

  it('succeeds again with nothing to write', async () => {
    const report = await run();
    expect(report.status).toBe('succeeded');
    expect(report.entries).toEqual({ updated: 0, unchanged: 2, failed: 0 });
    expect(report.calls.write).toBe(0);
  });
});
