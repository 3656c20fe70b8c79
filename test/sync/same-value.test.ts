import { describe, expect, it } from 'vitest';
import type { FieldValueUpdate } from '../../src/affinity/field-value.js';
import type { FieldValueRead } from '../../src/affinity/schemas.js';
import { sameValue } from '../../src/sync/same-value.js';

const read = (
  type: FieldValueRead['type'],
  data: unknown,
  extra: Record<string, unknown> = {},
): FieldValueRead => ({
  type,
  data,
  ...extra,
});

describe('sameValue', () => {
  it('compares numbers by value and text exactly', () => {
    expect(sameValue(read('number', 1250), { type: 'number', data: 1250 })).toBe(true);
    expect(sameValue(read('number', 1250.5), { type: 'number', data: 1250 })).toBe(false);
    expect(sameValue(read('number', 0), { type: 'number', data: -0 })).toBe(true);
    expect(sameValue(read('number', 0), { type: 'number', data: null })).toBe(false);
    expect(sameValue(read('text', 'Acme'), { type: 'text', data: 'Acme' })).toBe(true);
    expect(sameValue(read('text', 'Acme'), { type: 'text', data: 'acme' })).toBe(false);
    expect(sameValue(read('text', 'Acme'), { type: 'text', data: 'Acme ' })).toBe(false);
    expect(sameValue(read('filterable-text', 'x'), { type: 'filterable-text', data: 'x' })).toBe(true);
  });

  it('treats missing, null, empty text and empty lists as one empty value', () => {
    expect(sameValue(undefined, { type: 'number', data: null })).toBe(true);
    expect(sameValue(read('text', null), { type: 'text', data: '' })).toBe(true);
    expect(sameValue(read('text', ''), { type: 'text', data: null })).toBe(true);
    expect(sameValue(read('dropdown-multi', null), { type: 'dropdown-multi', data: [] })).toBe(true);
    expect(sameValue(undefined, { type: 'person-multi', data: [] })).toBe(true);
    expect(sameValue(undefined, { type: 'number', data: 3 })).toBe(false);
    expect(sameValue(read('number', 3), { type: 'number', data: null })).toBe(false);
    expect(sameValue(read('number-multi', null), { type: 'number-multi', data: [1] })).toBe(false);
  });

  it('sees a value of another type as different', () => {
    expect(sameValue(read('text', '5'), { type: 'number', data: 5 })).toBe(false);
  });

  it('compares dates by their calendar date in America/Los_Angeles', () => {
    const jan15: FieldValueUpdate = { type: 'datetime', data: '2024-01-15T00:00:00Z' };
    const apr1: FieldValueUpdate = { type: 'datetime', data: '2024-04-01T00:00:00Z' };
    // Winter: midnight Pacific is 08:00Z; summer (PDT): 07:00Z.
    expect(sameValue(read('datetime', '2024-01-15T08:00:00.000Z'), jan15)).toBe(true);
    expect(sameValue(read('datetime', '2024-04-01T07:00:00Z'), apr1)).toBe(true);
    expect(sameValue(read('datetime', '2024-01-15T00:00:00Z'), jan15)).toBe(false);
    expect(sameValue(read('datetime', '2024-01-16T08:00:00.000Z'), jan15)).toBe(false);
    expect(sameValue(read('datetime', null), jan15)).toBe(false);
    expect(sameValue(read('datetime', 'garbage'), jan15)).toBe(false);
  });

  it('compares dropdowns by option id, whatever the text, rank or color', () => {
    expect(
      sameValue(read('dropdown', { dropdownOptionId: 12, text: 'Won' }), {
        type: 'dropdown',
        data: { dropdownOptionId: 12 },
      }),
    ).toBe(true);
    expect(
      sameValue(read('ranked-dropdown', { dropdownOptionId: 3, text: 'High', rank: 2, color: 'red' }), {
        type: 'ranked-dropdown',
        data: { dropdownOptionId: 3 },
      }),
    ).toBe(true);
    expect(
      sameValue(read('dropdown', { dropdownOptionId: 12, text: 'Won' }), {
        type: 'dropdown',
        data: { dropdownOptionId: 13 },
      }),
    ).toBe(false);
  });

  it('compares multi values as sets', () => {
    const current = read('dropdown-multi', [
      { dropdownOptionId: 2, text: 'B' },
      { dropdownOptionId: 1, text: 'A' },
    ]);
    const ids = (...list: number[]): FieldValueUpdate => ({
      type: 'dropdown-multi',
      data: list.map((id) => ({ dropdownOptionId: id })),
    });
    expect(sameValue(current, ids(1, 2))).toBe(true);
    expect(sameValue(current, ids(1, 2, 2))).toBe(true);
    expect(sameValue(current, ids(1))).toBe(false);
    expect(sameValue(current, ids(1, 2, 3))).toBe(false);
    expect(sameValue(read('number-multi', [3, 1, 2]), { type: 'number-multi', data: [1, 2, 3] })).toBe(true);
    expect(sameValue(read('number-multi', [3, 1]), { type: 'number-multi', data: [1, 2] })).toBe(false);
    expect(
      sameValue(read('filterable-text-multi', ['b', 'a']), {
        type: 'filterable-text-multi',
        data: ['a', 'b'],
      }),
    ).toBe(true);
    expect(
      sameValue(read('person-multi', [{ id: 2, firstName: 'B' }, { id: 1 }]), {
        type: 'person-multi',
        data: [{ id: 1 }, { id: 2 }],
      }),
    ).toBe(true);
    expect(
      sameValue(read('company-multi', [{ id: 2, name: 'B', domain: 'b.com' }]), {
        type: 'company-multi',
        data: [{ id: 3 }],
      }),
    ).toBe(false);
  });

  it('writes when Affinity cut a multi value at 100 items', () => {
    const hundred = Array.from({ length: 100 }, (_, i) => i);
    expect(
      sameValue(read('number-multi', hundred, { totalCount: 150 }), { type: 'number-multi', data: hundred }),
    ).toBe(false);
    expect(
      sameValue(read('number-multi', hundred, { totalCount: 100 }), { type: 'number-multi', data: hundred }),
    ).toBe(true);
  });

  it('compares locations by their five keys, null and missing alike', () => {
    const next: FieldValueUpdate = {
      type: 'location',
      data: { streetAddress: null, city: 'Paris', state: null, country: 'France', continent: null },
    };
    expect(sameValue(read('location', { city: 'Paris', country: 'France' }), next)).toBe(true);
    expect(
      sameValue(read('location', { country: 'France', city: 'Paris', state: '', streetAddress: null }), next),
    ).toBe(true);
    expect(sameValue(read('location', { city: 'Lyon', country: 'France' }), next)).toBe(false);
    const empty = { streetAddress: null, city: null, state: null, country: null, continent: null };
    expect(sameValue(read('location', null), { type: 'location', data: empty })).toBe(true);
    expect(
      sameValue(read('location-multi', [{ city: 'Rome' }, { city: 'Paris', country: 'France' }]), {
        type: 'location-multi',
        data: [next.data!, { ...empty, city: 'Rome' }],
      }),
    ).toBe(true);
  });

  it('compares persons and companies by id', () => {
    expect(
      sameValue(read('person', { id: 7, firstName: 'Alex', lastName: null, type: 'internal' }), {
        type: 'person',
        data: { id: 7 },
      }),
    ).toBe(true);
    expect(
      sameValue(read('company', { id: 7, name: 'Acme', domain: 'acme.com' }), {
        type: 'company',
        data: { id: 8 },
      }),
    ).toBe(false);
  });
});
