import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { entityResponseSchemas } from '../../src/affinity/entity-schemas.js';
import { specDocument, specDocuments, specValidatorAt } from '../support/openapi.js';
import { type JsonSchema, schemaArbitrary } from './support/schema-arbitrary.js';

// The entity calls' responses (company / person fields, reads by ids, search), sampled from both
// official documents as response-samples.test.ts does for the others: every sample is valid for the
// document (ajv) and parses with the product's schema.

const samples = 200 * Number(process.env['PROPERTY_SCALE'] ?? 1);
const cases = [
  { response: 'entityFieldsPage', schema: 'FieldMetadataPaged' },
  { response: 'entityRecordPage', schema: 'CompanyPaged' },
  { response: 'entityRecordPage', schema: 'PersonPaged' },
] as const;

for (const docName of specDocuments) {
  describe(`entity responses of ${docName}`, () => {
    for (const c of cases) {
      it(`${c.response} parses ${samples} samples of ${c.schema}`, () => {
        const pointer = `#/components/schemas/${c.schema}`;
        const document = specDocument(docName) as JsonSchema;
        const validate = specValidatorAt(pointer, docName);
        const drawn = fc.sample(schemaArbitrary(document, { $ref: pointer }), { seed: 16, numRuns: samples });
        for (const sample of drawn.map((s) => JSON.parse(JSON.stringify(s)) as unknown)) {
          expect(validate(sample), JSON.stringify(validate.errors)).toBe(true);
          const parsed = entityResponseSchemas[c.response].safeParse(sample);
          expect(parsed.success, String(JSON.stringify(parsed.error?.issues)).slice(0, 400)).toBe(true);
        }
      });
    }
  });
}
