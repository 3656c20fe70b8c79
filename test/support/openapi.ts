import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

// Validates bodies against Affinity's official OpenAPI documents, vendored unchanged in
// test/fixtures/affinity-openapi/ so a clone tests on its own.

const specDir = join(import.meta.dirname, '..', 'fixtures', 'affinity-openapi');
const documents = ['openapi-v2-2024-01-01.json', 'openapi-v2-2026-07-15.json'] as const;

type Validate = ((data: unknown) => boolean) & { errors?: unknown };
type Document = (typeof documents)[number];
const compilers = new Map<Document, Ajv2020>();
const cache = new Map<string, Validate>();

/** A validator for one component schema (e.g. "ListEntryBatchOperationRequest") of one spec version. */
export function specValidator(
  schemaName: string,
  document: Document = 'openapi-v2-2024-01-01.json',
): Validate {
  return specValidatorAt(`#/components/schemas/${schemaName}`, document);
}

/** A validator for the schema at a JSON Pointer of one spec version (e.g. an inline response schema). */
export function specValidatorAt(pointer: string, document: Document): Validate {
  const key = `${document}${pointer}`;
  const cached = cache.get(key);
  if (cached) return cached;
  const validate = compiler(document).getSchema(`affinity${pointer}`);
  if (!validate) throw new Error(`no schema at ${pointer} in ${document}`);
  cache.set(key, validate as Validate);
  return validate as Validate;
}

/** The parsed document, for tools that read its schemas directly (e.g. sample generators). */
export function specDocument(document: Document): Record<string, unknown> {
  return JSON.parse(readFileSync(join(specDir, document), 'utf8')) as Record<string, unknown>;
}

// One ajv per document: adding a whole document is the slow part, compiling one schema is not.
function compiler(document: Document): Ajv2020 {
  const existing = compilers.get(document);
  if (existing) return existing;
  // OpenAPI 3.1 schemas are JSON Schema 2020-12 plus a few OpenAPI keywords ajv must tolerate.
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true });
  ajv.addKeyword('discriminator');
  ajv.addKeyword('example');
  (addFormats as unknown as (a: Ajv2020) => void)(ajv);
  ajv.addSchema({ ...specDocument(document), $id: 'affinity' });
  compilers.set(document, ajv);
  return ajv;
}

export { documents as specDocuments };
