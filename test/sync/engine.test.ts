import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readEnv } from '../../src/config/env.js';
import { createLogger } from '../../src/log/logger.js';
import { loadMappingFile } from '../../src/mappings/load-mapping.js';
import { type RunningSimulator, startSimulator } from '../../src/simulator/server.js';
import { executeRun } from '../../src/sync/execute-run.js';
import type { RunReport } from '../../src/sync/report.js';
import { cliArgs } from '../support/cli-command.js';
import { specValidator } from '../support/openapi.js';
import { isolatedSchema } from '../support/services.js';

const apiKey = 'sk-live-ENGINE-TEST-7d1f0c2a9b';
const cli = cliArgs();

// Portfolio list 1001: companies 1..7; Initech (3) is on the list twice; Hooli (5) and Hooli Labs (6)
// share hooli.com, so that domain is ambiguous. List 2002 has 150 number fields on one entry.
const stage = [
  { id: 11, text: 'Seed' },
  { id: 12, text: 'Series A' },
  { id: 13, text: 'Series B' },
];
const health = [
  { id: 21, text: 'Green', rank: 0, color: 'green' },
  { id: 22, text: 'Amber', rank: 1, color: 'yellow' },
  { id: 23, text: 'Red', rank: 2, color: 'red' },
];
const tags = [
  { id: 31, text: 'AI' },
  { id: 32, text: 'Fintech' },
  { id: 33, text: 'SaaS' },
];
const hq = {
  streetAddress: '1 Main St',
  city: 'Austin',
  state: 'Texas',
  country: 'United States',
  continent: 'North America',
};

function fixture() {
  return {
    companies: [
      { id: 1, name: 'Acme', domain: 'acme.com', domains: ['acme.com'] },
      { id: 2, name: 'Globex', domain: 'globex.io', domains: ['globex.io', 'globex.com'] },
      { id: 3, name: 'Initech', domain: 'initech.com', domains: ['initech.com'] },
      { id: 4, name: 'Umbrella', domain: 'umbrella.co', domains: ['umbrella.co'] },
      { id: 5, name: 'Hooli', domain: 'hooli.com', domains: ['hooli.com'] },
      { id: 6, name: 'Hooli Labs', domain: 'hoolilabs.com', domains: ['hoolilabs.com', 'hooli.com'] },
      { id: 7, name: 'Stark', domain: 'stark.com', domains: ['stark.com'] },
      { id: 8, name: 'Wide', domain: 'wide.com', domains: ['wide.com'] },
    ],
    lists: [
      {
        id: 1001,
        name: 'Portfolio',
        type: 'company' as const,
        fields: [
          { id: 'field-1', name: 'ARR', type: 'list' as const, valueType: 'number' as const },
          {
            id: 'field-2',
            name: 'Stage',
            type: 'list' as const,
            valueType: 'dropdown' as const,
            dropdownOptions: stage,
          },
          { id: 'field-3', name: 'Last Funding Date', type: 'list' as const, valueType: 'datetime' as const },
          { id: 'field-4', name: 'Sector', type: 'list' as const, valueType: 'text' as const },
          {
            id: 'field-5',
            name: 'Health',
            type: 'list' as const,
            valueType: 'ranked-dropdown' as const,
            dropdownOptions: health,
          },
          {
            id: 'field-6',
            name: 'Tags',
            type: 'list' as const,
            valueType: 'dropdown-multi' as const,
            dropdownOptions: tags,
          },
          { id: 'field-7', name: 'HQ', type: 'list' as const, valueType: 'location' as const },
          {
            id: 'affinity-data-description',
            name: 'Description',
            type: 'enriched' as const,
            valueType: 'text' as const,
            enrichmentSource: 'affinity-data',
          },
        ],
        entries: [
          {
            id: 101,
            entityId: 1,
            values: {
              'field-1': 1000,
              'field-2': { dropdownOptionId: 11, text: 'Seed' },
              'field-3': '2024-01-15T08:00:00.000Z',
              'field-4': 'Fintech',
              'field-5': { dropdownOptionId: 21, text: 'Green', rank: 0, color: 'green' },
              'field-6': [
                { dropdownOptionId: 31, text: 'AI' },
                { dropdownOptionId: 33, text: 'SaaS' },
              ],
              'field-7': hq,
            },
          },
          { id: 102, entityId: 2, values: { 'field-1': 2000 } },
          {
            id: 103,
            entityId: 3,
            values: {
              'field-1': 100,
              'field-5': { dropdownOptionId: 22, text: 'Amber', rank: 1, color: 'yellow' },
            },
          },
          { id: 104, entityId: 3, values: { 'field-1': 100 } },
          { id: 105, entityId: 4, values: { 'field-1': 40 } },
          { id: 106, entityId: 5, values: {} },
          { id: 107, entityId: 6, values: {} },
          { id: 108, entityId: 7, values: { 'field-1': 7 } },
        ],
      },
      {
        id: 2002,
        name: 'Wide',
        type: 'company' as const,
        fields: Array.from({ length: 150 }, (_, i) => ({
          id: `field-${1001 + i}`,
          name: `Metric ${i + 1}`,
          type: 'list' as const,
          valueType: 'number' as const,
        })),
        entries: [{ id: 201, entityId: 8, values: {} }],
      },
    ],
  };
}

const portfolioRows = `
  create table portfolio (n int, company_id bigint, domain text, arr numeric, stage text, last_funding date,
    sector text, health text, tags text, hq jsonb);
  insert into portfolio values
    (1, 1, null, 1000, 'seed ', '2024-01-15', 'Fintech', 'green', 'SaaS, AI',
       '{"streetAddress":"1 Main St","city":"Austin","state":"Texas","country":"United States","continent":"North America"}'),
    (2, null, 'HTTPS://WWW.Globex.COM/about?x=1', 2500, null, '2024-06-01', null, 'Green', null, null),
    (3, 3, null, 300, null, null, null, null, null, null),
    (4, null, 'umbrella.co.:443', 42, 'Series Z', null, null, 'Red', null, null),
    (5, null, 'hooli.com', 5, null, null, null, null, null, null),
    (6, null, 'nowhere.example', 6, null, null, null, null, null, null),
    (7, 4, null, 43, null, null, null, 'Red', null, null);
`;

function portfolioMapping(url: string): string {
  return `name: engine-portfolio
source:
  type: postgres
  url: ${url}
  query: select * from portfolio order by n
list: 1001
match:
  - column: company_id
    by: entityId
  - column: domain
    by: domain
fields:
  arr: ARR
  stage: Stage
  last_funding: last funding date
  sector: field-4
  health:
    field: Health
    onNull: clear
  tags: Tags
  hq: HQ
mode: diff
`;
}

describe('sync engine against the simulator and a Postgres warehouse', () => {
  let sim: RunningSimulator;
  let db: Awaited<ReturnType<typeof isolatedSchema>>;
  let dir: string;
  let logLines: string[];

  beforeAll(async () => {
    db = await isolatedSchema('engine');
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    await client.query(portfolioRows);
    const wide = Array.from({ length: 150 }, (_, i) => `${i + 1} as m${i + 1}`).join(', ');
    await client.query(`create view wide as select 8 as company_id, ${wide}`);
    await client.end();
    dir = await mkdtemp(join(tmpdir(), 'engine-'));
    await writeFile(join(dir, 'portfolio.yaml'), portfolioMapping(db.url));
    const wideFields = Array.from({ length: 150 }, (_, i) => `  m${i + 1}: field-${1001 + i}`).join('\n');
    await writeFile(
      join(dir, 'wide.yaml'),
      `name: engine-wide\nsource:\n  type: postgres\n  url: ${db.url}\n  query: select * from wide\nlist: 2002\nmatch:\n  - column: company_id\n    by: entityId\nfields:\n${wideFields}\n`,
    );
  });

  afterAll(async () => {
    await sim?.close();
    await db?.drop();
    await rm(dir, { recursive: true, force: true });
  });

  beforeEach(async () => {
    await sim?.close();
    sim = await startSimulator({ apiKey, fixture: fixture() });
    logLines = [];
  });

  async function run(file: string, extra: { dryRun?: boolean; mode?: 'overwrite' } = {}): Promise<RunReport> {
    const env = readEnv({ AFFINITY_API_KEY: apiKey, AFFINITY_BASE_URL: sim.url, LOG_LEVEL: 'debug' });
    const logger = createLogger({
      level: 'debug',
      destination: { write: (line: string) => logLines.push(line) },
    });
    const loaded = await loadMappingFile(join(dir, file));
    return executeRun({ loaded, env, logger, ...extra });
  }

  const patches = (): number => sim.stats().patches.length;
  const writtenEntries = (): number[] =>
    [...new Set(sim.stats().patches.map((p) => p.listEntryId))].sort((a, b) => a - b);

  it('writes exactly the entries whose values differ, and reports every row it could not write', async () => {
    const report = await run('portfolio.yaml');

    expect(writtenEntries()).toEqual([102, 103, 104, 105]);
    expect(report.status).toBe('partial');
    expect(report.rows).toEqual({
      read: 7,
      matched: 5,
      unmatched: 1,
      ambiguous: 1,
      duplicate: 1,
      rejected: 1,
    });
    expect(report.entries).toEqual({ updated: 4, unchanged: 1, failed: 0 });
    expect(report.calls.write).toBe(4);
    // Messages are pinned where each is made (plan-row, convert-value tests); here the codes.
    expect(report.problems).toEqual([
      {
        code: 'rejected-value',
        row: 4,
        key: 'domain=umbrella.co',
        column: 'stage',
        reason: expect.stringMatching(/^"Series Z" /),
      },
      { code: 'ambiguous', row: 5, key: 'domain=hooli.com', reason: expect.any(String) },
      { code: 'unmatched', row: 6, key: 'domain=nowhere.example', reason: expect.any(String) },
      // The one place the duplicate-row message is pinned: both rows, and which one is written.
      {
        code: 'duplicate-row',
        row: 7,
        key: 'company_id=4',
        entryId: 105,
        reason:
          "also reached by row 4 (domain=umbrella.co): list entry 105 (Umbrella) gets this later row's values, not row 4's",
      },
    ]);
    // Messy domains landed: Globex by its alternate domain, Umbrella despite the dot and port.
    const values = (entryId: number): Record<string, unknown> =>
      Object.fromEntries(sim.state.lists.get(1001)!.entryById.get(entryId)!.values);
    expect(values(102)['field-1']).toBe(2500);
    expect(values(102)['field-3']).toBe('2024-06-01T07:00:00.000Z');
    // Row 7 came after row 4 for Umbrella: the later row wins.
    expect(values(105)['field-1']).toBe(43);
    expect(values(105)['field-2'] ?? null).toBeNull();
    // Initech is on the list twice: both entries written; health cleared where it was set.
    expect(values(103)['field-1']).toBe(300);
    expect(values(104)['field-1']).toBe(300);
    expect(values(103)['field-5'] ?? null).toBeNull();
    // The report's changes are exactly the (entry, field) pairs the simulator recorded as written.
    const patched = sim
      .stats()
      .patches.flatMap((p) =>
        (p.body as { updates: Array<{ id: string }> }).updates.map((u) => `${p.listEntryId}:${u.id}`),
      );
    expect(report.changes.map((c) => `${c.entryId}:${c.fieldId}`).sort()).toEqual(patched.sort());
    expect(report.changesOmitted).toBe(0);
    expect(report.changes).toContainEqual({
      entryId: 102,
      entityId: 2,
      entityName: 'Globex',
      fieldId: 'field-1',
      fieldName: 'ARR',
      before: 2000,
      after: 2500,
      sent: 2500,
    });
    expect(report.changes).toContainEqual(
      expect.objectContaining({
        entryId: 102,
        fieldName: 'Health',
        before: null,
        after: 'Green',
        sent: { dropdownOptionId: 21 },
      }),
    );
    // Every body conforms to the official spec.
    const validate = specValidator('ListEntryBatchOperationRequest');
    for (const patch of sim.stats().patches)
      expect(validate(patch.body), JSON.stringify(validate.errors)).toBe(true);
  });

  it('sends zero PATCH calls when run again with the same data (dates included)', async () => {
    await run('portfolio.yaml');
    const before = patches();
    const second = await run('portfolio.yaml');
    expect(patches() - before).toBe(0);
    expect(second.calls.write).toBe(0);
    expect(second.entries).toEqual({ updated: 0, unchanged: 5, failed: 0 });
    expect(second.changes).toEqual([]);
  });

  it('overwrite mode sends every mapped value; a dry run sends nothing and shows before → after', async () => {
    const dry = await run('portfolio.yaml', { dryRun: true });
    expect(patches()).toBe(0);
    expect(dry.changes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ entryId: 102, fieldName: 'ARR', before: 2000, after: 2500 }),
        expect.objectContaining({
          entryId: 102,
          fieldName: 'Last Funding Date',
          before: null,
          after: '2024-06-01',
        }),
        expect.objectContaining({ entryId: 102, fieldName: 'Health', before: null, after: 'Green' }),
        expect.objectContaining({ entryId: 103, fieldName: 'Health', before: 'Amber', after: null }),
      ]),
    );
    const overwrite = await run('portfolio.yaml', { mode: 'overwrite' });
    expect(writtenEntries()).toEqual([101, 102, 103, 104, 105]);
    expect(overwrite.mode).toBe('overwrite');
  });

  it('splits 150 changed fields of one entry into 2 calls of 100 and 50', async () => {
    const report = await run('wide.yaml');
    const bodies = sim.stats().patches.map((p) => (p.body as { updates: unknown[] }).updates.length);
    expect(bodies).toEqual([100, 50]);
    expect(report.calls.write).toBe(2);
    expect(report.fields.written).toBe(150);
  });

  it('never puts the API key in a log line or the report, and the CLI exits 1 for a partial run', async () => {
    const report = await run('portfolio.yaml');
    expect(logLines.length).toBeGreaterThan(0);
    expect(logLines.join('\n')).not.toContain(apiKey);
    expect(JSON.stringify(report)).not.toContain(apiKey);

    const reportFile = join(dir, 'report.json');
    const result = await promisify(execFile)(
      process.execPath,
      [...cli, 'run', join(dir, 'portfolio.yaml'), '--report', reportFile],
      {
        env: { ...process.env, AFFINITY_API_KEY: apiKey, AFFINITY_BASE_URL: sim.url, LOG_LEVEL: 'debug' },
      },
    ).catch((error: { code: number; stdout: string; stderr: string }) => error);
    expect('code' in result ? result.code : 0).toBe(1);
    expect(result.stdout).toContain('engine-portfolio: PARTIAL');
    expect(`${result.stdout}${result.stderr}`).not.toContain(apiKey);
    const saved = JSON.parse(await readFile(reportFile, 'utf8')) as RunReport;
    expect(saved.entries.unchanged).toBe(5);
    expect(JSON.stringify(saved)).not.toContain(apiKey);
  });

  it('stops at once with exit 1 when Affinity refuses the key, without printing it', async () => {
    const wrong = 'sk-wrong-key-0000000000';
    const result = await promisify(execFile)(process.execPath, [...cli, 'run', join(dir, 'portfolio.yaml')], {
      env: { ...process.env, AFFINITY_API_KEY: wrong, AFFINITY_BASE_URL: sim.url },
    }).catch((error: { code: number; stdout: string; stderr: string }) => error);
    expect('code' in result ? result.code : 0).toBe(1);
    expect(result.stdout).toContain('Affinity refused the API key (401)');
    expect(`${result.stdout}${result.stderr}`).not.toContain(wrong);
  });
});
