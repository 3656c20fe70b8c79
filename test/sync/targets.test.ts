import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readEnv } from '../../src/config/env.js';
import { createLogger } from '../../src/log/logger.js';
import { loadMappingFile } from '../../src/mappings/load-mapping.js';
import type { Fixture } from '../../src/simulator/fixture.js';
import { type RunningSimulator, type SeenRequest, startSimulator } from '../../src/simulator/server.js';
import { executeRun } from '../../src/sync/execute-run.js';
import type { RunReport } from '../../src/sync/report.js';
import { specValidator } from '../support/openapi.js';
import { requestLog, requestProblems } from '../support/openapi-request.js';
import { isolatedRedis, isolatedSchema, redisUrl } from '../support/services.js';

// Targets and the new list kinds end to end: the simulator over HTTP, a Postgres warehouse, the
// entity lookup cached in Redis (as `run` with REDIS_URL and the worker use it).

const apiKey = 'sk-targets-TEST-51c0';
const doc = 'openapi-v2-2026-07-15.json' as const;

/** Companies in the warehouse; those after them exist only in Affinity (a run must never read them). */
const warehouseCompanies = 240;
const affinityOnly = 60;
const tiers = [
  { id: 61, text: 'Gold' },
  { id: 62, text: 'Silver' },
];

// One formula for company i's values, in Affinity and in the warehouse: every 3rd company's
// headcount, every 5th's ESG score and every 7th's tier differ in the warehouse.
const affinityHeadcount = (i: number) => i * 10;
const warehouseHeadcount = (i: number) => i * 10 + (i % 3 === 0 ? 1 : 0);
const affinityEsg = (i: number) => (i % 2 === 0 ? i / 4 : null);
const warehouseEsg = (i: number) => (i % 5 === 0 ? 99.5 : affinityEsg(i));
const affinityTier = (i: number) => (i % 4 === 0 ? 62 : null);
const warehouseTier = (i: number) => (i % 7 === 0 ? 61 : affinityTier(i));
// Affinity never holds Gold, so every 7th company's tier differs too.
const changed = (i: number) => i % 3 === 0 || i % 5 === 0 || i % 7 === 0;
const messy = (i: number) =>
  [`HTTPS://WWW.Firm${i}.IO/about?x=1`, ` firm${i}.io. `, `firm${i}.io:443`, `mailto:ceo@firm${i}.io`][
    i % 4
  ]!;

function fixture(): Fixture {
  const total = warehouseCompanies + affinityOnly;
  const companies = Array.from({ length: total }, (_, k) => {
    const i = k + 1;
    const values: Record<string, unknown> = { 'field-50': affinityHeadcount(i) };
    if (affinityEsg(i) !== null) values['field-51'] = affinityEsg(i);
    if (affinityTier(i) !== null) values['field-52'] = { dropdownOptionId: affinityTier(i) };
    return { id: i, name: `Firm ${i}`, domain: `firm${i}.io`, domains: [`firm${i}.io`], values };
  });
  companies.push(
    { id: 901, name: 'Twin A', domain: 'twins.io', domains: ['twins.io'], values: {} },
    { id: 902, name: 'Twin B', domain: 'twins.io', domains: ['twins.io'], values: {} },
    { id: 903, name: 'Nomad', domain: 'nomad.io', domains: ['nomad.io'], values: {} },
  );
  return {
    companies,
    persons: [
      {
        id: 11,
        firstName: 'Jane',
        lastName: 'Doe',
        primaryEmailAddress: 'jane@acme.com',
        emailAddresses: ['jane.doe@gmail.com'],
      },
      { id: 12, firstName: 'Sam', lastName: 'Lee', primaryEmailAddress: 'sam@globex.com' },
      { id: 13, firstName: 'Ana', lastName: 'Ruiz', primaryEmailAddress: 'ana@initech.com' },
      { id: 14, firstName: 'Bo', lastName: 'Chen', primaryEmailAddress: 'team@shared.org' },
      {
        id: 15,
        firstName: 'Cy',
        lastName: 'Park',
        primaryEmailAddress: 'cy@park.dev',
        emailAddresses: ['team@shared.org'],
      },
    ],
    opportunities: [
      { id: 31, name: 'Acme Series B', listId: 303 },
      { id: 32, name: 'Globex Seed', listId: 303 },
      { id: 33, name: 'Initech Growth', listId: 303 },
    ],
    companyFields: [
      { id: 'field-50', name: 'Headcount', type: 'global', valueType: 'number' },
      { id: 'field-51', name: 'ESG Score', type: 'global', valueType: 'number' },
      { id: 'field-52', name: 'Tier', type: 'global', valueType: 'dropdown', dropdownOptions: tiers },
      { id: 'affinity-data-employees', name: 'Employees', type: 'enriched', valueType: 'number' },
    ],
    personFields: [{ id: 'field-60', name: 'Title', type: 'global', valueType: 'text' }],
    lists: [
      {
        id: 202,
        name: 'Founders',
        type: 'person',
        fields: [
          { id: 'field-70', name: 'Founder Score', type: 'list', valueType: 'number' },
          { id: 'field-60', name: 'Title', type: 'global', valueType: 'text' },
        ],
        entries: [
          { id: 2011, entityId: 11, values: { 'field-70': 1 } },
          { id: 2012, entityId: 12, values: { 'field-70': 2 } },
          { id: 2013, entityId: 13, values: {} },
          { id: 2014, entityId: 14, values: {} },
          { id: 2015, entityId: 15, values: {} },
        ],
      },
      {
        id: 303,
        name: 'Deals',
        type: 'opportunity',
        fields: [
          { id: 'field-80', name: 'Deal Size', type: 'list', valueType: 'number' },
          {
            id: 'field-81',
            name: 'Stage',
            type: 'list',
            valueType: 'dropdown',
            dropdownOptions: [
              { id: 811, text: 'Term Sheet' },
              { id: 812, text: 'Closed' },
            ],
          },
        ],
        entries: [
          { id: 3031, entityId: 31, values: { 'field-80': 10 } },
          { id: 3032, entityId: 32, values: { 'field-80': 20 } },
          { id: 3033, entityId: 33, values: {} },
        ],
      },
      {
        id: 404,
        name: 'Portfolio',
        type: 'company',
        fields: [
          { id: 'field-50', name: 'Headcount', type: 'global', valueType: 'number' },
          { id: 'field-90', name: 'Note', type: 'list', valueType: 'text' },
        ],
        entries: [
          { id: 4001, entityId: 1, values: { 'field-90': 'same' } },
          { id: 4002, entityId: 1, values: { 'field-90': 'same' } },
          { id: 4003, entityId: 3, values: { 'field-90': 'old' } },
          { id: 4004, entityId: 3, values: { 'field-90': 'old' } },
          { id: 4005, entityId: 4, values: {} },
        ],
      },
    ],
  };
}

const companyRows = () => {
  const rows: string[] = [];
  for (let i = 1; i <= warehouseCompanies; i++) {
    const byId = i <= warehouseCompanies / 2;
    const tier = warehouseTier(i) === 61 ? `'gold'` : warehouseTier(i) === 62 ? `'Silver'` : 'null';
    rows.push(
      `(${i}, ${byId ? i : 'null'}, ${byId ? 'null' : `'${messy(i)}'`}, ${warehouseHeadcount(i)}, ${warehouseEsg(i) ?? 'null'}, ${tier})`,
    );
  }
  // No such company id; no company with this domain; two companies share twins.io.
  rows.push(`(241, 99999, null, 1, null, null)`, `(242, null, 'nowhere.example', 1, null, null)`);
  rows.push(`(243, null, 'twins.io', 1, null, null)`);
  return rows.join(',\n');
};

const warehouseSql = () => `
  create table companies (n int, company_id bigint, website text, headcount numeric, esg numeric, tier text);
  insert into companies values ${companyRows()};
  create table founders (n int, email text, score numeric, title text);
  insert into founders values
    (1, '  JANE.DOE@Gmail.com ', 5, 'Partner'),
    (2, 'sam@globex.com', 2, null),
    (3, 'Ana@Initech.com', 7, 'Founder'),
    (4, 'team@shared.org', 9, 'Team'),
    (5, 'nobody@nowhere.example', 1, null);
  create table deals (n int, opportunity_id bigint, entry_id bigint, amount numeric, stage text);
  insert into deals values (1, 31, null, 15, 'term sheet'), (2, 32, null, 20, null), (3, null, 3033, 30, 'Closed');
  create table portfolio (n int, company_id bigint, headcount numeric, note text);
  insert into portfolio values (1, 1, 11, 'same'), (2, 3, 31, 'new'), (3, 4, 41, null);
`;

const source = (url: string, query: string) =>
  `source:\n  type: postgres\n  url: ${url}\n  query: ${query}\n`;

const mappings = (url: string): Record<string, string> => ({
  'companies.yaml': `name: company-metrics\n${source(url, 'select * from companies order by n')}target: companies
match:
  - column: company_id
    by: entityId
  - column: website
    by: domain
fields:
  headcount: Headcount
  esg: ESG Score
  tier: field-52
`,
  'founders.yaml': `name: founders\n${source(url, 'select * from founders order by n')}list: 202
match:
  - column: email
    by: email
fields:
  score: Founder Score
  title: Title
`,
  'deals.yaml': `name: deals\n${source(url, 'select * from deals order by n')}list: 303
match:
  - column: opportunity_id
    by: entityId
  - column: entry_id
    by: listEntryId
fields:
  amount: Deal Size
  stage: Stage
`,
  'portfolio.yaml': `name: portfolio\n${source(url, 'select * from portfolio order by n')}list: 404
match:
  - column: company_id
    by: entityId
fields:
  headcount: Headcount
  note: Note
`,
  'one-domain.yaml': `name: one-domain\n${source(url, "select 'nomad.io' as website, 5 as headcount")}target: companies
match:
  - column: website
    by: domain
fields:
  headcount: Headcount
`,
  'people.yaml': `name: people\n${source(url, "select 'JANE@acme.com' as email, 'GP' as title union all select 'ana@initech.com', 'CEO'")}target: persons
match:
  - column: email
    by: email
fields:
  title: Title
`,
});

describe('targets and person / opportunity lists against the simulator and Postgres', () => {
  let sim: RunningSimulator;
  let db: Awaited<ReturnType<typeof isolatedSchema>>;
  let redis: Awaited<ReturnType<typeof isolatedRedis>>;
  let dir: string;
  let seen: ReturnType<typeof requestLog>;
  /** Runs before the simulator answers each request (to change its data mid-run). */
  let before: (request: SeenRequest) => void;

  beforeAll(async () => {
    db = await isolatedSchema('targets');
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    await client.query(warehouseSql());
    await client.end();
    redis = await isolatedRedis('targets');
    dir = await mkdtemp(join(tmpdir(), 'targets-'));
    for (const [file, text] of Object.entries(mappings(db.url))) await writeFile(join(dir, file), text);
  });

  afterAll(async () => {
    await sim?.close();
    await db?.drop();
    await redis?.cleanup();
    await rm(dir, { recursive: true, force: true });
  });

  beforeEach(async () => {
    await sim?.close();
    seen = requestLog();
    before = () => undefined;
    // A wide window: the shared limiter paces to what the simulator allows, and pacing is not under test here.
    const rateLimit = { limit: 100_000, windowSeconds: 60 };
    const onRequest = (request: SeenRequest) => {
      seen.record(request);
      before(request);
    };
    sim = await startSimulator({ apiKey, fixture: fixture(), onRequest, rateLimit });
    // Each test starts with an empty lookup cache (the limiter's keys may stay).
    const cached = await redis.redis.keys(`${redis.prefix}state:*`);
    if (cached.length > 0) await redis.redis.del(...cached);
  });

  async function run(file: string, extra: { dryRun?: boolean } = {}): Promise<RunReport> {
    const env = readEnv({
      AFFINITY_API_KEY: apiKey,
      AFFINITY_BASE_URL: sim.url,
      REDIS_URL: redisUrl(),
      QUEUE_PREFIX: redis.prefix.slice(0, -1),
    });
    const logger = createLogger({ level: 'warn', destination: { write: () => undefined } });
    return executeRun({ loaded: await loadMappingFile(join(dir, file)), env, logger, ...extra });
  }

  const routes = () => sim.stats().requestsByRoute;
  const count = (route: string) => routes()[route] ?? 0;
  const searches = () => count('POST /v2/companies/search') + count('GET /organizations');
  const companyReads = () => count('GET /v2/companies');
  const companyValue = (id: number, field: string) => sim.state.companies.get(id)?.values.get(field) ?? null;

  function expectSpecValid(): void {
    const v2 = seen.requests.filter((r) => r.path.startsWith('/v2/'));
    expect(v2.flatMap((r) => requestProblems(r, doc))).toEqual([]);
    const entityBody = specValidator('CompanyBatchOperationRequest', doc);
    for (const p of sim.stats().entityPatches)
      expect(entityBody(p.body), JSON.stringify(entityBody.errors)).toBe(true);
    const entryBody = specValidator('ListEntryBatchOperationRequest', doc);
    for (const p of sim.stats().patches)
      expect(entryBody(p.body), JSON.stringify(entryBody.errors)).toBe(true);
  }

  it('target companies: global fields end as the warehouse says, with ≤ ceil(matched/100) reads, one PATCH per changed company, one search per new domain', async () => {
    const report = await run('companies.yaml');
    const matched = warehouseCompanies;
    expect(report.target).toBe('companies');
    expect(report.rows).toEqual({
      read: 243,
      matched,
      unmatched: 2,
      ambiguous: 1,
      duplicate: 0,
      rejected: 0,
    });
    for (let i = 1; i <= warehouseCompanies; i++) {
      expect(companyValue(i, 'field-50'), `company ${i} headcount`).toBe(warehouseHeadcount(i));
      expect(companyValue(i, 'field-51'), `company ${i} ESG`).toBe(warehouseEsg(i));
      const tier = warehouseTier(i);
      expect(companyValue(i, 'field-52'), `company ${i} tier`).toEqual(
        tier === null ? null : { dropdownOptionId: tier },
      );
    }
    // Companies only in Affinity, and the twins, are untouched.
    expect(companyValue(warehouseCompanies + 1, 'field-50')).toBe(affinityHeadcount(warehouseCompanies + 1));

    const changedIds = Array.from({ length: warehouseCompanies }, (_, k) => k + 1).filter(changed);
    const patched = sim
      .stats()
      .entityPatches.map((p) => p.entityId)
      .sort((a, b) => a - b);
    expect(patched).toEqual(changedIds);
    expect(changedIds.length).toBe(131);
    expect(companyReads()).toBe(3);
    expect(report.entries).toEqual({
      updated: changedIds.length,
      unchanged: matched - changedIds.length,
      failed: 0,
    });
    expect(companyReads()).toBeLessThanOrEqual(Math.ceil(matched / 100));
    // Every read names its ids: no scan of the account's companies.
    const reads = seen.requests.filter((r) => r.path === '/v2/companies');
    expect(reads.every((r) => r.query.getAll('ids').length > 0 && r.query.getAll('ids').length <= 100)).toBe(
      true,
    );
    // One search per first-seen domain: 120 found + twins.io (ambiguous), and nowhere.example twice
    // (v2 search reads primary domains only, so a miss is asked once more with v1).
    expect(count('POST /v2/companies/search')).toBe(122);
    expect(count('GET /organizations')).toBe(1);
    expect(report.problems.map((p) => [p.code, p.key, p.reason])).toEqual([
      ['unmatched', 'company_id=99999', 'no company matches company_id=99999'],
      ['unmatched', 'website=nowhere.example', 'no company matches website=nowhere.example'],
      [
        'ambiguous',
        'website=twins.io',
        'ambiguous: website=twins.io belongs to 2 companies (901, 902); not written — match by entity id instead',
      ],
    ]);
    expectSpecValid();

    const before = { patches: sim.stats().entityPatches.length, searches: searches(), reads: companyReads() };
    const second = await run('companies.yaml');
    expect(sim.stats().entityPatches.length - before.patches).toBe(0);
    expect(searches() - before.searches).toBe(0);
    expect(companyReads() - before.reads).toBeLessThanOrEqual(Math.ceil(matched / 100));
    expect(second.calls.write).toBe(0);
    expect(second.entries).toEqual({ updated: 0, unchanged: matched, failed: 0 });
    expectSpecValid();
  });

  it('target companies: a dry run shows before → after and writes nothing; a cached id that is gone is looked up again', async () => {
    const dry = await run('companies.yaml', { dryRun: true });
    expect(sim.stats().entityPatches).toEqual([]);
    expect(dry.changes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          entryId: 3,
          entityId: 3,
          entityName: 'Firm 3',
          fieldName: 'Headcount',
          before: 30,
          after: 31,
        }),
        expect.objectContaining({ entryId: 7, fieldName: 'Tier', before: null, after: 'Gold' }),
      ]),
    );

    await run('one-domain.yaml');
    expect(companyValue(903, 'field-50')).toBe(5);
    // Nomad is merged into a new company 904 with its domain: the cached id 903 is gone.
    const nomad = sim.state.companies.get(903)!;
    sim.state.companies.delete(903);
    sim.state.companies.set(904, { ...nomad, id: 904, values: new Map() });
    const searchesBefore = count('POST /v2/companies/search');
    const report = await run('one-domain.yaml');
    expect(count('POST /v2/companies/search') - searchesBefore).toBe(1);
    expect(companyValue(904, 'field-50')).toBe(5);
    expect(report.entries).toEqual({ updated: 1, unchanged: 0, failed: 0 });
    expectSpecValid();
  });

  it('a company that is gone when written (404) fails that company and drops its cached lookup', async () => {
    await run('one-domain.yaml');
    const [cache] = await redis.redis.keys(`${redis.prefix}state:lookup:*:company-domain`);
    expect(JSON.parse((await redis.redis.hget(cache!, 'nomad.io'))!)).toMatchObject({ ids: [903] });
    const nomad = sim.state.companies.get(903)!;
    nomad.values.set('field-50', 0);
    // Merged away between the read and the write.
    before = (request) => {
      if (request.method === 'PATCH' && request.path === '/v2/companies/903/fields')
        sim.state.companies.delete(903);
    };
    const failed = await run('one-domain.yaml');
    expect(failed.entries).toEqual({ updated: 0, unchanged: 0, failed: 1 });
    expect(failed.problems).toEqual([expect.objectContaining({ code: 'entry-failed', entryId: 903 })]);
    expect(await redis.redis.hget(cache!, 'nomad.io')).toBeNull();
    before = () => undefined;
    sim.state.companies.set(905, { ...nomad, id: 905, values: new Map() });
    const searched = count('POST /v2/companies/search');
    const again = await run('one-domain.yaml');
    expect(count('POST /v2/companies/search') - searched).toBe(1);
    expect(again.entries).toEqual({ updated: 1, unchanged: 0, failed: 0 });
    expect(companyValue(905, 'field-50')).toBe(5);
  });

  it('target persons by e-mail: their own fields end as the warehouse says; a second run writes nothing', async () => {
    const people = await run('people.yaml');
    expect(people.target).toBe('persons');
    expect(people.entries).toEqual({ updated: 2, unchanged: 0, failed: 0 });
    expect(sim.state.persons.get(11)?.values.get('field-60')).toBe('GP');
    expect(sim.state.persons.get(13)?.values.get('field-60')).toBe('CEO');
    expect(
      sim
        .stats()
        .entityPatches.map((p) => `${p.entity}:${p.entityId}`)
        .sort(),
    ).toEqual(['person:11', 'person:13']);
    const searched = count('POST /v2/persons/search');
    const second = await run('people.yaml');
    expect(second.calls.write).toBe(0);
    expect(count('POST /v2/persons/search') - searched).toBe(0);
    expectSpecValid();
  });

  it('a person list matched by e-mail: exact end state, shared address ambiguous, second run writes nothing', async () => {
    const report = await run('founders.yaml');
    const entry = (id: number) => Object.fromEntries(sim.state.lists.get(202)!.entryById.get(id)!.values);
    const title = (person: number) => sim.state.persons.get(person)?.values.get('field-60') ?? null;
    expect(entry(2011)).toEqual({ 'field-70': 5 });
    expect(entry(2012)).toEqual({ 'field-70': 2 });
    expect(entry(2013)).toEqual({ 'field-70': 7 });
    expect(entry(2014)).toEqual({});
    expect([title(11), title(12), title(13), title(14), title(15)]).toEqual([
      'Partner',
      null,
      'Founder',
      null,
      null,
    ]);
    expect(report.rows).toMatchObject({ read: 5, matched: 3, unmatched: 1, ambiguous: 1 });
    expect(report.problems.map((p) => p.reason)).toEqual([
      'ambiguous: email=team@shared.org belongs to 2 persons on the list (14, 15); not written — match by entity id instead',
      'no list entry matches email=nobody@nowhere.example',
    ]);
    expect(
      sim
        .stats()
        .patches.map((p) => p.listEntryId)
        .sort(),
    ).toEqual([2011, 2013]);
    const before = sim.stats().patches.length;
    const second = await run('founders.yaml');
    expect(sim.stats().patches.length - before).toBe(0);
    expect(second.calls.write).toBe(0);
    expectSpecValid();
  });

  it('an opportunity list matched by entity id (and list entry id): exact end state, second run writes nothing', async () => {
    const report = await run('deals.yaml');
    const entry = (id: number) => Object.fromEntries(sim.state.lists.get(303)!.entryById.get(id)!.values);
    expect(entry(3031)).toEqual({ 'field-80': 15, 'field-81': { dropdownOptionId: 811 } });
    expect(entry(3032)).toEqual({ 'field-80': 20 });
    expect(entry(3033)).toEqual({ 'field-80': 30, 'field-81': { dropdownOptionId: 812 } });
    expect(report.entries).toEqual({ updated: 2, unchanged: 1, failed: 0 });
    const second = await run('deals.yaml');
    expect(second.calls.write).toBe(0);
    expect(second.entries).toEqual({ updated: 0, unchanged: 3, failed: 0 });
    expectSpecValid();
  });

  it('a global field of an entity listed twice is written once', async () => {
    const report = await run('portfolio.yaml');
    const bodies = sim.stats().patches.map((p) => ({
      entry: p.listEntryId,
      fields: (p.body as { updates: { id: string }[] }).updates.map((u) => u.id).sort(),
    }));
    // Company 1 (entries 4001, 4002) changed only its global headcount: one PATCH. Company 3
    // (4003, 4004) changed its headcount and both entries' note: the headcount goes once.
    expect(bodies.filter((b) => b.entry === 4001 || b.entry === 4002)).toEqual([
      { entry: 4001, fields: ['field-50'] },
    ]);
    expect(bodies.filter((b) => b.entry === 4003 || b.entry === 4004)).toEqual([
      { entry: 4003, fields: ['field-50', 'field-90'] },
      { entry: 4004, fields: ['field-90'] },
    ]);
    expect(bodies.filter((b) => b.fields.includes('field-50')).length).toBe(3);
    const entries = sim.state.lists.get(404)!;
    expect(sim.state.read(entries.entryById.get(4002)!, entries.fieldById.get('field-50')!)).toBe(11);
    expect(report.entries).toEqual({ updated: 4, unchanged: 1, failed: 0 });
    const second = await run('portfolio.yaml');
    expect(second.calls.write).toBe(0);
    expectSpecValid();
  });
});
