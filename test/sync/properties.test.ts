import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FieldValueUpdate } from '../../src/affinity/field-value.js';
import type { DropdownOption } from '../../src/affinity/schemas.js';
import { type ValueType, valueTypes } from '../../src/affinity/value-type.js';
import type { SourceValue } from '../../src/sources/source.js';
import { calendarDateOf } from '../../src/sync/calendar-date.js';
import { convertValue, locationKeys } from '../../src/sync/convert-value.js';
import { normalizeDomain } from '../../src/sync/domain.js';
import { sameValue } from '../../src/sync/same-value.js';
import { specValidator } from '../support/openapi.js';
import { readBack } from './read-back.js';

/** Runs per property; PROPERTY_SCALE=20 multiplies them for a deeper search outside CI. */
const scale = Number(process.env['PROPERTY_SCALE'] ?? 1);
const runs = {
  domain: 2_000 * scale,
  perType: 400 * scale,
  roundTrip: 3_000 * scale,
  distinct: 2_000 * scale,
};

// --- arbitraries -------------------------------------------------------------------------------

/** Any UTF-16 code unit, lone surrogates included: what a bad driver or invalid UTF-8 can yield. */
const utf16 = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)) });
const anyString = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.string({ unit: 'grapheme' }),
  utf16,
);

const messyDomain = fc
  .record({
    domain: fc.domain(),
    scheme: fc.constantFrom('', 'http://', 'https://', 'HTTPS://', '//', 'ftp://'),
    userinfo: fc.constantFrom('', 'user@', 'user:pw@'),
    www: fc.constantFrom('', 'www.', 'WWW.'),
    port: fc.constantFrom('', ':80', ':8443'),
    dots: fc.constantFrom('', '.', '..'),
    rest: fc.constantFrom('', '/', '/about', '/a/b?x=1', '?q=1', '#top', '/p?q#f'),
    spaces: fc.constantFrom('', ' ', '\t '),
    upper: fc.boolean(),
  })
  .map((m) => {
    const host = m.upper ? m.domain.toUpperCase() : m.domain;
    return {
      domain: m.domain,
      messy: `${m.spaces}${m.scheme}${m.userinfo}${m.www}${host}${m.dots}${m.port}${m.rest}${m.spaces}`,
    };
  });

const numericText = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }).map(String),
  fc.bigInt({ min: -(2n ** 60n), max: 2n ** 60n }).map(String),
  fc.tuple(fc.integer(), fc.nat(999)).map(([i, f]) => ` ${i}.${String(f).padStart(3, '0')} `),
);

const validDate = fc.date({
  min: new Date('0001-01-01T00:00:00Z'),
  max: new Date('9999-12-31T23:59:59Z'),
  noInvalidDate: true,
});
const isoDay = (d: Date) => d.toISOString().slice(0, 10);
const dateText = fc.oneof(
  validDate.map(isoDay),
  validDate.map((d) => d.toISOString()),
  fc
    .tuple(validDate, fc.constantFrom('-08:00', '+09:00', '+0530', 'Z', '+00', ''))
    .map(([d, offset]) => `${d.toISOString().slice(0, 19)}${offset}`),
  fc
    .tuple(
      fc.integer({ min: 1, max: 9999 }),
      fc.integer({ min: 0, max: 13 }),
      fc.integer({ min: 0, max: 32 }),
    )
    .map(
      ([y, m, d]) =>
        `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`,
    ),
);

const options: fc.Arbitrary<DropdownOption[]> = fc.uniqueArray(
  fc.record({
    id: fc.integer({ min: 1, max: 1_000_000 }),
    text: fc.oneof(fc.string({ minLength: 1 }), fc.constantFrom('Lead', 'Won', '3')),
  }),
  { selector: (o) => o.id, maxLength: 8 },
);

const locationObject = fc.dictionary(
  fc.oneof(fc.constantFrom(...locationKeys), fc.constantFrom(...locationKeys), fc.string()),
  fc.oneof(fc.string(), fc.constant(null)) as fc.Arbitrary<SourceValue>,
  { maxKeys: 5 },
);

const { value: sourceValue } = fc.letrec<{ value: SourceValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    anyString,
    numericText,
    dateText,
    fc.double(),
    fc.integer(),
    fc.bigInt(),
    fc.boolean(),
    fc.date({ noInvalidDate: false }),
    fc.constant(null),
    locationObject,
    locationObject.map((o) => JSON.stringify(o)),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.array(fc.oneof(fc.integer(), fc.string()), { maxLength: 4 }).map((a) => JSON.stringify(a)),
    fc.dictionary(fc.string(), tie('value'), { maxKeys: 3 }),
  ),
}));

/** Values close to what each value type accepts, so most round-trip cases convert. */
function plausible(valueType: ValueType, opts: DropdownOption[]): fc.Arbitrary<SourceValue> {
  const option: fc.Arbitrary<SourceValue> =
    opts.length === 0
      ? fc.string()
      : fc.oneof(
          fc.constantFrom(...opts).map((o) => o.id),
          fc.constantFrom(...opts).map((o) => String(o.id)),
          fc
            .tuple(fc.constantFrom(...opts), fc.boolean())
            .map(([o, up]) => ` ${up ? o.text.toUpperCase() : o.text} `),
        );
  const id = fc.oneof(
    fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
    fc.bigInt({ min: 1n, max: 2n ** 53n - 1n }),
    fc.integer({ min: 1 }).map(String),
  );
  const number = fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer(), numericText);
  switch (valueType) {
    case 'number':
    case 'formula-number':
    case 'interaction':
      return number;
    case 'number-multi':
      return fc.oneof(
        fc.array(number, { maxLength: 5 }),
        fc.array(fc.integer(), { maxLength: 5 }).map((a) => a.join(', ')),
      );
    case 'text':
    case 'filterable-text':
      return fc.oneof(anyString, fc.double(), fc.bigInt(), fc.boolean(), validDate);
    case 'filterable-text-multi':
      return fc.oneof(fc.array(fc.string(), { maxLength: 5 }), fc.string());
    case 'datetime':
      return fc.oneof(dateText, validDate);
    case 'dropdown':
    case 'ranked-dropdown':
      return option;
    case 'dropdown-multi':
      return fc.oneof(fc.array(option, { maxLength: 5 }), option);
    case 'location':
      return fc.oneof(
        locationObject,
        locationObject.map((o) => JSON.stringify(o)),
      );
    case 'location-multi':
      return fc.array(locationObject, { maxLength: 4 });
    case 'person':
    case 'company':
      return id;
    case 'person-multi':
    case 'company-multi':
      return fc.array(id, { maxLength: 5 });
    default: {
      const never: never = valueType;
      return never;
    }
  }
}

const valueType = fc.constantFrom(...valueTypes);
const target = (type: ValueType, opts: DropdownOption[]) => ({
  fieldId: 'field-1',
  fieldName: 'Field',
  valueType: type,
  dropdownOptions: opts,
});

const updateSchema = specValidator('FieldValueUpdate');
// `totalCount` on multi values is in the 2026-07-15 read schemas only.
const readSchema = specValidator('FieldValue', 'openapi-v2-2026-07-15.json');
const errorsOf = (validate: { errors?: unknown }) => JSON.stringify(validate.errors).slice(0, 600);

// --- domain ------------------------------------------------------------------------------------

describe('normalizeDomain properties', () => {
  it.each([
    ['fc.string', fc.string()],
    ['binary (full Unicode) strings', fc.string({ unit: 'binary' })],
    ['UTF-16 strings with lone surrogates', utf16],
    ['fc.webUrl', fc.webUrl({ withQueryParameters: true, withFragments: true })],
    ['fc.emailAddress', fc.emailAddress()],
    ['fc.domain', fc.domain()],
  ])('never throws, is idempotent and yields a plausible hostname on %s', (_name, strings) => {
    fc.assert(
      fc.property(strings, (input) => {
        const once = normalizeDomain(input);
        if (once === null) return;
        expect(normalizeDomain(once)).toBe(once);
        expect(once).toMatch(/^[a-z0-9-]+(\.[a-z0-9-]+)+$/);
        expect(once.length).toBeLessThanOrEqual(253);
      }),
      { numRuns: runs.domain },
    );
  });

  it('ignores case, scheme, userinfo, www, port, path, query, fragment, trailing dots and spaces', () => {
    fc.assert(
      fc.property(messyDomain, ({ domain, messy }) => {
        expect(normalizeDomain(messy)).toBe(normalizeDomain(domain));
      }),
      { numRuns: runs.domain },
    );
  });
});

// --- conversion --------------------------------------------------------------------------------

describe('convertValue properties', () => {
  it.each(valueTypes)(
    'never throws on arbitrary source values for %s, and every result fits the spec',
    (type) => {
      fc.assert(
        fc.property(sourceValue, options, (raw, opts) => {
          const result = convertValue(raw, target(type, opts));
          if (!result.ok) {
            expect(result.reason.length).toBeGreaterThan(0);
            return;
          }
          expect(result.value.type).toBe(type);
          expect(updateSchema(result.value), errorsOf(updateSchema)).toBe(true);
        }),
        { numRuns: runs.perType },
      );
    },
  );

  it(
    'a value written and read back compares equal (and the read-back fits the spec)',
    () => {
      let converted = 0;
      const arbitrary = fc
        .tuple(valueType, options)
        .chain(([type, opts]) =>
          fc.tuple(
            fc.constant(type),
            fc.constant(opts),
            fc.oneof({ arbitrary: plausible(type, opts), weight: 3 }, { arbitrary: sourceValue, weight: 1 }),
          ),
        );
      fc.assert(
        fc.property(arbitrary, ([type, opts, raw]) => {
          const result = convertValue(raw, target(type, opts));
          if (!result.ok) return;
          converted += 1;
          const back = readBack(result.value, opts);
          expect(readSchema(back), errorsOf(readSchema)).toBe(true);
          expect(sameValue(back, result.value)).toBe(true);
        }),
        { numRuns: runs.roundTrip },
      );
      // Most cases must convert, or the property says little.
      expect(converted).toBeGreaterThan(runs.roundTrip / 2);
    },
    30_000 * scale,
  );

  it('a datetime is the calendar date of the source, never shifted by the process time zone', () => {
    fc.assert(
      fc.property(validDate, (date) => {
        const result = convertValue(date, target('datetime', []));
        expect(result).toEqual({ ok: true, value: { type: 'datetime', data: `${isoDay(date)}T00:00:00Z` } });
      }),
      { numRuns: runs.perType },
    );
    fc.assert(
      fc.property(dateText, (text) => {
        const result = convertValue(text, target('datetime', []));
        const day = calendarDateOf(text);
        expect(result.ok).toBe(day !== null);
        if (result.ok) expect(result.value.data).toBe(`${day}T00:00:00Z`);
        if (day !== null) expect(day).toBe(text.trim().slice(0, 10));
      }),
      { numRuns: runs.perType },
    );
  });

  it('different values read back never compare equal (a change is never skipped)', () => {
    const small: fc.Arbitrary<[ValueType, SourceValue, SourceValue]> = fc.oneof(
      fc.tuple(
        fc.constant<ValueType>('number'),
        fc.integer({ min: 0, max: 3 }),
        fc.integer({ min: 0, max: 3 }),
      ),
      fc.tuple(
        fc.constant<ValueType>('text'),
        fc.constantFrom('', 'a', 'A', 'a '),
        fc.constantFrom('', 'a', 'A'),
      ),
      fc.tuple(fc.constant<ValueType>('datetime'), validDate, validDate),
      fc.tuple(fc.constant<ValueType>('dropdown'), fc.constantFrom(1, 2, 3), fc.constantFrom(1, 2, 3)),
      fc.tuple(
        fc.constant<ValueType>('dropdown-multi'),
        fc.array(fc.constantFrom(1, 2, 3)),
        fc.array(fc.constantFrom(1, 2, 3)),
      ),
      fc.tuple(
        fc.constant<ValueType>('number-multi'),
        fc.array(fc.integer({ min: 0, max: 3 })),
        fc.array(fc.integer({ min: 0, max: 3 })),
      ),
      fc.tuple(fc.constant<ValueType>('location'), locationObject, locationObject),
      fc.tuple(
        fc.constant<ValueType>('person-multi'),
        fc.array(fc.constantFrom(1, 2, 3)),
        fc.array(fc.constantFrom(1, 2, 3)),
      ),
    );
    const opts = [1, 2, 3].map((id) => ({ id, text: `Option ${id}` }));
    fc.assert(
      fc.property(small, ([type, a, b]) => {
        const first = convertValue(a, target(type, opts));
        const second = convertValue(b, target(type, opts));
        if (!first.ok || !second.ok) return;
        expect(sameValue(readBack(first.value, opts), second.value)).toBe(
          canonical(first.value) === canonical(second.value),
        );
      }),
      { numRuns: runs.distinct },
    );
  });
});

/** An independent, simple statement of "the same value in Affinity" for the distinctness check. */
function canonical(value: FieldValueUpdate): string {
  const data: unknown = value.data;
  if (data === null || data === '' || (Array.isArray(data) && data.length === 0)) return 'empty';
  if (value.type === 'datetime') return String(data).slice(0, 10);
  if (Array.isArray(data)) return JSON.stringify([...new Set(data.map((d) => JSON.stringify(d)))].sort());
  if (value.type === 'location' && Object.values(data as object).every((v) => v === null)) return 'empty';
  return JSON.stringify(data);
}
