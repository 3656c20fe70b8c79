import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { responseSchemas } from '../../src/affinity/schemas.js';
import { specDocument, specDocuments, specValidatorAt } from '../support/openapi.js';
import { type JsonSchema, resolvePointer, schemaArbitrary } from './support/schema-arbitrary.js';

// Every response the client parses, sampled from the official documents (both versions) with
// fast-check over the schema, must parse with the product's own schemas — and so must the same
// samples as a later API version might send them (unknown enum values, extra properties).
// Each sample is first checked against the document with ajv, so the generator cannot drift.

/** PROPERTY_SCALE=20 multiplies the samples for a deeper search outside CI. */
const samplesPerResponse = 200 * Number(process.env['PROPERTY_SCALE'] ?? 1);

type Response = keyof typeof responseSchemas;

interface Case {
  response: Response;
  /** Where the response body's schema is in the document. */
  pointer: string;
  /** How the test names the schema; default the last segment of `pointer`. */
  name?: string;
  /** A property of the samples, asserted so a generator change cannot quietly drop a quirk. */
  covers?: { what: string; test: (sample: unknown) => boolean; docs?: string[] };
}

const schema = (name: string) => `#/components/schemas/${name}`;
const hasHidden = (sample: unknown) => JSON.stringify(sample).includes('"type":"hidden"');
const latestOnly = ['openapi-v2-2026-07-15.json'];

const cases: Case[] = [
  { response: 'listFieldsPage', pointer: schema('FieldMetadataPaged') },
  { response: 'listPage', pointer: schema('ListWithTypePaged') },
  { response: 'list', pointer: schema('ListWithType') },
  {
    response: 'listEntryPage',
    pointer: schema('ListEntryWithEntityPaged'),
    covers: { what: 'a data: null page', test: (s) => (s as { data: unknown }).data === null },
  },
  {
    response: 'entryFieldsPage',
    pointer: schema('FieldPaged'),
    covers: { what: 'a hidden field', test: hasHidden, docs: latestOnly },
  },
  { response: 'companyPage', pointer: schema('CompanyPaged') },
  {
    response: 'company',
    pointer: schema('Company'),
    covers: { what: 'a hidden field', test: hasHidden, docs: latestOnly },
  },
  // 2026-07-15 only: keys on older versions fall back to v1 (below).
  { response: 'dropdownOptionPage', pointer: schema('DropdownOptionPaged') },
  // What POST …/dropdown-options answers (options: create).
  { response: 'dropdownOption', pointer: schema('DropdownOption') },
  { response: 'whoami', pointer: schema('WhoAmI') },
  { response: 'listEntry', pointer: schema('ListEntryWithEntity') },
  // 2026-07-15 only: incremental sync reads the change feed.
  { response: 'fieldValueChangePage', pointer: schema('fieldValueChanges.FieldValueChangePaged') },
  {
    response: 'error',
    pointer: '#/components/responses/400/content/application~1json/schema',
    name: 'the 400 response',
  },
  { response: 'error', pointer: schema('AuthorizationErrors') },
  { response: 'error', pointer: schema('NotFoundErrors') },
  { response: 'error', pointer: schema('Errors') },
];

/** A seed per case, so each case's samples stay the same from run to run. */
function seedOf(text: string): number {
  let hash = 7;
  for (const char of text) hash = (Math.imul(hash, 31) + char.charCodeAt(0)) | 0;
  return hash;
}

/** What went over the wire: JSON has no -0, undefined or NaN. */
function wire(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value));
}

const enumKeys = new Set(['type', 'valueType', 'enrichmentSource', 'color', 'statusCategory', 'code']);

/** The sample as a later API version might send it: unknown enum values, a new property everywhere. */
function later(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(later);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = { addedLater: { nested: [1, 'two', null] } };
  for (const [key, item] of Object.entries(value)) {
    out[key] = enumKeys.has(key) && typeof item === 'string' ? `${item}-from-a-later-version` : later(item);
  }
  return out;
}

function parseFailure(response: Response, sample: unknown): string | null {
  const parsed = responseSchemas[response].safeParse(sample);
  if (parsed.success) return null;
  return `${JSON.stringify(parsed.error.issues).slice(0, 600)}\nin ${JSON.stringify(sample).slice(0, 600)}`;
}

function hasSchema(document: JsonSchema, pointer: string): boolean {
  try {
    resolvePointer(document, pointer);
    return true;
  } catch {
    return false;
  }
}

function samplesOf(document: JsonSchema, pointer: string, seed: number): unknown[] {
  return fc
    .sample(schemaArbitrary(document, { $ref: pointer }), { seed, numRuns: samplesPerResponse })
    .map(wire);
}

for (const docName of specDocuments) {
  const document = specDocument(docName) as JsonSchema;
  describe(`responses of ${docName}`, () => {
    for (const c of cases.filter((c) => hasSchema(document, c.pointer))) {
      const name = c.name ?? c.pointer.split('/').at(-1);
      it(`${c.response} parses ${samplesPerResponse} samples of ${name}`, () => {
        const samples = samplesOf(document, c.pointer, seedOf(`${docName}${c.pointer}`));
        const validate = specValidatorAt(c.pointer, docName);
        for (const sample of samples) {
          expect(validate(sample), JSON.stringify(validate.errors)).toBe(true);
          expect(parseFailure(c.response, sample)).toBeNull();
          expect(parseFailure(c.response, later(sample))).toBeNull();
        }
        if (c.covers !== undefined && (c.covers.docs ?? [docName]).includes(docName)) {
          expect(samples.some(c.covers.test), `no sample has ${c.covers.what}`).toBe(true);
        }
      });
    }
  });
}

describe('responses of the v1 API (no official document: a schema written from the v1 reference)', () => {
  const file = join(import.meta.dirname, '..', 'fixtures', 'affinity-v1', 'fields-response.schema.json');
  const v1 = JSON.parse(readFileSync(file, 'utf8')) as JsonSchema;
  it(`v1Fields parses ${samplesPerResponse} samples of GET /fields`, () => {
    const validate = new Ajv2020({ strict: false, allErrors: true }).compile(v1);
    const samples = fc
      .sample(schemaArbitrary(v1, v1), { seed: seedOf('v1 fields'), numRuns: samplesPerResponse })
      .map(wire);
    for (const sample of samples) {
      expect(validate(sample), JSON.stringify(validate.errors)).toBe(true);
      expect(parseFailure('v1Fields', sample)).toBeNull();
      expect(parseFailure('v1Fields', later(sample))).toBeNull();
    }
  });
});

describe('v1 GET /fields as incremental sync reads it (track_changes)', () => {
  const file = join(import.meta.dirname, '..', 'fixtures', 'affinity-v1', 'fields-response.schema.json');
  const v1 = JSON.parse(readFileSync(file, 'utf8')) as JsonSchema;
  it(`v1FieldTracking parses ${samplesPerResponse} samples of GET /fields`, () => {
    const samples = fc
      .sample(schemaArbitrary(v1, v1), { seed: seedOf('v1 tracking'), numRuns: samplesPerResponse })
      .map(wire);
    for (const sample of samples) {
      expect(parseFailure('v1FieldTracking', sample)).toBeNull();
      expect(parseFailure('v1FieldTracking', later(sample))).toBeNull();
    }
  });
});

describe('what each version has', () => {
  it('has v2 dropdown options only in 2026-07-15 (keys on 2024-01-01 take the v1 fallback)', () => {
    const has = (doc: (typeof specDocuments)[number]) =>
      hasSchema(specDocument(doc) as JsonSchema, schema('DropdownOptionPaged'));
    expect(has('openapi-v2-2024-01-01.json')).toBe(false);
    expect(has('openapi-v2-2026-07-15.json')).toBe(true);
  });
});

describe('paged responses keep every item', () => {
  it('reads a data: null page as no items and keeps every item of the others', () => {
    const document = specDocument('openapi-v2-2026-07-15.json') as JsonSchema;
    const pointer = schema('ListEntryWithEntityPaged');
    for (const sample of samplesOf(document, pointer, 11)) {
      const parsed = responseSchemas.listEntryPage.parse(sample);
      const data = (sample as { data: unknown[] | null }).data;
      expect(parsed.data).toHaveLength(data?.length ?? 0);
    }
  });
});
