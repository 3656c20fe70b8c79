import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validate } from '../../src/cli/commands/validate.js';
import { type RunningSimulator, startSimulator } from '../../src/simulator/server.js';
import { mappingText as m } from './support.js';

let root: string;
let simulator: RunningSimulator;

const query =
  "select 101::BIGINT as company_id, 'acme.com' as domain, 12.5::DOUBLE as arr, 'Seed' as stage, true as flag";
const duckdb = `source:\n  type: duckdb\n  query: "${query}"\n`;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'affinity-sync-validate-'));
  simulator = await startSimulator({
    fixture: {
      companies: [{ id: 101, name: 'Acme', domain: 'acme.com' }],
      persons: [{ id: 201, firstName: 'Jane', lastName: 'Doe', primaryEmailAddress: 'jane@acme.com' }],
      opportunities: [{ id: 301, name: 'Acme Series B', listId: 19 }],
      companyFields: [
        { id: 'field-50', name: 'Headcount', type: 'global', valueType: 'number' },
        { id: 'affinity-data-employees', name: 'Employees', type: 'enriched', valueType: 'number' },
      ],
      lists: [
        { id: 18, name: 'Founders', type: 'person', entries: [{ id: 2001, entityId: 201 }] },
        { id: 19, name: 'Deals', type: 'opportunity', entries: [{ id: 3001, entityId: 301 }] },
        {
          id: 7,
          name: 'Portfolio',
          type: 'company',
          fields: [
            { id: 'field-1', name: 'ARR', type: 'list', valueType: 'number' },
            {
              id: 'field-2',
              name: 'Stage',
              type: 'list',
              valueType: 'ranked-dropdown',
              dropdownOptions: [{ id: 1, text: 'Seed', rank: 0 }],
            },
            { id: 'field-3', name: 'Flag Date', type: 'list', valueType: 'datetime' },
            { id: 'affinity-data-description', name: 'Description', type: 'enriched', valueType: 'text' },
          ],
          entries: [{ id: 1001, entityId: 101 }],
        },
        {
          id: 8,
          name: 'Restricted',
          type: 'company',
          fields: [
            { id: 'field-1', name: 'ARR', type: 'list', valueType: 'number' },
            { id: 'field-h1', name: 'Deal Terms', type: 'hidden', valueType: 'text' },
          ],
          entries: [{ id: 1002, entityId: 101 }],
        },
      ],
    },
  });
});
afterAll(async () => {
  await simulator?.close();
  await rm(root, { recursive: true, force: true });
});

async function folder(name: string, files: Record<string, string>): Promise<string> {
  const dir = join(root, name);
  await mkdir(dir);
  for (const [file, text] of Object.entries(files)) await writeFile(join(dir, file), text);
  return dir;
}

async function run(argv: string[], env: NodeJS.ProcessEnv = {}) {
  let out = '';
  let err = '';
  const code = await validate(argv, { env, out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out: out.replaceAll(root, '<root>'), err: err.replaceAll(root, '<root>') };
}

const remoteEnv = () => ({ AFFINITY_API_KEY: simulator.apiKey, AFFINITY_BASE_URL: simulator.url });

describe('affinity-sync validate (offline)', () => {
  it('prints ok per valid file and exits 0', async () => {
    const dir = await folder('ok', {
      'a.yaml': m({ name: 'name: alpha\n' }),
      'b.yaml': m({ name: 'name: beta\n' }),
    });
    expect(await run([dir])).toEqual({
      code: 0,
      out: 'ok <root>/ok/a.yaml (alpha)\nok <root>/ok/b.yaml (beta)\n',
      err: '',
    });
  });

  it('prints every problem of every file and exits 2', async () => {
    const dir = await folder('bad', {
      'a.yaml': m({ name: 'name: alpha\n' }),
      'b.yaml': m({ name: 'name: Beta\n', mode: 'mode: fast\n' }),
      'c.yaml': m({ name: 'name: alpha\n' }),
    });
    expect(await run([dir])).toEqual({
      code: 2,
      out: 'ok <root>/bad/a.yaml (alpha)\n',
      err: [
        '<root>/bad/b.yaml:1:7 name: expected a name of lowercase letters, digits and dashes, like "portfolio-metrics", found "Beta"',
        '<root>/bad/b.yaml:11:7 mode: expected diff or overwrite, found "fast"',
        '<root>/bad/c.yaml:1:7 name: "alpha" is also the name of <root>/bad/a.yaml; names must be unique in the mappings folder',
        '3 problems in 2 of 3 mapping files',
        '',
      ].join('\n'),
    });
  });

  it('checks one file, defaults to MAPPINGS_DIR, and says when a folder has no mappings', async () => {
    const dir = await folder('one', { 'a.yaml': m({ name: 'name: alpha\n' }) });
    expect((await run([join(dir, 'a.yaml')])).out).toBe('ok <root>/one/a.yaml (alpha)\n');
    expect((await run([], { MAPPINGS_DIR: dir })).code).toBe(0);
    const empty = await folder('empty', {});
    expect(await run([empty])).toEqual({
      code: 2,
      out: '',
      err: '<root>/empty has no mapping files (*.yaml, *.yml)\n',
    });
    expect(await run([join(root, 'missing')])).toEqual({
      code: 2,
      out: '',
      err: '<root>/missing: no such file or folder\n1 problem in 1 of 1 mapping file\n',
    });
  });

  it('exits 2 on bad arguments', async () => {
    expect((await run(['--frobnicate'])).code).toBe(2);
    expect((await run(['a', 'b'])).err).toContain('expected one file or folder, found 2');
  });

  it('exits with the code through the CLI', async () => {
    const dir = await folder('cli', { 'a.yaml': m({ mode: 'mode: fast\n' }) });
    const cli = join(import.meta.dirname, '..', '..', 'src', 'cli', 'main.ts');
    await expect(
      promisify(execFile)(process.execPath, ['--import', 'tsx', cli, 'validate', dir]),
    ).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining('a.yaml:11:7 mode: expected diff or overwrite, found "fast"'),
    });
  });
});

describe('affinity-sync validate --remote (against the simulator)', () => {
  it('prints the resolved plan for a mapping that resolves', async () => {
    const dir = await folder('remote-ok', {
      'a.yaml': m({
        name: 'name: portfolio\n',
        source: duckdb,
        list: 'list: 7\n',
        match: 'match:\n  - column: company_id\n    by: entityId\n  - column: domain\n    by: domain\n',
        fields: 'fields:\n  arr: field-1\n  stage:\n    field: stage\n    onNull: clear\n',
      }),
    });
    expect(await run([dir, '--remote'], remoteEnv())).toEqual({
      code: 0,
      out: [
        'ok <root>/remote-ok/a.yaml (portfolio)',
        '  list 7 "Portfolio" (company)',
        '  column  field id  field name  valueType        onNull',
        '  arr     field-1   ARR         number           skip',
        '  stage   field-2   Stage       ranked-dropdown  clear',
        // The quota forecast (issue 15.3): the reads it knows, the allowance the responses report.
        '  calls    a real run reads 2 (1 field page, 1 dropdown option list) + 1 per 100 list entries, then writes 1 per changed entry (per 100 changed fields); `run --dry-run` counts them exactly',
        '  quota    no monthly quota reported (unlimited)',
        '',
      ].join('\n'),
      err: '',
    });
  });

  it('reports fields that do not resolve, are read-only, missing columns and types that cannot convert', async () => {
    const dir = await folder('remote-bad', {
      'a.yaml': m({
        name: 'name: portfolio\n',
        source: duckdb,
        list: 'list: 7\n',
        match: 'match:\n  - column: company_key\n    by: entityId\n',
        fields: 'fields:\n  arr: Revenue\n  domain: Description\n  flag: Flag Date\n  missing: ARR\n',
      }),
      'b.yaml': m({
        name: 'name: other\n',
        source: duckdb,
        list: 'list: 999\n',
        match: 'match:\n  - column: company_id\n    by: entityId\n',
      }),
    });
    const result = await run([dir, '--remote'], remoteEnv());
    expect(result.err).toBe(
      [
        '<root>/remote-bad/a.yaml:7:13 match[0].column: column "company_key" is not in the query\'s result (it has: company_id, domain, arr, stage, flag)',
        '<root>/remote-bad/a.yaml:10:8 fields.arr: list 7 has no field named "Revenue"; its fields: "ARR" (field-1), "Stage" (field-2), "Flag Date" (field-3), "Description" (affinity-data-description)',
        '<root>/remote-bad/a.yaml:11:11 fields.domain: affinity-data-description ("Description") cannot be written: enriched fields are maintained by Affinity and cannot be written',
        '<root>/remote-bad/a.yaml:12:9 fields.flag: column "flag" is boolean (BOOLEAN) and cannot convert to the datetime field field-3 ("Flag Date")',
        '<root>/remote-bad/a.yaml:13:12 fields.missing: column "missing" is not in the query\'s result (it has: company_id, domain, arr, stage, flag)',
        '<root>/remote-bad/b.yaml:5:7 list: list 999 was not found in Affinity (or the API key cannot see it)',
        '6 problems in 2 of 2 mapping files',
        '',
      ].join('\n'),
    );
    expect(result).toMatchObject({ code: 2, out: '' });
  });

  it('notes conversions that depend on the values', async () => {
    const dir = await folder('remote-note', {
      'a.yaml': m({
        source: `source:\n  type: duckdb\n  query: "select 101 as id, '12' as arr"\n`,
        list: 'list: 7\n',
        fields: 'fields:\n  arr: ARR\n',
      }),
    });
    const result = await run([dir, '--remote'], remoteEnv());
    expect(result.code).toBe(0);
    expect(result.err).toBe(
      'note <root>/remote-note/a.yaml:10:8 fields.arr: column "arr" is text (VARCHAR); each value must read as the number field field-1 ("ARR")\n',
    );
  });

  it('notes a hidden field (a run skips it) and plans the rest', async () => {
    const dir = await folder('remote-hidden', {
      'a.yaml': m({
        source: `source:\n  type: duckdb\n  query: "select 101 as id, 12.5::DOUBLE as arr, 'x' as terms"\n`,
        list: 'list: 8\n',
        fields: 'fields:\n  arr: ARR\n  terms: Deal Terms\n',
      }),
    });
    expect(await run([dir, '--remote'], remoteEnv())).toEqual({
      code: 0,
      out: [
        'ok <root>/remote-hidden/a.yaml (test-mapping)',
        '  list 8 "Restricted" (company)',
        '  column  field id  field name  valueType  onNull',
        '  arr     field-1   ARR         number     skip',
        '  calls    a real run reads 1 (1 field page, 0 dropdown option lists) + 1 per 100 list entries, then writes 1 per changed entry (per 100 changed fields); `run --dry-run` counts them exactly',
        '  quota    no monthly quota reported (unlimited)',
        '',
      ].join('\n'),
      err:
        'note <root>/remote-hidden/a.yaml:11:10 fields.terms: field-h1 ("Deal Terms") is skipped (never written): ' +
        'Affinity reports its type as "hidden" (a restricted field this API key cannot manage; its value is masked); ' +
        "give the API key's user access to it, or remove it from the mapping\n",
    });
  });

  it('reports a query that cannot be described as a problem at source', async () => {
    const dir = await folder('remote-sql', {
      'a.yaml': m({
        source: 'source:\n  type: duckdb\n  query: select * from no_such_table\n',
        list: 'list: 7\n',
      }),
    });
    const result = await run([dir, '--remote'], remoteEnv());
    expect(result.code).toBe(2);
    expect(result.err).toMatch(
      /^<root>\/remote-sql\/a\.yaml:3:3 source: the query could not be described: .*no_such_table/,
    );
  });

  it('needs an API key', async () => {
    const dir = await folder('remote-key', { 'a.yaml': m() });
    expect(await run([dir, '--remote'], {})).toEqual({
      code: 2,
      out: '',
      err: 'affinity-sync validate --remote: AFFINITY_API_KEY is not set: create a key in Affinity (Settings → API) and export AFFINITY_API_KEY=…\n',
    });
  });

  it('resolves a companies target among their own fields and says which rules it takes', async () => {
    const dir = await folder('remote-target', {
      'a.yaml': m({
        name: 'name: headcount\n',
        source: duckdb,
        list: 'target: companies\n',
        match: 'match:\n  - column: company_id\n    by: entityId\n  - column: domain\n    by: domain\n',
        fields: 'fields:\n  arr: Headcount\n',
      }),
      'b.yaml': m({
        name: 'name: stage\n',
        source: duckdb,
        list: 'target: companies\n',
        match: 'match:\n  - column: company_id\n    by: entityId\n',
        fields: 'fields:\n  stage: Stage\n  arr: Employees\n',
      }),
    });
    const result = await run([dir, '--remote'], remoteEnv());
    expect(result.out).toBe(
      [
        'ok <root>/remote-target/a.yaml (headcount)',
        '  target companies (their own fields), matched by entityId / domain',
        '  column  field id  field name  valueType  onNull',
        '  arr     field-50  Headcount   number     skip',
        '  calls    a real run reads 1 (1 field page, 0 dropdown option lists) + 1 per 100 matched records and a search per domain or e-mail not seen before, then writes 1 per changed record (per 100 changed fields); `run --dry-run` counts them exactly',
        '  quota    no monthly quota reported (unlimited)',
        '',
      ].join('\n'),
    );
    expect(result.err).toBe(
      [
        '<root>/remote-target/b.yaml:10:10 fields.stage: companies have no field named "Stage"; their fields: "Headcount" (field-50), "Employees" (affinity-data-employees), "Description" (affinity-data-description), "Deal Terms" (field-h1)',
        '<root>/remote-target/b.yaml:11:8 fields.arr: affinity-data-employees ("Employees") cannot be written: enriched fields are maintained by Affinity and cannot be written',
        '2 problems in 1 of 2 mapping files',
        '',
      ].join('\n'),
    );
  });

  it('says domain and email do not apply to opportunity lists, nor domain to person lists', async () => {
    const rule = (by: string) => `match:\n  - column: company_id\n    by: ${by}\n`;
    const dir = await folder('remote-rules', {
      'a.yaml': m({ name: 'name: deals\n', source: duckdb, list: 'list: 19\n', match: rule('domain') }),
      'b.yaml': m({ name: 'name: deals-mail\n', source: duckdb, list: 'list: 19\n', match: rule('email') }),
      'c.yaml': m({ name: 'name: founders\n', source: duckdb, list: 'list: 18\n', match: rule('domain') }),
      'd.yaml': m({ name: 'name: portfolio\n', source: duckdb, list: 'list: 7\n', match: rule('email') }),
    });
    const result = await run([dir, '--remote'], remoteEnv());
    expect(result.err.split('\n').filter((line) => line.includes('match[0].by'))).toEqual([
      '<root>/remote-rules/a.yaml:8:9 match[0].by: domain does not apply to opportunity lists: list 19 ("Deals") is an opportunity list, matched by entityId or listEntryId',
      '<root>/remote-rules/b.yaml:8:9 match[0].by: email does not apply to opportunity lists: list 19 ("Deals") is an opportunity list, matched by entityId or listEntryId',
      '<root>/remote-rules/c.yaml:8:9 match[0].by: domain does not apply to person lists: list 18 ("Founders") is a person list, matched by entityId, listEntryId or email',
      '<root>/remote-rules/d.yaml:8:9 match[0].by: email does not apply to company lists: list 7 ("Portfolio") is a company list, matched by entityId, listEntryId or domain',
    ]);
    expect(result.code).toBe(2);
  });
});
