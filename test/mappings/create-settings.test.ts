import { describe, expect, it } from 'vitest';
import { checkCreateTarget } from '../../src/mappings/check-create-target.js';
import { createSettingsOf, defaultMaxCreates } from '../../src/mappings/create-settings.js';
import { checkMappingText } from '../../src/mappings/load-mapping.js';
import type { ResolvedField } from '../../src/mappings/resolve-fields.js';
import { mappingText as m, problemsOf } from './support.js';

// The opt-in creation settings: absent means update-only (the normalized mapping is unchanged),
// and each rule between them and the match rules has one message, at its key.

const domainMatch = 'match:\n  - column: id\n    by: entityId\n  - column: domain\n    by: domain\n';
const source = 'source:\n  type: duckdb\n  query: select 1 as id, 2 as arr\n';
const text = (extra: string, match = domainMatch) => m({ source, match, mode: extra });

describe('creation settings', () => {
  it('absent: update-only, and the mapping normalizes as before', () => {
    const checked = checkMappingText(m(), 'x.yaml', {});
    expect(checked.problems).toEqual([]);
    const mapping = checked.mapping!;
    expect(Object.keys(mapping)).toEqual(['name', 'source', 'list', 'match', 'fields', 'mode']);
    expect(mapping.fields).toEqual({ arr: { field: 'field-1', onNull: 'skip' } });
    expect(createSettingsOf(mapping)).toEqual({
      onUnmatched: 'report',
      onUnknownCompany: 'report',
      companyName: undefined,
      maxCreates: defaultMaxCreates,
      optionColumns: [],
      enabled: false,
    });
    expect(defaultMaxCreates).toBe(100);
  });

  it('every setting together', () => {
    const yaml = m({
      source,
      match: domainMatch,
      fields: 'fields:\n  arr: field-1\n  stage:\n    field: Stage\n    options: create\n',
      mode: 'onUnmatched: add\nonUnknownCompany: create\ncompanyName: company_name\nmaxCreates: 5\n',
    });
    const checked = checkMappingText(yaml, 'x.yaml', {});
    expect(checked.problems).toEqual([]);
    expect(checked.mapping?.fields['stage']).toEqual({ field: 'Stage', onNull: 'skip', options: 'create' });
    expect(createSettingsOf(checked.mapping!)).toEqual({
      onUnmatched: 'add',
      onUnknownCompany: 'create',
      companyName: 'company_name',
      maxCreates: 5,
      optionColumns: ['stage'],
      enabled: true,
    });
  });

  it('options: create alone enables creation; options: reject is the default spelled out', () => {
    const yaml = (options: string) =>
      m({ fields: `fields:\n  arr: field-1\n  stage:\n    field: Stage\n    options: ${options}\n` });
    expect(createSettingsOf(checkMappingText(yaml('create'), 'x.yaml', {}).mapping!).enabled).toBe(true);
    expect(createSettingsOf(checkMappingText(yaml('reject'), 'x.yaml', {}).mapping!).enabled).toBe(false);
    expect(problemsOf(yaml('make'))).toEqual([
      'mappings/test.yaml:13:14 fields.stage.options: expected reject or create, found "make"',
    ]);
  });
});

describe('one message per invalid creation setting', () => {
  it('bad values', () => {
    expect(problemsOf(text('onUnmatched: insert\n'))).toEqual([
      'mappings/test.yaml:13:14 onUnmatched: expected report or add, found "insert"',
    ]);
    expect(problemsOf(text('onUnmatched: add\nonUnknownCompany: upsert\n'))).toEqual([
      'mappings/test.yaml:14:19 onUnknownCompany: expected report or create, found "upsert"',
    ]);
    expect(problemsOf(text('maxCreates: 0\n'))).toEqual([
      'mappings/test.yaml:13:13 maxCreates: expected a positive whole number, found the number 0',
    ]);
    expect(problemsOf(text('maxCreates: 2.5\n'))).toEqual([
      'mappings/test.yaml:13:13 maxCreates: expected a positive whole number, found the number 2.5',
    ]);
  });

  it('onUnmatched: add with only a listEntryId rule', () => {
    expect(problemsOf(text('onUnmatched: add\n', 'match:\n  - column: id\n    by: listEntryId\n'))).toEqual([
      'mappings/test.yaml:11:14 onUnmatched: add needs a match rule by entityId, domain or email to know which entity to add (a listEntryId names an entry that already exists)',
    ]);
  });

  it('onUnknownCompany: create without onUnmatched: add, a domain rule or companyName', () => {
    expect(
      problemsOf(text('onUnknownCompany: create\n', 'match:\n  - column: id\n    by: entityId\n')),
    ).toEqual([
      'mappings/test.yaml:11:19 onUnknownCompany: create adds each company it makes to the list, so it needs onUnmatched: add too',
      "mappings/test.yaml:11:19 onUnknownCompany: create needs a match rule by domain: the new company gets the row's domain",
      "mappings/test.yaml:11:19 onUnknownCompany: create needs companyName: the result column holding each new company's name (e.g. companyName: company_name)",
    ]);
  });

  it('creation on a target mapping (no list to add to)', () => {
    const target = m({
      list: 'target: companies\n',
      fields: 'fields:\n  arr:\n    field: field-1\n    options: create\n',
      mode: 'onUnmatched: add\n',
    });
    expect(problemsOf(target)).toEqual([
      'mappings/test.yaml:12:14 fields.arr.options: options: create makes options of list fields (POST /v2/lists/…/dropdown-options); target: companies has none to make',
      "mappings/test.yaml:13:14 onUnmatched: add needs a list: target: companies writes the companies' own fields; there is no list to add to",
    ]);
  });

  it('companyName without onUnknownCompany: create', () => {
    expect(problemsOf(text('onUnmatched: add\ncompanyName: name\n'))).toEqual([
      'mappings/test.yaml:14:14 companyName: only onUnknownCompany: create reads it; set that too, or remove companyName',
    ]);
  });
});

describe('what creation needs of the list and its fields (validate --remote, the engine)', () => {
  const mapping = (extra: string, fields = 'fields:\n  arr: field-1\n') =>
    checkMappingText(m({ source, match: domainMatch, fields, mode: extra }), 'x.yaml', {}).mapping!;
  const field = (column: string, valueType: ResolvedField['valueType']): ResolvedField => ({
    column,
    fieldId: `field-${column}`,
    fieldName: column.toUpperCase(),
    valueType,
    onNull: 'skip',
  });
  const company = { id: 7, name: 'Deals', type: 'company' as const };

  it('adding needs a company or person list; creating companies a company list', () => {
    const adds = mapping('onUnmatched: add\nonUnknownCompany: create\ncompanyName: n\n');
    expect(checkCreateTarget(adds, company, [])).toEqual([]);
    expect(checkCreateTarget(adds, { ...company, type: 'person' }, [])).toEqual([
      {
        path: 'onUnknownCompany',
        message: 'list 7 ("Deals") is a person list; create makes companies, so it needs a company list',
      },
    ]);
    expect(checkCreateTarget(adds, { ...company, type: 'opportunity' }, []).map((p) => p.message)).toEqual([
      'list 7 ("Deals") is an opportunity list: an entry there is a new opportunity, not an existing entity added, so add works on company and person lists only',
      'list 7 ("Deals") is an opportunity list; create makes companies, so it needs a company list',
    ]);
  });

  it('options: create needs a standard dropdown field; ranked dropdowns are refused with the reason', () => {
    const fields =
      'fields:\n  a:\n    field: A\n    options: create\n  b:\n    field: B\n    options: create\n  c:\n    field: C\n    options: create\n';
    const withOptions = mapping('', fields);
    expect(
      checkCreateTarget(withOptions, company, [
        field('a', 'dropdown'),
        field('b', 'dropdown-multi'),
        field('c', 'dropdown'),
      ]),
    ).toEqual([]);
    expect(
      checkCreateTarget(withOptions, company, [
        field('a', 'ranked-dropdown'),
        field('b', 'text'),
        field('c', 'dropdown'),
      ]),
    ).toEqual([
      {
        path: 'fields.a.options',
        message:
          'field-a ("A") is a ranked dropdown: its options are an ordered scale (each needs a rank and a color) that a warehouse text cannot place; add the option in Affinity and leave options: reject',
      },
      {
        path: 'fields.b.options',
        message:
          'field-b ("B") is a text field; options: create applies to dropdown and dropdown-multi fields',
      },
    ]);
  });
});
