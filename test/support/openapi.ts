import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

// Validates bodies against Affinity's official OpenAPI documents, vendored unchanged in
// test/fixtures/affinity-openapi/ so a clone tests on its own.

const specDir = join(import.meta.dirname, '..', 'fixtures', 'affinity-openapi');
const documents = ['openapi-v2-2024-01-01.json', 'openapi-v2-2026-07-15.json'] as const;

type Validate = ((data: unknown) => boolean) & { errors?: unknown };
const cache = new Map<string, Validate>();

/** A validator for one component schema (e.g. "ListEntryBatchOperationRequest") of one spec version. */
export function specValidator(
  schemaName: string,
  document: (typeof documents)[number] = 'openapi-v2-2024-01-01.json',
): Validate {
  const key = `${document}#${schemaName}`;
  const cached = cache.get(key);
  if (cached) return cached;
  const spec = JSON.parse(readFileSync(join(specDir, document), 'utf8')) as Record<string, unknown>;
  // OpenAPI 3.1 schemas are JSON Schema 2020-12 plus a few OpenAPI keywords ajv must tolerate.
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true });
  ajv.addKeyword('discriminator');
  ajv.addKeyword('example');
  (addFormats as unknown as (a: Ajv2020) => void)(ajv);
  ajv.addSchema({ ...spec, $id: 'affinity' });
  const validate = ajv.getSchema(`affinity#/components/schemas/${schemaName}`);
  if (!validate) throw new Error(`no schema ${schemaName} in ${document}`);
  cache.set(key, validate as Validate);
  return validate as Validate;
}

export { documents as specDocuments };
