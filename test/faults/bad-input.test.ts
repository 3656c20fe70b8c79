import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validate } from '../../src/cli/commands/validate.js';
import type { Fixture } from '../../src/simulator/fixture.js';
import { type RunningSimulator, startSimulator } from '../../src/simulator/server.js';
import type { RunReport } from '../../src/sync/report.js';
import { dealsFields } from '../support/deals-fields.js';
import { isolatedSchema } from '../support/services.js';
import { runInProcess, sql } from './support.js';

// Bad input as a person meets it: through `affinity-sync run`, each case pinned to the text printed
// and the exit code (2: configuration, nothing sent; 1: the run failed or was partial).

const apiKey = 'sk-faults-bad-input-51aa0e';
const listId = 3001;
const companies = 40;

const fixture: Fixture = {
  companies: Array.from({ length: companies }, (_, k) => ({
    id: k + 1,
    name: `Company ${k + 1}`,
    domain: `company${k + 1}.com`,
    domains: [`company${k + 1}.com`],
  })),
  persons: [{ id: 7, firstName: 'Alex', lastName: 'Rivera', primaryEmailAddress: 'alex@example.com' }],
  lists: [
    {
      id: listId,
      name: 'Deals',
      type: 'company',
      // Memo: a text field the bytea column feeds.
      fields: [...dealsFields, { id: 'field-16', name: 'Memo', type: 'list', valueType: 'text' }],
      entries: Array.from({ length: companies }, (_, k) => ({
        id: 100 + k + 1,
        entityId: k + 1,
        values: {},
      })),
    },
  ],
};

/** Column → field of the value mapping; the columns are text so any bad value reaches conversion. */
const valueColumns: Record<string, string> = {
  arr: 'ARR',
  rounds: 'Rounds',
  closed: 'Closed',
  stage: 'Stage',
  health: 'Health',
  tags: 'Tags',
  hq: 'HQ',
  owner: 'Owner',
  team: 'Team',
  lead: 'Lead',
  coinvestors: 'Co-investors',
};

const notDate = '(use YYYY-MM-DD or an ISO 8601 date-time)';
const notLocation = '(an object or JSON text with streetAddress, city, state, country, continent)';

/** One bad value per row (row n updates company n), with the reason the report and summary give. */
const valueCases: Array<{ column: string; value: string; reason: string }> = [
  { column: 'arr', value: 'twelve', reason: '"twelve" is not a number' },
  { column: 'arr', value: 'NaN', reason: '"NaN" is not a number' },
  { column: 'arr', value: '12,5', reason: '"12,5" is not a number' },
  { column: 'arr', value: '1e400', reason: '"1e400" is out of range for a number' },
  {
    column: 'arr',
    value: `1${'0'.repeat(400)}`,
    reason: `"1${'0'.repeat(58)}…" is out of range for a number`,
  },
  {
    column: 'arr',
    value: '9007199254740993',
    reason:
      '"9007199254740993" cannot be stored exactly: Affinity numbers are doubles, exact up to ±9007199254740991',
  },
  { column: 'rounds', value: '1, two, 3', reason: 'item 2: " two" is not a number' },
  { column: 'closed', value: '2024-02-30', reason: `"2024-02-30" is not a valid date ${notDate}` },
  { column: 'closed', value: '2023-13-01', reason: `"2023-13-01" is not a valid date ${notDate}` },
  {
    column: 'closed',
    value: '2024-06-01T25:00:00Z',
    reason: `"2024-06-01T25:00:00Z" is not a valid date ${notDate}`,
  },
  { column: 'closed', value: 'yesterday', reason: `"yesterday" is not a valid date ${notDate}` },
  { column: 'closed', value: '99999-01-01', reason: `"99999-01-01" is not a valid date ${notDate}` },
  {
    column: 'stage',
    value: 'Series Z',
    reason: '"Series Z" is not an option of "Stage" (options are never created; valid: "Seed", "Series A")',
  },
  {
    column: 'health',
    value: 'Meh',
    reason: '"Meh" is not an option of "Health" (options are never created; valid: "Good", "Bad")',
  },
  {
    column: 'tags',
    value: 'AI, Crypto',
    reason:
      'item 2: " Crypto" is not an option of "Tags" (options are never created; valid: "AI", "SaaS", "Climate")',
  },
  { column: 'hq', value: '{"city": "Austin"', reason: '"{\\"city\\": \\"Austin\\"" is not valid JSON' },
  { column: 'hq', value: 'Austin, TX', reason: `"Austin, TX" is not a location ${notLocation}` },
  {
    column: 'owner',
    value: 'alex@example.com',
    reason: '"alex@example.com" is not a person id (a positive whole number)',
  },
  { column: 'team', value: '7, x', reason: 'item 2: " x" is not a person id (a positive whole number)' },
  { column: 'lead', value: '-3', reason: '"-3" is not a company id (a positive whole number)' },
  { column: 'coinvestors', value: '1.5', reason: '"1.5" is not a company id (a positive whole number)' },
  {
    column: 'memo',
    value: '636166e9',
    reason: "binary data (4 bytes) is not text (decode it in the query, e.g. convert_from(column, 'LATIN1'))",
  },
];

/** Match keys that are not domains: the row is unmatched, with this reason. */
const domainCases: Array<{ value: string; reason: string }> = [
  { value: 'not a domain', reason: '"not a domain" is not a domain' },
  { value: 'http://', reason: '"http://" is not a domain' },
  { value: 'acme', reason: '"acme" is not a domain' },
  { value: '-bad-.com', reason: '"-bad-.com" is not a domain' },
  { value: 'a..b.com', reason: '"a..b.com" is not a domain' },
  { value: '192.168.1.1', reason: '"192.168.1.1" is not a domain' },
  { value: 'mailto:', reason: '"mailto:" is not a domain' },
];

describe('bad input, as `affinity-sync run` reports it', () => {
  let db: Awaited<ReturnType<typeof isolatedSchema>>;
  let dir: string;
  let sim: RunningSimulator;

  beforeAll(async () => {
    db = await isolatedSchema('faults_bad');
    const columns = Object.keys(valueColumns);
    const literal = (text: string) => `'${text.replaceAll("'", "''")}'`;
    const rows = valueCases.map((c, i) => {
      const cells = columns.map((col) => (col === c.column ? literal(c.value) : 'null'));
      // memo is bytea: Latin-1 "café", whose last byte is not UTF-8.
      const memo = c.column === 'memo' ? `decode('${c.value}', 'hex')` : 'null';
      return `(${i + 1}, ${i + 1}, 'note ${i + 1}', ${cells.join(', ')}, ${memo})`;
    });
    await sql(
      db.url,
      `create table deals (n int, company_id bigint, notes text, ${columns.map((c) => `${c} text`).join(', ')}, memo bytea);
       insert into deals values ${rows.join(',\n')};
       create table sites (n int, website text, notes text);
       insert into sites values ${domainCases.map((c, i) => `(${i + 1}, ${literal(c.value)}, 'x')`).join(', ')};
       create table good (company_id bigint, notes text);
       insert into good values (1, 'fine');`,
    );
    dir = await mkdtemp(join(tmpdir(), 'faults-bad-'));
    // Non-UTF-8 files a DuckDB query may read: Latin-1 "café" in a CSV and in a JSON string.
    await writeFile(join(dir, 'latin1.csv'), Buffer.from('company_id,notes\n1,caf\xe9\n', 'latin1'));
    await writeFile(join(dir, 'latin1.json'), Buffer.from('{"company_id":1,"notes":"caf\xe9"}\n', 'latin1'));
    sim = await startSimulator({ apiKey, fixture, rateLimit: { limit: 100_000, windowSeconds: 60 } });
  });

  afterAll(async () => {
    await sim?.close();
    await db?.drop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const env = (extra: Record<string, string> = {}) => ({
    AFFINITY_API_KEY: apiKey,
    AFFINITY_BASE_URL: sim.url,
    LOG_LEVEL: 'silent',
    ...extra,
  });

  const pgSource = (query: string) => `source:\n  type: postgres\n  url: ${db.url}\n  query: ${query}`;

  function mapping(parts: {
    source?: string;
    list?: string;
    match?: string;
    fields?: string;
    extra?: string;
  }) {
    return [
      'name: bad-input',
      parts.source ?? pgSource('select * from good'),
      `list: ${parts.list ?? listId}`,
      parts.match ?? 'match:\n  - column: company_id\n    by: entityId',
      parts.fields ?? 'fields:\n  notes: Notes',
      parts.extra ?? '',
    ].join('\n');
  }

  async function runMapping(slug: string, text: string, extraEnv: Record<string, string> = {}) {
    const file = join(dir, `${slug}.yaml`);
    await writeFile(file, text);
    const reportFile = join(dir, `${slug}.report.json`);
    const result = await runInProcess(['run', file, '--report', reportFile], env(extraEnv));
    const report = await readFile(reportFile, 'utf8').then(
      (t) => JSON.parse(t) as RunReport,
      () => undefined,
    );
    return { file, ...result, report };
  }

  // Configuration: exit 2, one line naming the file (and line:column where the YAML has it), nothing written.
  const configCases: Array<{
    name: string;
    text: () => string;
    env?: Record<string, string>;
    message: string;
  }> = [
    {
      name: 'malformed YAML',
      text: () => 'name: bad-input\nsource: [unclosed\nlist: 3001\n',
      message:
        ':3:1 YAML syntax error: Flow sequence in block collection must be sufficiently indented and end with a ]',
    },
    {
      name: 'unknown key',
      text: () => mapping({ extra: 'colums:\n  a: b' }),
      message:
        ':12:1 colums: unknown key "colums"; expected one of name, schedule, source, list, match, fields, mode, tolerate, expect, onUnmatched, onUnknownCompany, companyName, maxCreates, sync, reconcileEvery',
    },
    {
      name: 'unknown field name',
      text: () => mapping({ fields: 'fields:\n  notes: Annual Revenue' }),
      message:
        ':11:10 fields.notes: list 3001 has no field named "Annual Revenue"; it has 18 fields, none with a close name',
    },
    {
      name: 'enriched field as target',
      text: () => mapping({ fields: 'fields:\n  notes: Description' }),
      message:
        ':11:10 fields.notes: affinity-data-description ("Description") cannot be written: enriched fields are maintained by Affinity and cannot be written',
    },
    {
      name: 'formula field as target',
      text: () => mapping({ fields: 'fields:\n  notes: Score' }),
      message:
        ':11:10 fields.notes: field-15 ("Score") cannot be written: formula fields are computed and cannot be written',
    },
    {
      name: 'missing environment variable',
      text: () =>
        mapping({
          // biome-ignore lint/suspicious/noTemplateCurlyInString: mapping text with a ${VAR} reference
          source: 'source:\n  type: postgres\n  url: ${WAREHOUSE_URL}\n  query: select * from good',
        }),
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the message quotes the ${VAR} reference
      message: ':4:8 source.url: environment variable WAREHOUSE_URL is not set (used as ${WAREHOUSE_URL})',
    },
    // validate --remote's column checks, run before any read or write (issue 13.7): the same messages.
    {
      name: 'mapped column missing from the query',
      text: () => mapping({ source: pgSource('select company_id from good') }),
      message: ':11:10 fields.notes: column "notes" is not in the query\'s result (it has: company_id)',
    },
    {
      name: 'column of a type that cannot convert',
      text: () =>
        mapping({
          source: pgSource('select company_id, true as arr from good'),
          fields: 'fields:\n  arr: ARR',
        }),
      message:
        ':11:8 fields.arr: column "arr" is boolean (boolean) and cannot convert to the number field field-2 ("ARR")',
    },
    {
      name: 'list that does not exist',
      text: () => mapping({ list: '9999' }),
      message:
        ":6:7 list: list 9999 does not exist in Affinity (or this API key cannot see it); check the list id in the list's URL",
    },
  ];

  it.each(configCases)('$name: exit 2 with the file and the problem, nothing written', async (c) => {
    const slug = c.name.replaceAll(' ', '-');
    const before = sim.stats().patches.length;
    const result = await runMapping(slug, c.text(), c.env);
    expect(result.stderr).toBe(`${result.file}${c.message}\n`);
    expect(result.stdout).toBe('');
    expect(result.code).toBe(2);
    expect(result.report).toBeUndefined();
    expect(sim.stats().patches.length).toBe(before);
  });

  it('run refuses a mapping with the very lines validate --remote prints for it (one check both call)', async () => {
    for (const c of configCases.filter((k) => k.name.includes('column'))) {
      const slug = `${c.name.replaceAll(' ', '-')}-validate`;
      const ran = await runMapping(slug, c.text());
      let printed = '';
      const code = await validate([ran.file, '--remote'], {
        env: { ...env(), PATH: process.env['PATH'] },
        out: () => undefined,
        err: (text) => {
          printed += text;
        },
      });
      expect(code).toBe(2);
      expect(printed.split('\n')[0]).toBe(ran.stderr.trimEnd());
    }
  });

  it('--report into a folder that does not exist: exit 2 naming the path, before the first request', async () => {
    const file = join(dir, 'report-path.yaml');
    await writeFile(file, mapping({}));
    const requests = sim.stats().totalRequests;
    const result = await runInProcess(['run', file, '--report', '/nonexistent/r.json'], env());
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      '/nonexistent/r.json: --report cannot be written: the folder /nonexistent does not exist; create it or choose another path; nothing was sent\n',
    );
    expect(sim.stats().totalRequests).toBe(requests);
  });

  // Failures at run time: exit 1, the summary says FAILED with the reason, the report has it.
  const failureCases: Array<{
    name: string;
    text: () => string;
    env?: Record<string, string>;
    error: string | RegExp;
    /** A credential in the mapping that must not appear in any output. */
    secret?: string;
  }> = [
    {
      name: 'API key refused',
      text: () => mapping({}),
      env: { AFFINITY_API_KEY: 'sk-refused-key-9f8e7d6c' },
      error: 'Affinity refused the API key (401): check AFFINITY_API_KEY (Settings → API in Affinity)',
    },
    {
      name: 'SQL error',
      text: () => mapping({ source: pgSource('select * from no_such_table') }),
      error: 'mapping "bad-input": postgres query failed: relation "no_such_table" does not exist (42P01)',
    },
    {
      name: 'malformed postgres URL',
      text: () =>
        mapping({
          source: `source:\n  type: postgres\n  url: postgres://sync:Pg-s3cret-pass@db.internal:port/warehouse\n  query: select 1`,
        }),
      error:
        'mapping "bad-input": source.url is not a valid PostgreSQL URL (Invalid URL); write it as postgres://user:password@host:5432/database, percent-encoding special characters (e.g. @ as %40) in the user name and password',
      secret: 'Pg-s3cret-pass',
    },
    {
      name: 'CSV that is not UTF-8',
      text: () =>
        mapping({
          source: `source:\n  type: duckdb\n  query: select * from read_csv('${join(dir, 'latin1.csv')}')`,
        }),
      error:
        /^mapping "bad-input": duckdb query failed: Invalid Input Error: CSV Error on Line: \d+\n[\s\S]*Invalid unicode \(byte sequence mismatch\) detected\. This file is not utf-8 encoded\./,
    },
    {
      name: 'JSON file that is not UTF-8',
      text: () =>
        mapping({
          source: `source:\n  type: duckdb\n  query: select * from read_json('${join(dir, 'latin1.json')}')`,
        }),
      error:
        /^mapping "bad-input": duckdb query failed: Invalid Input Error: Malformed JSON in file ".*latin1\.json", at byte \d+ in record\/value \d+: invalid UTF-8 encoding in string\./,
    },
  ];

  it.each(failureCases)('$name: exit 1, FAILED with the reason, nothing written', async (c) => {
    const slug = c.name.replaceAll(' ', '-');
    const before = sim.stats().patches.length;
    const result = await runMapping(slug, c.text(), c.env);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^bad-input: FAILED in \d+\.\ds \(diff\)\n {2}error: /);
    expect(result.report?.status).toBe('failed');
    if (typeof c.error === 'string') {
      expect(result.report?.error).toBe(c.error);
      expect(result.stdout).toContain(`  error: ${c.error}\n`);
    } else {
      expect(result.report?.error).toMatch(c.error);
    }
    expect(result.report?.calls.write).toBe(0);
    expect(sim.stats().patches.length).toBe(before);
    const output = `${result.stdout}${result.stderr}${JSON.stringify(result.report)}`;
    for (const secret of [c.env?.['AFFINITY_API_KEY'], c.secret])
      if (secret) expect(output).not.toContain(secret);
  });

  it('rejects each value that cannot convert with its reason, and still writes the rest of the row', async () => {
    const fields = Object.entries({ notes: 'Notes', ...valueColumns, memo: 'Memo' })
      .map(([column, field]) => `  ${column}: ${field}`)
      .join('\n');
    const result = await runMapping(
      'values',
      mapping({ source: pgSource('select * from deals order by n'), fields: `fields:\n${fields}` }),
    );
    const expected = valueCases.map((c, i) => ({
      code: 'rejected-value',
      row: i + 1,
      key: `company_id=${i + 1}`,
      column: c.column,
      reason: c.reason,
    }));
    expect(result.report?.problems).toEqual(expected);
    expect(result.code).toBe(1);
    expect(result.report?.status).toBe('partial');
    expect(result.report?.rows).toMatchObject({
      read: valueCases.length,
      matched: valueCases.length,
      rejected: valueCases.length,
    });
    expect(result.report?.fields).toEqual({
      written: valueCases.length,
      unchanged: 0,
      rejected: valueCases.length,
    });
    // The summary shows the first 20 problems as a person reads them.
    expect(result.stdout).toContain(`  problems (20 of ${valueCases.length}):\n`);
    for (const p of expected.slice(0, 20))
      expect(result.stdout).toContain(`    row ${p.row}, ${p.key}, column ${p.column}: ${p.reason}\n`);
    // Each row's valid value landed; no rejected value reached Affinity.
    const list = sim.state.lists.get(listId)!;
    for (let i = 1; i <= valueCases.length; i++) {
      expect(Object.fromEntries(list.entryById.get(100 + i)!.values)).toEqual({ 'field-1': `note ${i}` });
    }
  });

  it('reports match keys that are not domains as unmatched rows, with the reason', async () => {
    const result = await runMapping(
      'domains',
      mapping({
        source: pgSource('select * from sites order by n'),
        match: 'match:\n  - column: website\n    by: domain',
      }),
    );
    expect(result.report?.problems).toEqual(
      domainCases.map((c, i) => ({
        code: 'invalid-key',
        row: i + 1,
        column: 'website',
        value: JSON.stringify(c.value),
        reason: c.reason,
      })),
    );
    for (const c of domainCases) expect(result.stdout).toContain(`column website: ${c.reason}\n`);
    // Unmatched rows are not a failure of the run.
    expect(result.code).toBe(0);
    expect(result.report?.status).toBe('succeeded');
    expect(result.report?.rows).toMatchObject({ read: domainCases.length, unmatched: domainCases.length });
  });
});
