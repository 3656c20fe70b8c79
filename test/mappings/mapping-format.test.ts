import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkMappingText } from '../../src/mappings/load-mapping.js';
import { mappingSchema } from '../../src/mappings/mapping-schema.js';
import { mappingText as m, problemsOf } from './support.js';

const example = readFileSync(join(import.meta.dirname, 'fixtures', 'portfolio.yaml'), 'utf8');

describe('the mapping format', () => {
  it('validates the issue example and normalizes it', () => {
    const checked = checkMappingText(example, 'mappings/portfolio.yaml', {
      WAREHOUSE_URL: 'postgres://sync@warehouse/analytics',
    });
    expect(checked.problems).toEqual([]);
    expect(checked.mapping).toEqual({
      name: 'portfolio-metrics',
      schedule: { cron: '0 2 * * *', timezone: 'America/Los_Angeles' },
      source: {
        type: 'postgres',
        url: 'postgres://sync@warehouse/analytics',
        query:
          'select company_id, domain, arr, stage, last_funding, sector, health\nfrom analytics.portfolio_metrics\n',
      },
      list: 12345,
      match: [
        { column: 'company_id', by: 'entityId' },
        { column: 'domain', by: 'domain' },
      ],
      fields: {
        arr: { field: 'field-36590', onNull: 'skip' },
        stage: { field: 'Stage', onNull: 'skip' },
        last_funding: { field: 'Last Funding Date', onNull: 'skip' },
        sector: { field: 'Sector', onNull: 'skip' },
        health: { field: 'field-35901', onNull: 'clear' },
      },
      mode: 'diff',
    });
  });

  it('fills defaults: no schedule, timezone UTC, mode diff, onNull skip', () => {
    expect(
      mappingSchema.parse({
        name: 'a',
        schedule: { cron: '*/15 * * * *' },
        source: { type: 'duckdb', query: 'select 1' },
        list: 1,
        match: [{ column: 'id', by: 'listEntryId' }],
        fields: { x: 'X', y: { field: 'affinity-data-location' } },
      }),
    ).toEqual({
      name: 'a',
      schedule: { cron: '*/15 * * * *', timezone: 'UTC' },
      source: { type: 'duckdb', query: 'select 1' },
      list: 1,
      match: [{ column: 'id', by: 'listEntryId' }],
      fields: { x: { field: 'X', onNull: 'skip' }, y: { field: 'affinity-data-location', onNull: 'skip' } },
      mode: 'diff',
    });
    expect(checkMappingText(m(), 'x.yaml', {}).mapping?.schedule).toBeUndefined();
  });

  it('accepts every source type and auth form', () => {
    for (const source of [
      'source:\n  type: postgres\n  url: postgres://localhost/db\n  query: select 1\n',
      "source:\n  type: duckdb\n  path: data/warehouse.duckdb\n  query: select * from read_csv('data/m.csv')\n",
      'source:\n  type: snowflake\n  account: myorg-acct\n  username: sync\n  password: pw\n  warehouse: wh\n  database: db\n  schema: s\n  role: r\n  query: select 1\n',
      'source:\n  type: snowflake\n  account: myorg-acct\n  username: sync\n  privateKeyPath: /keys/sync.p8\n  privateKeyPassphrase: x\n  query: select 1\n',
    ]) {
      expect(problemsOf(m({ source }))).toEqual([]);
    }
  });
});

describe('one message per invalid shape', () => {
  it('name with capitals and spaces', () => {
    expect(problemsOf(m({ name: 'name: Portfolio Metrics\n' }))).toEqual([
      'mappings/test.yaml:1:7 name: expected a name of lowercase letters, digits and dashes, like "portfolio-metrics", found "Portfolio Metrics"',
    ]);
  });

  it('name missing', () => {
    expect(problemsOf(m({ name: '' }))).toEqual([
      'mappings/test.yaml:1:1 name: expected a name of lowercase letters, digits and dashes, like "portfolio-metrics"; the key is missing',
    ]);
  });

  it('cron with 7 fields (4 are read as cron-parser reads them, so BullMQ schedules them)', () => {
    expect(problemsOf(m({ schedule: 'schedule:\n  cron: "0 0 2 * * * *"\n' }))).toEqual([
      'mappings/test.yaml:3:9 schedule.cron: expected a cron expression of 5 fields (minute hour day-of-month month day-of-week) or 6 (a second first), found 7 fields in "0 0 2 * * * *"',
    ]);
    expect(problemsOf(m({ schedule: 'schedule:\n  cron: "0 2 * *"\n' }))).toEqual([]);
  });

  it('cron hour out of range', () => {
    expect(problemsOf(m({ schedule: 'schedule:\n  cron: "0 25 * * *"\n' }))).toEqual([
      'mappings/test.yaml:3:9 schedule.cron: hour "25" in "0 25 * * *": out of range 0-23',
    ]);
  });

  it('cron day of week not a name', () => {
    expect(problemsOf(m({ schedule: 'schedule:\n  cron: "0 2 * * funday"\n' }))).toEqual([
      'mappings/test.yaml:3:9 schedule.cron: day of week "funday" in "0 2 * * funday": expected a number in 0-7 or SUN-SAT, *, a range, a step or a list',
    ]);
  });

  it('cron step of 0', () => {
    expect(problemsOf(m({ schedule: 'schedule:\n  cron: "*/0 * * * *"\n' }))).toEqual([
      'mappings/test.yaml:3:9 schedule.cron: minute "*/0" in "*/0 * * * *": the step after "/" must be a whole number of 1 or more',
    ]);
  });

  it('cron range running backwards', () => {
    expect(problemsOf(m({ schedule: 'schedule:\n  cron: "0 9-5 * * *"\n' }))).toEqual([
      'mappings/test.yaml:3:9 schedule.cron: hour "9-5" in "0 9-5 * * *": the range runs backwards (9-5)',
    ]);
  });

  it('unknown time zone', () => {
    expect(problemsOf(m({ schedule: 'schedule:\n  cron: "0 2 * * *"\n  timezone: Mars/Olympus\n' }))).toEqual(
      [
        'mappings/test.yaml:4:13 schedule.timezone: expected an IANA time zone like "America/Los_Angeles" or "UTC", found "Mars/Olympus"',
      ],
    );
  });

  it('schedule with no value', () => {
    expect(problemsOf(m({ schedule: 'schedule:\n' }))).toEqual([
      'mappings/test.yaml:2:1 schedule: expected a mapping with cron and timezone, found an empty value',
    ]);
  });

  it('unknown key at the top level', () => {
    expect(problemsOf(m({ mode: 'mdoe: diff\n' }))).toEqual([
      'mappings/test.yaml:11:1 mdoe: unknown key "mdoe" (did you mean "mode"?); expected one of name, schedule, source, list, match, fields, mode, tolerate, expect, onUnmatched, onUnknownCompany, companyName, maxCreates, sync, reconcileEvery',
    ]);
  });

  it('sync not live or incremental', () => {
    expect(problemsOf(m({ mode: 'sync: fast\n' }))).toEqual([
      'mappings/test.yaml:11:7 sync: expected live or incremental, found "fast"',
    ]);
  });

  it('reconcileEvery not a duration', () => {
    expect(problemsOf(m({ mode: 'sync: incremental\nreconcileEvery: 7 days\n' }))).toEqual([
      'mappings/test.yaml:12:17 reconcileEvery: expected a duration like "7d" (a whole number of m, h, d or w), found "7 days"',
    ]);
  });

  it('sync incremental on a target mapping, or with onUnmatched: add', () => {
    expect(problemsOf(m({ list: 'target: companies\n', mode: 'sync: incremental\n' }))).toEqual([
      "mappings/test.yaml:11:7 sync: incremental reads a list's change feed, and a target: companies mapping has no list (it reads its records by id already); remove sync: incremental",
    ]);
    expect(problemsOf(m({ mode: 'sync: incremental\nonUnmatched: add\n' }))).toEqual([
      'mappings/test.yaml:11:7 sync: incremental does not see entries added to the list since its last reconcile, so onUnmatched: add could add a company twice; use sync: live with onUnmatched: add',
    ]);
  });

  it('sync incremental with a reconcile period', () => {
    const checked = checkMappingText(m({ mode: 'sync: incremental\nreconcileEvery: 36h\n' }), 'x.yaml', {});
    expect(checked.mapping).toMatchObject({ sync: 'incremental', reconcileEvery: '36h' });
  });

  it('unknown key in schedule', () => {
    expect(problemsOf(m({ schedule: 'schedule:\n  cron: "0 2 * * *"\n  tz: UTC\n' }))).toEqual([
      'mappings/test.yaml:4:3 schedule.tz: unknown key "tz"; expected one of cron, timezone',
    ]);
  });

  it('unknown key in source', () => {
    expect(problemsOf(m({ source: 'source:\n  type: duckdb\n  query: select 1\n  file: x.db\n' }))).toEqual([
      'mappings/test.yaml:5:3 source.file: unknown key "file"; expected one of type, path, query',
    ]);
  });

  it('unknown key in a match rule', () => {
    expect(
      problemsOf(m({ match: 'match:\n  - column: id\n    by: entityId\n    fallback: true\n' })),
    ).toEqual([
      'mappings/test.yaml:9:5 match[0].fallback: unknown key "fallback"; expected one of column, by',
    ]);
  });

  it('unknown key in a field', () => {
    expect(problemsOf(m({ fields: 'fields:\n  arr:\n    field: field-1\n    onnull: clear\n' }))).toEqual([
      'mappings/test.yaml:12:5 fields.arr.onnull: unknown key "onnull" (did you mean "onNull"?); expected one of field, onNull, options',
    ]);
  });

  it('unknown source type', () => {
    expect(problemsOf(m({ source: 'source:\n  type: mysql\n  query: select 1\n' }))).toEqual([
      'mappings/test.yaml:3:9 source.type: expected one of postgres, snowflake, duckdb, found "mysql"',
    ]);
  });

  it('source without a type', () => {
    expect(problemsOf(m({ source: 'source:\n  query: select 1\n' }))).toEqual([
      'mappings/test.yaml:3:3 source.type: expected one of postgres, snowflake, duckdb; the key is missing',
    ]);
  });

  it('source missing', () => {
    expect(problemsOf(m({ source: '' }))).toEqual([
      'mappings/test.yaml:1:1 source: expected a source like {type: postgres, url, query}; the key is missing',
    ]);
  });

  it('postgres source without a query', () => {
    expect(problemsOf(m({ source: 'source:\n  type: postgres\n  url: postgres://localhost/db\n' }))).toEqual([
      'mappings/test.yaml:3:3 source.query: expected an SQL query; the key is missing',
    ]);
  });

  it('postgres source with an empty url', () => {
    expect(problemsOf(m({ source: 'source:\n  type: postgres\n  url: ""\n  query: select 1\n' }))).toEqual([
      'mappings/test.yaml:4:8 source.url: expected a postgres:// connection URL, found empty text',
    ]);
  });

  it('snowflake source with no auth', () => {
    expect(
      problemsOf(
        m({
          source: 'source:\n  type: snowflake\n  account: myorg-acct\n  username: sync\n  query: select 1\n',
        }),
      ),
    ).toEqual([
      'mappings/test.yaml:3:3 source: expected exactly one of privateKey, privateKeyPath or password, found none',
    ]);
  });

  it('snowflake source with two auths', () => {
    expect(
      problemsOf(
        m({
          source:
            'source:\n  type: snowflake\n  account: myorg-acct\n  username: sync\n  password: pw\n  privateKeyPath: /k.pem\n  query: select 1\n',
        }),
      ),
    ).toEqual([
      'mappings/test.yaml:3:3 source: expected exactly one of privateKey, privateKeyPath or password, found privateKeyPath and password',
    ]);
  });

  it('list not an integer', () => {
    expect(problemsOf(m({ list: 'list: 12.5\n' }))).toEqual([
      'mappings/test.yaml:5:7 list: expected an Affinity list id (a positive whole number), found the number 12.5',
    ]);
  });

  it('list given as text', () => {
    expect(problemsOf(m({ list: 'list: portfolio\n' }))).toEqual([
      'mappings/test.yaml:5:7 list: expected an Affinity list id (a positive whole number), found "portfolio"',
    ]);
  });

  it('negative list id', () => {
    expect(problemsOf(m({ list: 'list: -3\n' }))).toEqual([
      'mappings/test.yaml:5:7 list: expected an Affinity list id (a positive whole number), found the number -3',
    ]);
  });

  it('match empty', () => {
    expect(problemsOf(m({ match: 'match: []\n' }))).toEqual([
      'mappings/test.yaml:6:8 match: expected at least one match rule like {column: company_id, by: entityId}, found none',
    ]);
  });

  it('match rule with an unknown by', () => {
    expect(problemsOf(m({ match: 'match:\n  - column: id\n    by: name\n' }))).toEqual([
      'mappings/test.yaml:8:9 match[0].by: expected one of entityId, listEntryId, domain, email, found "name"',
    ]);
  });

  it('match not a list', () => {
    expect(problemsOf(m({ match: 'match:\n  column: id\n  by: entityId\n' }))).toEqual([
      'mappings/test.yaml:7:3 match: expected a list of match rules like {column: company_id, by: entityId}, found a mapping',
    ]);
  });

  it('match rule without a column', () => {
    expect(problemsOf(m({ match: 'match:\n  - by: entityId\n' }))).toEqual([
      'mappings/test.yaml:7:5 match[0].column: expected a column name of the query; the key is missing',
    ]);
  });

  it('field value a number', () => {
    expect(problemsOf(m({ fields: 'fields:\n  arr: 36590\n' }))).toEqual([
      'mappings/test.yaml:10:8 fields.arr: expected a field id like "field-123" or a field name (or {field, onNull}), found the number 36590',
    ]);
  });

  it('field value a list', () => {
    expect(problemsOf(m({ fields: 'fields:\n  arr: [field-1]\n' }))).toEqual([
      'mappings/test.yaml:10:8 fields.arr: expected a field id like "field-123" or a field name (or {field, onNull}), found a list',
    ]);
  });

  it('field value empty text', () => {
    expect(problemsOf(m({ fields: 'fields:\n  arr: ""\n' }))).toEqual([
      'mappings/test.yaml:10:8 fields.arr: expected a field id like "field-123" or a field name, found empty text',
    ]);
  });

  it('fields empty', () => {
    expect(problemsOf(m({ fields: 'fields: {}\n' }))).toEqual([
      'mappings/test.yaml:9:9 fields: expected at least one column: field entry, found none',
    ]);
  });

  it('bad onNull', () => {
    expect(problemsOf(m({ fields: 'fields:\n  arr:\n    field: field-1\n    onNull: delete\n' }))).toEqual([
      'mappings/test.yaml:12:13 fields.arr.onNull: expected skip or clear, found "delete"',
    ]);
  });

  it('long form without field', () => {
    expect(problemsOf(m({ fields: 'fields:\n  arr:\n    onNull: clear\n' }))).toEqual([
      'mappings/test.yaml:11:5 fields.arr.field: expected a field id like "field-123" or a field name; the key is missing',
    ]);
  });

  it('bad mode', () => {
    expect(problemsOf(m({ mode: 'mode: replace\n' }))).toEqual([
      'mappings/test.yaml:11:7 mode: expected diff or overwrite, found "replace"',
    ]);
  });

  it('YAML syntax error (unclosed flow list)', () => {
    expect(problemsOf(m({ fields: 'fields:\n  arr: [field-1\n' }))).toEqual([
      'mappings/test.yaml:11:1 YAML syntax error: Flow sequence in block collection must be sufficiently indented and end with a ]',
    ]);
  });

  it('YAML syntax error (tab indentation)', () => {
    expect(problemsOf('name: x\n\tlist: 1\n')).toEqual([
      'mappings/test.yaml:2:1 YAML syntax error: Tabs are not allowed as indentation',
    ]);
  });

  it('duplicate key', () => {
    expect(problemsOf(m({ mode: 'list: 1\n' }))).toEqual([
      'mappings/test.yaml:11:1 YAML syntax error: Map keys must be unique',
    ]);
  });

  it('the document is a list', () => {
    expect(problemsOf('- a\n- b\n')).toEqual([
      'mappings/test.yaml:1:1 expected a mapping with name, source, list, match and fields, found a list',
    ]);
  });

  it('empty file', () => {
    expect(problemsOf('')).toEqual([
      'mappings/test.yaml:1:1 the file is empty; expected a mapping with name, source, list, match and fields',
    ]);
  });

  it('reports several problems of one file together, in file order', () => {
    expect(problemsOf(m({ name: 'name: Bad_Name\n', list: 'list: x\n', mode: 'mode: fast\n' }))).toEqual([
      'mappings/test.yaml:1:7 name: expected a name of lowercase letters, digits and dashes, like "portfolio-metrics", found "Bad_Name"',
      'mappings/test.yaml:5:7 list: expected an Affinity list id (a positive whole number), found "x"',
      'mappings/test.yaml:11:7 mode: expected diff or overwrite, found "fast"',
    ]);
  });
});

describe('targets: exactly one of list and target, and the rules each takes', () => {
  const companies = 'target: companies\n';
  const rules = (...rows: string[]) => `match:\n${rows.map((r) => `  - ${r}\n`).join('')}`;

  it('a companies target matched by id then domain, and a persons target by e-mail, normalize', () => {
    expect(
      problemsOf(
        m({ list: companies, match: rules('column: id\n    by: entityId', 'column: web\n    by: domain') }),
      ),
    ).toEqual([]);
    const checked = checkMappingText(
      m({ list: 'target: persons\n', match: rules('column: id\n    by: email') }),
      'x.yaml',
      {},
    );
    expect(checked.mapping).toMatchObject({ target: 'persons', match: [{ column: 'id', by: 'email' }] });
    expect(checked.mapping).not.toHaveProperty('list');
  });

  it('both list and target', () => {
    expect(problemsOf(m({ list: 'list: 12345\ntarget: companies\n' }))).toEqual([
      'mappings/test.yaml:6:9 target: give either list (the entries of list 12345) or target (companies themselves), not both',
    ]);
  });

  it('neither list nor target', () => {
    expect(problemsOf(m({ list: '' }))).toEqual([
      'mappings/test.yaml:1:1 list: expected an Affinity list id (list: 12345) or target: companies | persons (their global fields); neither is given',
    ]);
  });

  it('an unknown target', () => {
    expect(problemsOf(m({ list: 'target: deals\n' }))).toEqual([
      'mappings/test.yaml:5:9 target: expected companies or persons, found "deals"',
    ]);
  });

  it('rules that do not apply to the target say which do', () => {
    expect(
      problemsOf(
        m({
          list: companies,
          match: rules(
            'column: id\n    by: listEntryId',
            'column: mail\n    by: email',
            'column: id\n    by: entityId',
          ),
        }),
      ),
    ).toEqual([
      'mappings/test.yaml:8:9 match[0].by: listEntryId does not apply to target: companies (companies have no list entries); it matches by entityId or domain',
      'mappings/test.yaml:10:9 match[1].by: email does not apply to target: companies; it matches by entityId or domain',
    ]);
    expect(problemsOf(m({ list: 'target: persons\n', match: rules('column: web\n    by: domain') }))).toEqual(
      [
        'mappings/test.yaml:8:9 match[0].by: domain does not apply to target: persons; it matches by entityId or email',
      ],
    );
  });

  it('a list matched by domain and by e-mail cannot be any list', () => {
    expect(
      problemsOf(m({ match: rules('column: web\n    by: domain', 'column: mail\n    by: email') })),
    ).toEqual([
      'mappings/test.yaml:10:9 match[1].by: a list holds companies or persons, not both: domain (match[0]) matches on company lists, email (match[1]) on person lists',
    ]);
  });

  it('the unknown-key hint offers target only when there is no list', () => {
    expect(problemsOf(m({ list: companies, mode: 'mdoe: diff\n' }))).toEqual([
      'mappings/test.yaml:11:1 mdoe: unknown key "mdoe" (did you mean "mode"?); expected one of name, schedule, source, target, match, fields, mode, tolerate, expect',
    ]);
    expect(problemsOf(m({ list: '', mode: 'lst: 1\n' }))).toEqual([
      'mappings/test.yaml:1:1 list: expected an Affinity list id (list: 12345) or target: companies | persons (their global fields); neither is given',
      'mappings/test.yaml:10:1 lst: unknown key "lst" (did you mean "list"?); expected one of name, schedule, source, list, target, match, fields, mode, tolerate, expect, onUnmatched, onUnknownCompany, companyName, maxCreates, sync, reconcileEvery',
    ]);
  });
});
