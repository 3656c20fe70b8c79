import type { FieldValueUpdate } from '../../src/affinity/field-value.js';
import type { DropdownOption, FieldValueRead } from '../../src/affinity/schemas.js';

const pacific = new Intl.DateTimeFormat('en-US', {
  timeZone: 'America/Los_Angeles',
  hourCycle: 'h23',
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
  hour: 'numeric',
  minute: 'numeric',
  second: 'numeric',
});

/** The instant of midnight America/Los_Angeles on a calendar date (`YYYY-MM-DD`), as Affinity stores it. */
export function pacificMidnight(date: string): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const wanted = utc(y, m, d, 0, 0, 0);
  let time = wanted + 8 * 3_600_000;
  // Walk to the instant whose Pacific wall clock reads the date at 00:00:00 (PST, PDT or old LMT).
  for (let i = 0; i < 3; i += 1) {
    const parts = Object.fromEntries(pacific.formatToParts(time).map((p) => [p.type, p.value]));
    const wall = utc(
      Number(parts['year']),
      Number(parts['month']),
      Number(parts['day']),
      Number(parts['hour']),
      Number(parts['minute']),
      Number(parts['second']),
    );
    time -= wall - wanted;
  }
  return new Date(time).toISOString();
}

// Date.UTC maps years 0–99 to 1900–1999; setUTCFullYear does not.
function utc(year: number, month: number, day: number, hour: number, minute: number, second: number): number {
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, 0);
  return date.getTime();
}

/**
 * What Affinity returns in `entity.fields[].value` after `value` was written (API-NOTES and the v2
 * read schemas): dates at midnight Pacific, dropdowns with their text (ranked: rank and color),
 * persons and companies as full objects, multi values in another order with `totalCount`, empty
 * multi values as null, empty text as null.
 */
export function readBack(value: FieldValueUpdate, options: DropdownOption[] = []): FieldValueRead {
  const textOf = (id: number) => options.find((o) => o.id === id)?.text ?? `option ${id}`;
  const many = <T>(items: T[] | null): { data: T[] | null; totalCount?: number } =>
    items === null || items.length === 0
      ? { data: null }
      : { data: [...items].reverse(), totalCount: items.length };
  switch (value.type) {
    case 'number':
      return { type: value.type, data: value.data };
    case 'text':
    case 'filterable-text':
      return { type: value.type, data: value.data === '' ? null : value.data };
    case 'datetime':
      return {
        type: value.type,
        data: value.data === null ? null : pacificMidnight(value.data.slice(0, 10)),
      };
    case 'dropdown':
      return {
        type: value.type,
        data: value.data && {
          dropdownOptionId: value.data.dropdownOptionId,
          text: textOf(value.data.dropdownOptionId),
        },
      };
    case 'ranked-dropdown':
      return {
        type: value.type,
        data: value.data && {
          dropdownOptionId: value.data.dropdownOptionId,
          text: textOf(value.data.dropdownOptionId),
          rank: 0,
          color: 'gray',
        },
      };
    case 'dropdown-multi':
      return {
        type: value.type,
        ...many(
          value.data?.map((o) => ({
            dropdownOptionId: o.dropdownOptionId,
            text: textOf(o.dropdownOptionId),
          })) ?? null,
        ),
      };
    case 'number-multi':
    case 'filterable-text-multi':
      return { type: value.type, ...many<unknown>(value.data) };
    case 'location':
      return { type: value.type, data: value.data && { ...value.data } };
    case 'location-multi':
      return { type: value.type, ...many(value.data?.map((l) => ({ ...l })) ?? null) };
    case 'person':
      return { type: value.type, data: value.data && person(value.data.id) };
    case 'company':
      return { type: value.type, data: value.data && company(value.data.id) };
    case 'person-multi':
      return { type: value.type, ...many(value.data?.map((p) => person(p.id)) ?? null) };
    case 'company-multi':
      return { type: value.type, ...many(value.data?.map((c) => company(c.id)) ?? null) };
    default: {
      const never: never = value;
      return never;
    }
  }
}

function person(id: number) {
  return { id, firstName: 'Alex', lastName: null, primaryEmailAddress: null, type: 'external' };
}

function company(id: number) {
  return { id, name: `Company ${id}`, domain: null };
}
