import { describe, expect, it } from 'vitest';
import type { ValueType } from '../../src/affinity/value-type.js';
import type { SourceValue } from '../../src/sources/source.js';
import { convertValue, type FieldTarget } from '../../src/sync/convert-value.js';

const options = [
  { id: 11, text: 'Lead' },
  { id: 12, text: 'Won' },
  { id: 13, text: 'Lost' },
  { id: 14, text: 'Series A, B' },
  { id: 15, text: '3' },
  { id: 16, text: 'On hold' },
  { id: 17, text: 'Dup' },
  { id: 18, text: 'dup ' },
];

function target(valueType: ValueType): FieldTarget {
  return { fieldId: 'field-1', fieldName: 'Stage', valueType, dropdownOptions: options };
}

function data(valueType: ValueType, raw: SourceValue): unknown {
  const result = convertValue(raw, target(valueType));
  if (!result.ok) throw new Error(`expected ${valueType} to accept ${String(raw)}: ${result.reason}`);
  expect(result.value.type).toBe(valueType);
  return result.value.data;
}

function reason(valueType: ValueType, raw: SourceValue): string {
  const result = convertValue(raw, target(valueType));
  if (result.ok) throw new Error(`expected ${valueType} to reject, got ${JSON.stringify(result.value)}`);
  return result.reason;
}

describe('convertValue: number', () => {
  it.each<[SourceValue, number]>([
    [1250, 1250],
    [-0.5, -0.5],
    ['42', 42],
    [' -12.50 ', -12.5],
    ['+7', 7],
    ['1e3', 1000],
    ['.5', 0.5],
    ['12345678901234.5', 12345678901234.5],
    ['9007199254740991', 9007199254740991],
    ['100000000000000000000', 1e20],
    [123n, 123],
    [-9007199254740991n, -9007199254740991],
    // Zero written as zero, and the smallest doubles (subnormal) are still numbers.
    ['0e5', 0],
    ['-0.000', -0],
    ['1e-320', 1e-320],
  ])('%s → %j', (raw, expected) => {
    expect(data('number', raw)).toBe(expected);
  });

  it.each<[SourceValue, string]>([
    ['abc', '"abc" is not a number'],
    ['', '"" is not a number'],
    ['1,234', '"1,234" is not a number'],
    ['0x10', '"0x10" is not a number'],
    ['NaN', '"NaN" is not a number'],
    [Number.NaN, 'NaN is not a number'],
    [Number.POSITIVE_INFINITY, 'Infinity is not a finite number'],
    [Number.NEGATIVE_INFINITY, '-Infinity is not a finite number'],
    ['1e400', '"1e400" is out of range for a number'],
    // Underflow: a nonzero text a double reads as 0 (it was written as 0 without a word).
    ['1.5e-400', '"1.5e-400" is out of range for a number (too small: it would be stored as 0)'],
    ['-1.5e-400', '"-1.5e-400" is out of range for a number (too small: it would be stored as 0)'],
    [
      `0.${'0'.repeat(400)}1`,
      `"0.${'0'.repeat(57)}…" is out of range for a number (too small: it would be stored as 0)`,
    ],
    [true, 'true is not a number'],
    [new Date('2024-01-15T00:00:00Z'), '2024-01-15T00:00:00.000Z is not a number'],
    [[1, 2], '[1,2] is not a number'],
    [
      '9007199254740993',
      '"9007199254740993" cannot be stored exactly: Affinity numbers are doubles, exact up to ±9007199254740991',
    ],
    [
      12345678901234567891n,
      '12345678901234567891 cannot be stored exactly: Affinity numbers are doubles, exact up to ±9007199254740991',
    ],
    [
      '123456789012345678.5',
      '"123456789012345678.5" cannot be stored exactly: Affinity numbers are doubles, exact up to ±9007199254740991',
    ],
  ])('%s: %s', (raw, expected) => {
    expect(reason('number', raw)).toBe(expected);
  });

  it('cuts a long value to about 60 characters in the reason', () => {
    expect(reason('number', 'x'.repeat(200))).toBe(`"${'x'.repeat(59)}…" is not a number`);
  });
});

describe('convertValue: text', () => {
  it.each<[ValueType, SourceValue, string]>([
    ['text', 'Hello, world', 'Hello, world'],
    ['text', '  kept as is ', '  kept as is '],
    ['text', '', ''],
    ['text', 'naïve 😀', 'naïve 😀'],
    ['text', 1.5, '1.5'],
    ['text', 12345678901234567891n, '12345678901234567891'],
    ['text', false, 'false'],
    ['filterable-text', new Date(Date.UTC(2024, 0, 15, 10)), '2024-01-15T10:00:00.000Z'],
  ])('%s %s → %j', (valueType, raw, expected) => {
    expect(data(valueType, raw)).toBe(expected);
  });

  it.each<[SourceValue, string]>([
    [{ a: 1 }, '{"a":1} is an object, not text (cast it to text in the query)'],
    [['a'], '["a"] is a list, not text (cast it to text in the query)'],
    [Number.NaN, 'NaN is not a finite number'],
    [new Date(Number.NaN), 'Invalid Date is not a valid date'],
    ['bad \uD800 half', '"bad \\ud800 half" is not valid Unicode text'],
  ])('%s: %s', (raw, expected) => {
    expect(reason('text', raw)).toBe(expected);
  });
});

describe('convertValue: datetime', () => {
  it.each<[SourceValue, string]>([
    ['2024-01-15', '2024-01-15T00:00:00Z'],
    ['2024-01-15T23:30:00-08:00', '2024-01-15T00:00:00Z'],
    ['2024-01-15T00:30:00+09:00', '2024-01-15T00:00:00Z'],
    ['2024-01-15 10:00:00', '2024-01-15T00:00:00Z'],
    // Local and UTC dates of this instant differ west of UTC: the UTC date is taken.
    [new Date(Date.UTC(2024, 0, 16, 2, 30)), '2024-01-16T00:00:00Z'],
    [new Date(Date.UTC(2024, 6, 4, 23, 59)), '2024-07-04T00:00:00Z'],
  ])('%s → %j', (raw, expected) => {
    expect(data('datetime', raw)).toBe(expected);
  });

  it.each<[SourceValue, string]>([
    ['2024-02-30', '"2024-02-30" is not a valid date (use YYYY-MM-DD or an ISO 8601 date-time)'],
    ['01/15/2024', '"01/15/2024" is not a valid date (use YYYY-MM-DD or an ISO 8601 date-time)'],
    ['', '"" is not a valid date (use YYYY-MM-DD or an ISO 8601 date-time)'],
    [new Date(Number.NaN), 'Invalid Date is not a valid date (use YYYY-MM-DD or an ISO 8601 date-time)'],
    [1705276800, '1705276800 is not a date'],
    [true, 'true is not a date'],
  ])('%s: %s', (raw, expected) => {
    expect(reason('datetime', raw)).toBe(expected);
  });
});

describe('convertValue: dropdown', () => {
  it.each<[ValueType, SourceValue, number]>([
    ['dropdown', 'Won', 12],
    ['dropdown', '  won  ', 12],
    ['dropdown', 'ON HOLD', 16],
    ['ranked-dropdown', 'Lost', 13],
    ['dropdown', 11, 11],
    ['dropdown', '13', 13],
    ['dropdown', 13n, 13],
    // Text wins over id: option "3" has id 15.
    ['dropdown', 3, 15],
    ['dropdown', '3', 15],
  ])('%s %s → option %d', (valueType, raw, id) => {
    expect(data(valueType, raw)).toEqual({ dropdownOptionId: id });
  });

  it.each<[SourceValue, string]>([
    [
      'Wonn',
      '"Wonn" is not an option of "Stage" (options are never created; valid: "Lead", "Won", "Lost", "Series A, B", "3" and 3 more)',
    ],
    [
      99,
      '99 is not an option of "Stage" (options are never created; valid: "Lead", "Won", "Lost", "Series A, B", "3" and 3 more)',
    ],
    ['dup', '"dup" matches 2 options of "Stage"; give the option id instead'],
    [{ id: 11 }, '{"id":11} is not an option of "Stage"'],
  ])('%s: %s', (raw, expected) => {
    expect(reason('dropdown', raw)).toBe(expected);
  });

  it('says when a field has no options', () => {
    const result = convertValue('Won', { fieldId: 'field-2', fieldName: 'Tier', valueType: 'dropdown' });
    expect(result).toEqual({
      ok: false,
      reason: '"Won" is not an option of "Tier" (it has no options; options are never created)',
    });
  });
});

describe('convertValue: dropdown-multi', () => {
  it.each<[SourceValue, number[]]>([
    [
      ['Lead', 'won'],
      [11, 12],
    ],
    ['Lead, Won', [11, 12]],
    ['Lead,Won,lead', [11, 12]],
    ['Series A, B', [14]],
    ['["Lost", 11]', [13, 11]],
    [[11, null, 'Lead'], [11]],
    ['Won', [12]],
    [12, [12]],
    [[], []],
    ['', []],
  ])('%s → options %j', (raw, ids) => {
    expect(data('dropdown-multi', raw)).toEqual(ids.map((id) => ({ dropdownOptionId: id })));
  });

  it.each<[SourceValue, string]>([
    [
      ['Lead', 'Nope'],
      'item 2: "Nope" is not an option of "Stage" (options are never created; valid: "Lead", "Won", "Lost", "Series A, B", "3" and 3 more)',
    ],
    ['["Lead"', '"[\\"Lead\\"" is not valid JSON'],
  ])('%s: %s', (raw, expected) => {
    expect(reason('dropdown-multi', raw)).toBe(expected);
  });
});

describe('convertValue: number-multi and filterable-text-multi', () => {
  it.each<[SourceValue, number[]]>([
    [
      [1, 2.5, '3'],
      [1, 2.5, 3],
    ],
    ['1, 2, 2', [1, 2]],
    ['[4, 5]', [4, 5]],
    [[7n], [7]],
  ])('number-multi %s → %j', (raw, expected) => {
    expect(data('number-multi', raw)).toEqual(expected);
  });

  it('rejects a number-multi with a bad item or more than 100 values', () => {
    expect(reason('number-multi', '1, x')).toBe('item 2: " x" is not a number');
    expect(reason('number-multi', { a: 1 })).toBe('{"a":1} is not a number');
    const many = Array.from({ length: 101 }, (_, i) => i);
    expect(reason('number-multi', many)).toBe('101 values are more than the 100 Affinity keeps in one field');
    expect(data('number-multi', [...many.slice(0, 100), 0, 1])).toHaveLength(100);
  });

  it.each<[SourceValue, string[]]>([
    [
      ['a', 'b', 'a'],
      ['a', 'b'],
    ],
    ['one, with comma', ['one, with comma']],
    ['["x", "y"]', ['x', 'y']],
    [
      [1, true],
      ['1', 'true'],
    ],
  ])('filterable-text-multi %s → %j', (raw, expected) => {
    expect(data('filterable-text-multi', raw)).toEqual(expected);
  });
});

describe('convertValue: location', () => {
  const paris = { streetAddress: null, city: 'Paris', state: null, country: 'France', continent: null };

  it.each<[SourceValue, unknown]>([
    [{ city: 'Paris', country: 'France' }, paris],
    ['{"city":"Paris","country":"France","state":""}', paris],
    [
      { streetAddress: '1 Main St', city: 'SF', state: 'CA', country: 'US', continent: 'North America' },
      { streetAddress: '1 Main St', city: 'SF', state: 'CA', country: 'US', continent: 'North America' },
    ],
  ])('%s → %j', (raw, expected) => {
    expect(data('location', raw)).toEqual(expected);
  });

  it.each<[SourceValue, string]>([
    [
      { city: 'Paris', zip: '75001' },
      'unknown key "zip" in location {"city":"Paris","zip":"75001"}; keys are streetAddress, city, state, country, continent',
    ],
    [{ city: 5 }, 'location city must be text or null, not 5'],
    [
      'Paris',
      '"Paris" is not a location (an object or JSON text with streetAddress, city, state, country, continent)',
    ],
    ['{city: Paris}', '"{city: Paris}" is not valid JSON'],
    [
      ['Paris'],
      '["Paris"] is not a location (an object or JSON text with streetAddress, city, state, country, continent)',
    ],
  ])('%s: %s', (raw, expected) => {
    expect(reason('location', raw)).toBe(expected);
  });

  it('takes a list of locations for location-multi, without duplicates', () => {
    expect(data('location-multi', [{ city: 'Paris', country: 'France' }, paris, { city: 'Rome' }])).toEqual([
      paris,
      { streetAddress: null, city: 'Rome', state: null, country: null, continent: null },
    ]);
    expect(data('location-multi', '[{"city":"Rome"}]')).toHaveLength(1);
    expect(data('location-multi', '{"city":"Rome"}')).toHaveLength(1);
  });
});

describe('convertValue: person and company', () => {
  it.each<[ValueType, SourceValue, unknown]>([
    ['person', 42, { id: 42 }],
    ['person', ' 42 ', { id: 42 }],
    ['company', 9007199254740991n, { id: 9007199254740991 }],
    ['person-multi', [1, '2', 2n], [{ id: 1 }, { id: 2 }]],
    ['company-multi', '5, 6', [{ id: 5 }, { id: 6 }]],
  ])('%s %s → %j', (valueType, raw, expected) => {
    expect(data(valueType, raw)).toEqual(expected);
  });

  it.each<[ValueType, SourceValue, string]>([
    ['person', 0, '0 is not a person id (a positive whole number)'],
    ['person', -3, '-3 is not a person id (a positive whole number)'],
    ['person', 1.5, '1.5 is not a person id (a positive whole number)'],
    ['company', 'acme', '"acme" is not a company id (a positive whole number)'],
    ['company', 9007199254740993n, '9007199254740993 is not a company id (a positive whole number)'],
    ['company-multi', [1, 'x'], 'item 2: "x" is not a company id (a positive whole number)'],
  ])('%s %s: %s', (valueType, raw, expected) => {
    expect(reason(valueType, raw)).toBe(expected);
  });
});

describe('convertValue: read-only and null', () => {
  it('rejects computed fields whatever the value', () => {
    expect(reason('formula-number', 1)).toBe('formula fields are computed and cannot be written');
    expect(reason('interaction', null)).toBe('interaction fields are computed and cannot be written');
  });

  it('converts null to a clear', () => {
    expect(convertValue(null, target('dropdown'))).toEqual({
      ok: true,
      value: { type: 'dropdown', data: null },
    });
  });
});
