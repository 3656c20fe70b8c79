import type { SimField } from './field-model.js';
import { isIsoDateTime, midnightPacific } from './pacific-date.js';

export type DataCheck = { ok: true; data: unknown } | { ok: false; message: string };

/** lenient: accept read shapes too (extra keys such as dropdown `text`), for fixtures. */
export interface DataCheckOptions {
  lenient: boolean;
}

const locationKeys = ['streetAddress', 'city', 'state', 'country', 'continent'] as const;
const maxMulti = 100;

function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function extraKeys(value: Record<string, unknown>, allowed: readonly string[]): string[] {
  return Object.keys(value).filter((k) => !allowed.includes(k));
}

type One = { ok: true; data: unknown } | { ok: false; expected: string };

function checkOne(field: SimField, kind: string, item: unknown, lenient: boolean): One {
  switch (kind) {
    case 'text':
      return typeof item === 'string' ? { ok: true, data: item } : { ok: false, expected: 'a string' };
    case 'number':
      return typeof item === 'number' && Number.isFinite(item)
        ? { ok: true, data: item }
        : { ok: false, expected: 'a finite number' };
    case 'datetime': {
      const stored = typeof item === 'string' && isIsoDateTime(item) ? midnightPacific(item) : null;
      return stored
        ? { ok: true, data: stored }
        : { ok: false, expected: 'an ISO 8601 date-time string such as "2024-04-01T00:00:00Z"' };
    }
    case 'dropdown': {
      const expected = '{"dropdownOptionId": <id of one of the field\'s options>}';
      if (!isRecord(item) || (!lenient && extraKeys(item, ['dropdownOptionId']).length > 0))
        return { ok: false, expected };
      const id = item['dropdownOptionId'];
      if (typeof id !== 'number' || !Number.isInteger(id)) return { ok: false, expected };
      if (!field.optionById.has(id)) {
        return {
          ok: false,
          expected: `the id of one of its dropdown options (${[...field.optionById.keys()].join(', ') || 'none'})`,
        };
      }
      return { ok: true, data: { dropdownOptionId: id } };
    }
    case 'location': {
      const expected = `an object with exactly the keys ${locationKeys.join(', ')}, each a string or null`;
      if (!isRecord(item)) return { ok: false, expected };
      const keys = Object.keys(item);
      if (keys.length !== locationKeys.length || !locationKeys.every((k) => k in item))
        return { ok: false, expected };
      if (!locationKeys.every((k) => item[k] === null || typeof item[k] === 'string'))
        return { ok: false, expected };
      return { ok: true, data: Object.fromEntries(locationKeys.map((k) => [k, item[k]])) };
    }
    case 'entity': {
      const expected = '{"id": <positive integer>}';
      if (!isRecord(item) || (!lenient && extraKeys(item, ['id']).length > 0)) return { ok: false, expected };
      const id = item['id'];
      return typeof id === 'number' && Number.isInteger(id) && id > 0
        ? { ok: true, data: { id } }
        : { ok: false, expected };
    }
    default:
      return { ok: false, expected: 'nothing: this value type cannot be written' };
  }
}

function baseKind(valueType: SimField['valueType']): { kind: string; multi: boolean } {
  switch (valueType) {
    case 'text':
    case 'filterable-text':
      return { kind: 'text', multi: false };
    case 'filterable-text-multi':
      return { kind: 'text', multi: true };
    case 'number':
      return { kind: 'number', multi: false };
    case 'number-multi':
      return { kind: 'number', multi: true };
    case 'datetime':
      return { kind: 'datetime', multi: false };
    case 'dropdown':
    case 'ranked-dropdown':
      return { kind: 'dropdown', multi: false };
    case 'dropdown-multi':
      return { kind: 'dropdown', multi: true };
    case 'location':
      return { kind: 'location', multi: false };
    case 'location-multi':
      return { kind: 'location', multi: true };
    case 'person':
    case 'company':
      return { kind: 'entity', multi: false };
    case 'person-multi':
    case 'company-multi':
      return { kind: 'entity', multi: true };
    case 'formula-number':
    case 'interaction':
      return { kind: 'computed', multi: false };
    default: {
      const never: never = valueType;
      return never;
    }
  }
}

/**
 * Checks `data` against the shape Affinity accepts for `field.valueType` and returns it in the stored
 * form: dates at midnight Pacific, dropdowns and entities as `{dropdownOptionId}` / `{id}`, an empty
 * multi value as null (Affinity reads empty sets back as null). `null` always clears.
 */
export function checkValueData(field: SimField, data: unknown, options: DataCheckOptions): DataCheck {
  if (data === null) return { ok: true, data: null };
  const { kind, multi } = baseKind(field.valueType);
  const label = `field "${field.name}" (${field.id}, ${field.valueType})`;
  // Computed values only come from fixtures; they are kept as given.
  if (kind === 'computed') {
    return options.lenient ? { ok: true, data } : { ok: false, message: `${label} cannot be written` };
  }
  if (!multi) {
    const one = checkOne(field, kind, data, options.lenient);
    return one.ok ? one : { ok: false, message: `${label} expects ${one.expected}; got ${show(data)}` };
  }
  if (!Array.isArray(data)) {
    const one = checkOne(field, kind, undefined, options.lenient);
    const expected = one.ok ? '' : one.expected;
    return {
      ok: false,
      message: `${label} expects an array (at most ${maxMulti}) of ${expected}; got ${show(data)}`,
    };
  }
  if (data.length > maxMulti) {
    return { ok: false, message: `${label} accepts at most ${maxMulti} values; got ${data.length}` };
  }
  const stored: unknown[] = [];
  for (const [i, item] of data.entries()) {
    const one = checkOne(field, kind, item, options.lenient);
    if (!one.ok)
      return { ok: false, message: `${label}: item ${i} should be ${one.expected}; got ${show(item)}` };
    stored.push(one.data);
  }
  return { ok: true, data: stored.length === 0 ? null : stored };
}
