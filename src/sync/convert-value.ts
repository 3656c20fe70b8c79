import type { FieldValueUpdate, LocationData } from '../affinity/field-value.js';
import type { DropdownOption } from '../affinity/schemas.js';
import { readOnlyReason, type ValueType } from '../affinity/value-type.js';
import type { SourceValue } from '../sources/source.js';
import { affinityDateTime, calendarDateOf } from './calendar-date.js';
import { showValue } from './show-value.js';

/** The field a source column is written to. */
export interface FieldTarget {
  fieldId: string;
  fieldName: string;
  valueType: ValueType;
  /** Options of a dropdown / ranked-dropdown / dropdown-multi field. */
  dropdownOptions?: DropdownOption[];
  /**
   * `options: create`: the id to use for an option text the field does not have (a provisional
   * one until the option is made, see option-creations.ts), or a reason it cannot be created.
   */
  newOption?: (text: string) => number | { reason: string };
}

export type Conversion = { ok: true; value: FieldValueUpdate } | { ok: false; reason: string };

/** Most values Affinity takes in one multi-value field (maxItems in the v2 spec). */
export const maxMultiValues = 100;

/** The five keys of an Affinity location, in the order reasons list them. */
export const locationKeys = ['streetAddress', 'city', 'state', 'country', 'continent'] as const;

type Step<T> = { ok: true; value: T } | { ok: false; reason: string };

const numberPattern = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i;
const idPattern = /^\d+$/;
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const locationShape = `an object or JSON text with ${locationKeys.join(', ')}`;

/**
 * Converts one source value to the update shape of the field's valueType, or says why it cannot.
 * Never throws. `null` (normally handled by the caller's onNull) converts to `data: null`.
 *
 * - number: finite numbers, numeric strings (`-12.50`, `1e3`, int8/decimal text) and bigint.
 *   Decimals are rounded to the nearest double (Affinity's number type); a value whose integer
 *   digits would change (beyond ±2^53) is rejected rather than written wrong.
 * - text / filterable-text: strings as is (lone surrogates rejected); numbers, bigint and booleans
 *   as their text; a Date as ISO 8601. Lists and objects are rejected: cast them in the query.
 * - datetime: a Date (its UTC date), `YYYY-MM-DD`, or an ISO date-time (the date as written) →
 *   `YYYY-MM-DDT00:00:00Z`; the process time zone never matters.
 * - dropdown / ranked-dropdown: option text (trimmed, case-insensitive), else an option id.
 * - -multi types: a list, JSON array text, or comma-separated text (filterable-text-multi: one
 *   string is one value); nulls in a list are dropped, duplicates removed, at most 100 values.
 * - location: an object or JSON object text with the five location keys (missing → null).
 * - person / company: a positive whole id.
 * - formula-number / interaction: computed by Affinity, always rejected.
 */
export function convertValue(raw: SourceValue, target: FieldTarget): Conversion {
  const valueType = target.valueType;
  const readOnly = readOnlyReason('list', valueType);
  if (readOnly !== null) return { ok: false, reason: readOnly };
  if (raw === null || raw === undefined)
    return { ok: true, value: { type: valueType, data: null } as FieldValueUpdate };
  switch (valueType) {
    case 'number':
      return wrap(toNumber(raw), (data) => ({ type: valueType, data }));
    case 'number-multi':
      return wrap(toMulti(raw, 'split', toNumber, String), (data) => ({ type: valueType, data }));
    case 'text':
    case 'filterable-text':
      return wrap(toText(raw), (data) => ({ type: valueType, data }));
    case 'filterable-text-multi':
      return wrap(
        toMulti(raw, 'whole', toText, (s) => s),
        (data) => ({ type: valueType, data }),
      );
    case 'datetime':
      return wrap(toDateTime(raw), (data) => ({ type: valueType, data }));
    case 'dropdown':
    case 'ranked-dropdown':
      return wrap(toOption(raw, target), (id) => ({ type: valueType, data: { dropdownOptionId: id } }));
    case 'dropdown-multi': {
      const split = typeof raw === 'string' && singleOption(raw, target) ? 'whole' : 'split';
      const ids = toMulti(raw, split, (v) => toOption(v, target), String);
      return wrap(ids, (list) => ({ type: valueType, data: list.map((id) => ({ dropdownOptionId: id })) }));
    }
    case 'location':
      return wrap(toLocation(raw), (data) => ({ type: valueType, data }));
    case 'location-multi':
      return wrap(toMulti(raw, 'json', toLocation, locationKey), (data) => ({ type: valueType, data }));
    case 'person':
    case 'company':
      return wrap(toId(raw, valueType), (id) => ({ type: valueType, data: { id } }));
    case 'person-multi':
    case 'company-multi': {
      const kind = valueType === 'person-multi' ? 'person' : 'company';
      const ids = toMulti(raw, 'split', (v) => toId(v, kind), String);
      return wrap(ids, (list) => ({ type: valueType, data: list.map((id) => ({ id })) }));
    }
    case 'formula-number':
    case 'interaction':
      return { ok: false, reason: `${valueType} fields are computed and cannot be written` };
    default: {
      const never: never = valueType;
      return { ok: false, reason: `unknown value type ${String(never)}` };
    }
  }
}

function wrap<T>(step: Step<T>, build: (value: T) => FieldValueUpdate): Conversion {
  return step.ok ? { ok: true, value: build(step.value) } : step;
}

function fail(reason: string): { ok: false; reason: string } {
  return { ok: false, reason };
}

function toNumber(raw: SourceValue): Step<number> {
  if (typeof raw === 'number') {
    if (Number.isNaN(raw)) return fail('NaN is not a number');
    return Number.isFinite(raw) ? { ok: true, value: raw } : fail(`${raw} is not a finite number`);
  }
  if (typeof raw === 'bigint') {
    const value = Number(raw);
    return Number.isFinite(value) && BigInt(value) === raw ? { ok: true, value } : inexact(raw);
  }
  if (typeof raw !== 'string') return fail(`${showValue(raw)} is not a number`);
  const text = raw.trim();
  if (!numberPattern.test(text)) return fail(`${showValue(raw)} is not a number`);
  const value = Number(text);
  if (!Number.isFinite(value)) return fail(`${showValue(raw)} is out of range for a number`);
  // A nonzero mantissa read as 0 is too small for a double: refuse it rather than write 0.
  if (value === 0 && /[1-9]/.test(text.split(/e/i)[0] ?? '')) {
    return fail(`${showValue(raw)} is out of range for a number (too small: it would be stored as 0)`);
  }
  // Without an exponent the integer digits are exact text: refuse to change them.
  if (!/e/i.test(text)) {
    const digits = text.replace(/^[+-]/, '').split('.')[0] || '0';
    if (BigInt(digits) !== BigInt(Math.trunc(Math.abs(value)))) return inexact(raw);
  }
  return { ok: true, value };
}

function inexact(raw: SourceValue): { ok: false; reason: string } {
  return fail(
    `${showValue(raw)} cannot be stored exactly: Affinity numbers are doubles, exact up to ±${Number.MAX_SAFE_INTEGER}`,
  );
}

function toText(raw: SourceValue): Step<string> {
  if (typeof raw === 'string') {
    return loneSurrogate.test(raw)
      ? fail(`${showValue(raw)} is not valid Unicode text`)
      : { ok: true, value: raw };
  }
  if (typeof raw === 'number') {
    return Number.isFinite(raw) ? { ok: true, value: String(raw) } : fail(`${raw} is not a finite number`);
  }
  if (typeof raw === 'bigint' || typeof raw === 'boolean') return { ok: true, value: String(raw) };
  if (raw instanceof Date) {
    return Number.isNaN(raw.getTime())
      ? fail('Invalid Date is not a valid date')
      : { ok: true, value: raw.toISOString() };
  }
  if (Array.isArray(raw)) return fail(`${showValue(raw)} is a list, not text (cast it to text in the query)`);
  if (raw instanceof Uint8Array) {
    return fail(
      `${showValue(raw)} is not text (decode it in the query, e.g. convert_from(column, 'LATIN1'))`,
    );
  }
  return fail(`${showValue(raw)} is an object, not text (cast it to text in the query)`);
}

function toDateTime(raw: SourceValue): Step<string> {
  if (!(raw instanceof Date) && typeof raw !== 'string') return fail(`${showValue(raw)} is not a date`);
  const date = calendarDateOf(raw);
  if (date !== null) return { ok: true, value: affinityDateTime(date) };
  return fail(`${showValue(raw)} is not a valid date (use YYYY-MM-DD or an ISO 8601 date-time)`);
}

interface OptionLookup {
  byText: Map<string, DropdownOption[]>;
  byId: Map<number, DropdownOption>;
}

// Built once per options array: a run converts many rows against the same field.
const lookups = new WeakMap<DropdownOption[], OptionLookup>();

function lookupOf(options: DropdownOption[]): OptionLookup {
  let lookup = lookups.get(options);
  if (lookup === undefined) {
    lookup = { byText: new Map(), byId: new Map() };
    for (const option of options) {
      const key = optionKey(option.text);
      const same = lookup.byText.get(key);
      if (same === undefined) lookup.byText.set(key, [option]);
      else same.push(option);
      lookup.byId.set(option.id, option);
    }
    lookups.set(options, lookup);
  }
  return lookup;
}

/** How option texts compare: trimmed, NFC, case-insensitive. */
export function optionKey(text: string): string {
  return text.trim().normalize('NFC').toLowerCase();
}

function singleOption(raw: string, target: FieldTarget): boolean {
  return lookupOf(target.dropdownOptions ?? []).byText.get(optionKey(raw))?.length === 1;
}

function toOption(raw: SourceValue, target: FieldTarget): Step<number> {
  const options = target.dropdownOptions ?? [];
  const field = JSON.stringify(target.fieldName);
  if (
    typeof raw !== 'string' &&
    typeof raw !== 'number' &&
    typeof raw !== 'bigint' &&
    typeof raw !== 'boolean'
  ) {
    return fail(`${showValue(raw)} is not an option of ${field}`);
  }
  const lookup = lookupOf(options);
  const text = String(raw);
  const byText = lookup.byText.get(optionKey(text));
  if (byText?.length === 1) return { ok: true, value: byText[0]!.id };
  if (byText !== undefined) {
    return fail(`${showValue(raw)} matches ${byText.length} options of ${field}; give the option id instead`);
  }
  const trimmed = text.trim();
  if (idPattern.test(trimmed)) {
    const option = lookup.byId.get(Number(trimmed));
    if (option !== undefined) return { ok: true, value: option.id };
  }
  if (target.newOption !== undefined) {
    // Digits are taken for an option id: a made-up id must not become an option's text.
    if (idPattern.test(trimmed)) return fail(`${showValue(raw)} is not an option id of ${field}`);
    const created = target.newOption(trimmed);
    return typeof created === 'number' ? { ok: true, value: created } : fail(created.reason);
  }
  if (options.length === 0) {
    return fail(
      `${showValue(raw)} is not an option of ${field} (it has no options; options are never created)`,
    );
  }
  const shown = options.slice(0, 5).map((o) => JSON.stringify(o.text));
  const more = options.length > 5 ? ` and ${options.length - 5} more` : '';
  return fail(
    `${showValue(raw)} is not an option of ${field} (options are never created; valid: ${shown.join(', ')}${more})`,
  );
}

function toId(raw: SourceValue, kind: 'person' | 'company'): Step<number> {
  let id = Number.NaN;
  if (typeof raw === 'number') id = raw;
  else if (typeof raw === 'bigint') id = raw <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(raw) : Number.NaN;
  else if (typeof raw === 'string' && idPattern.test(raw.trim())) id = Number(raw.trim());
  if (Number.isSafeInteger(id) && id >= 1) return { ok: true, value: id };
  return fail(`${showValue(raw)} is not a ${kind} id (a positive whole number)`);
}

function toLocation(raw: SourceValue): Step<LocationData> {
  let value: unknown = raw;
  if (typeof raw === 'string' && raw.trim().startsWith('{')) {
    const parsed = parseJson(raw);
    if (!parsed.ok) return parsed;
    value = parsed.value;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof Date) {
    return fail(`${showValue(raw)} is not a location (${locationShape})`);
  }
  const object = value as Record<string, unknown>;
  for (const key of Object.keys(object)) {
    if (!(locationKeys as readonly string[]).includes(key)) {
      return fail(
        `unknown key ${JSON.stringify(key)} in location ${showValue(raw)}; keys are ${locationKeys.join(', ')}`,
      );
    }
  }
  const location: LocationData = {
    streetAddress: null,
    city: null,
    state: null,
    country: null,
    continent: null,
  };
  for (const key of locationKeys) {
    const part = Object.hasOwn(object, key) ? object[key] : null;
    if (part !== null && part !== undefined && typeof part !== 'string') {
      return fail(`location ${key} must be text or null, not ${showValue(part as SourceValue)}`);
    }
    if (typeof part === 'string' && loneSurrogate.test(part)) {
      return fail(`location ${key} ${showValue(part)} is not valid Unicode text`);
    }
    // An empty part is no part: Affinity shows nothing for either.
    location[key] = part === undefined || part === '' ? null : part;
  }
  return { ok: true, value: location };
}

/** Identity of a location for duplicate removal and set comparison. */
export function locationKey(location: LocationData): string {
  return JSON.stringify(locationKeys.map((key) => location[key]));
}

function parseJson(raw: string): Step<SourceValue> {
  try {
    // JSON values are a subset of SourceValue.
    return { ok: true, value: JSON.parse(raw) as SourceValue };
  } catch {
    return fail(`${showValue(raw)} is not valid JSON`);
  }
}

/**
 * A list from a multi-value source: an array, JSON array text, or (`split`) comma-separated text,
 * (`whole`) one string as one value, (`json`) a JSON object text as one value.
 */
function toMulti<T>(
  raw: SourceValue,
  strings: 'split' | 'whole' | 'json',
  element: (value: SourceValue) => Step<T>,
  keyOf: (value: T) => string,
): Step<T[]> {
  let items: SourceValue[];
  if (Array.isArray(raw)) items = raw;
  else if (typeof raw === 'string' && raw.trim() === '') items = [];
  else if (typeof raw === 'string' && raw.trim().startsWith('[')) {
    const parsed = parseJson(raw);
    if (!parsed.ok) return parsed;
    if (!Array.isArray(parsed.value)) return fail(`${showValue(raw)} is not a JSON array`);
    items = parsed.value;
  } else if (typeof raw === 'string' && strings === 'split') {
    items = raw.split(',').filter((part) => part.trim() !== '');
  } else items = [raw];
  const values: T[] = [];
  const seen = new Set<string>();
  for (const [index, item] of items.entries()) {
    // NULLs inside a list (array_agg over an outer join) carry no value.
    if (item === null || item === undefined) continue;
    const step = element(item);
    if (!step.ok) return items.length > 1 ? fail(`item ${index + 1}: ${step.reason}`) : step;
    const key = keyOf(step.value);
    if (seen.has(key)) continue;
    seen.add(key);
    values.push(step.value);
  }
  if (values.length > maxMultiValues) {
    return fail(`${values.length} values are more than the ${maxMultiValues} Affinity keeps in one field`);
  }
  return { ok: true, value: values };
}
