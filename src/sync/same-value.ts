import type { FieldValueUpdate } from '../affinity/field-value.js';
import type { FieldValueRead } from '../affinity/schemas.js';
import { affinityDateZone, calendarDateOf } from './calendar-date.js';
import { locationKeys } from './convert-value.js';

/**
 * Whether the value Affinity holds (`entity.fields[].value` as read) already equals the value about
 * to be written, so the write can be skipped. Read shapes differ from update shapes; compared:
 * numbers by value, text exactly, dates by calendar date in America/Los_Angeles (Affinity keeps
 * dates at midnight Pacific), dropdowns by option id, multi values as sets (order and duplicates
 * ignored), locations by their five keys, persons and companies by id. Missing, null, `[]`, `''`
 * and a location of five nulls are all "empty" and equal each other. When unsure (another type, a
 * shape not understood, a multi value Affinity cut at 100) the answer is false: write.
 */
export function sameValue(current: FieldValueRead | undefined, next: FieldValueUpdate): boolean {
  const data: unknown = current?.data ?? null;
  if (current !== undefined && current.type !== next.type) return false;
  const currentEmpty = isEmpty(data);
  const nextEmpty = isEmpty(next.data);
  if (currentEmpty || nextEmpty) return currentEmpty && nextEmpty;
  // A multi value read back holds at most 100 items; `totalCount` tells when there were more.
  if (
    Array.isArray(data) &&
    typeof current?.['totalCount'] === 'number' &&
    current['totalCount'] > data.length
  ) {
    return false;
  }
  switch (next.type) {
    case 'number':
    case 'text':
    case 'filterable-text':
      return data === next.data;
    case 'datetime': {
      if (typeof data !== 'string' || next.data === null) return false;
      const written = calendarDateOf(next.data);
      return written !== null && calendarDateOf(data, affinityDateZone) === written;
    }
    case 'dropdown':
    case 'ranked-dropdown':
      return next.data !== null && optionIdOf(data) === next.data.dropdownOptionId;
    case 'dropdown-multi':
      return sameSet(data, next.data, optionIdOf, (v) => v.dropdownOptionId);
    case 'number-multi':
      return sameSet(
        data,
        next.data,
        (v) => (typeof v === 'number' ? v : undefined),
        (v) => v,
      );
    case 'filterable-text-multi':
      return sameSet(
        data,
        next.data,
        (v) => (typeof v === 'string' ? v : undefined),
        (v) => v,
      );
    case 'location':
      return next.data !== null && locationIdentity(data) === locationIdentity(next.data);
    case 'location-multi':
      return sameSet(data, next.data, locationIdentity, locationIdentity);
    case 'person':
    case 'company':
      return next.data !== null && idOf(data) === next.data.id;
    case 'person-multi':
    case 'company-multi':
      return sameSet(data, next.data, idOf, (v) => v.id);
    default: {
      const never: never = next;
      return never;
    }
  }
}

function isEmpty(data: unknown): boolean {
  if (data === null || data === undefined || data === '') return true;
  if (Array.isArray(data)) return data.length === 0;
  if (typeof data === 'object' && !(data instanceof Date) && isLocationLike(data)) {
    return locationKeys.every((key) => emptyPart((data as Record<string, unknown>)[key]));
  }
  return false;
}

function isLocationLike(data: object): boolean {
  const keys = Object.keys(data);
  return keys.length > 0 && keys.every((key) => (locationKeys as readonly string[]).includes(key));
}

function emptyPart(part: unknown): boolean {
  return part === null || part === undefined || part === '';
}

function optionIdOf(value: unknown): number | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const id = (value as Record<string, unknown>)['dropdownOptionId'];
  return typeof id === 'number' ? id : undefined;
}

function idOf(value: unknown): number | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const id = (value as Record<string, unknown>)['id'];
  return typeof id === 'number' ? id : undefined;
}

function locationIdentity(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const object = value as Record<string, unknown>;
  const parts = locationKeys.map((key) => {
    const part = object[key];
    return emptyPart(part) ? null : part;
  });
  return JSON.stringify(parts);
}

/** Both sides as sets of keys; an item not understood makes them differ. */
function sameSet<T, K>(
  current: unknown,
  next: T[] | null,
  readKey: (item: unknown) => K | undefined,
  nextKey: (item: T) => K,
): boolean {
  if (!Array.isArray(current) || next === null) return false;
  const have = new Set<K>();
  for (const item of current) {
    const key = readKey(item);
    if (key === undefined) return false;
    have.add(key);
  }
  const want = new Set(next.map(nextKey));
  if (have.size !== want.size) return false;
  for (const key of want) if (!have.has(key)) return false;
  return true;
}
