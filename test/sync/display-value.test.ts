import { describe, expect, it } from 'vitest';
import { displayValue } from '../../src/sync/display-value.js';

const options = [
  { id: 11, text: 'Seed' },
  { id: 12, text: 'Series A' },
];

describe('displayValue', () => {
  it('shows option texts instead of ids, in read and update form', () => {
    expect(displayValue({ dropdownOptionId: 12, text: 'Series A' }, 'dropdown', 'read')).toBe('Series A');
    expect(displayValue({ dropdownOptionId: 11 }, 'ranked-dropdown', 'update', options)).toBe('Seed');
    expect(
      displayValue([{ dropdownOptionId: 11 }, { dropdownOptionId: 99 }], 'dropdown-multi', 'update', options),
    ).toEqual(['Seed', 99]);
  });

  it('shows calendar dates: Pacific midnight when read, the sent date when written', () => {
    expect(displayValue('2024-01-15T08:00:00.000Z', 'datetime', 'read')).toBe('2024-01-15');
    expect(displayValue('2024-06-01T07:00:00.000Z', 'datetime', 'read')).toBe('2024-06-01');
    expect(displayValue('2024-06-01T00:00:00Z', 'datetime', 'update')).toBe('2024-06-01');
  });

  it('shows people and companies by id, and null for empty values', () => {
    expect(displayValue({ id: 7, name: 'Acme' }, 'company', 'read')).toBe(7);
    expect(displayValue([{ id: 1 }, { id: 2 }], 'person-multi', 'update')).toEqual([1, 2]);
    expect(displayValue(undefined, 'number', 'read')).toBeNull();
    expect(displayValue(42, 'number', 'update')).toBe(42);
  });
});
