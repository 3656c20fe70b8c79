import fc from 'fast-check';

// fast-check arbitraries generated from the JSON Schema subset Affinity's OpenAPI 3.1 documents use
// ($ref, type lists, const, enum, properties/required, additionalProperties, allOf, oneOf, items,
// maxItems, uniqueItems, minimum/maximum, formats). Samples are valid by construction; the tests
// still check each one with ajv against the document, so a gap here shows up as a failure, not as
// a test that proves nothing.

export type JsonSchema = { [key: string]: unknown };

/** Arrays stay short so a page of entries with fields with values stays small. */
const maxArrayLength = 3;
const maxDepth = 40;

/** The value at a local JSON Pointer such as `#/components/schemas/Company`. */
export function resolvePointer(document: JsonSchema, pointer: string): JsonSchema {
  if (!pointer.startsWith('#/')) throw new Error(`only local $refs are supported, got ${pointer}`);
  let node: unknown = document;
  for (const raw of pointer.slice(2).split('/')) {
    const key = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    node = (node as JsonSchema | undefined)?.[key];
  }
  if (node === undefined || typeof node !== 'object') throw new Error(`${pointer} does not resolve`);
  return node as JsonSchema;
}

/** An arbitrary of the JSON values `schema` (inside `document`) accepts. */
export function schemaArbitrary(document: JsonSchema, schema: JsonSchema): fc.Arbitrary<unknown> {
  return build(document, schema, 0);
}

function build(document: JsonSchema, input: JsonSchema, depth: number): fc.Arbitrary<unknown> {
  if (depth > maxDepth) throw new Error('schema nests deeper than expected (a cycle?)');
  const schema = mergeAllOf(document, deref(document, input));
  const next = (s: unknown) => build(document, s as JsonSchema, depth + 1);
  if ('const' in schema) return fc.constant(schema['const']);
  if (Array.isArray(schema['enum'])) return fc.constantFrom(...(schema['enum'] as unknown[]));
  const alternatives = (schema['oneOf'] ?? schema['anyOf']) as JsonSchema[] | undefined;
  if (alternatives !== undefined) return fc.oneof(...alternatives.map(next));
  const type = schema['type'];
  if (Array.isArray(type)) return fc.oneof(...type.map((t: string) => ofType(document, schema, t, depth)));
  if (typeof type === 'string') return ofType(document, schema, type, depth);
  if (schema['properties'] !== undefined) return ofType(document, schema, 'object', depth);
  return fc.jsonValue({ maxDepth: 1 });
}

function ofType(
  document: JsonSchema,
  schema: JsonSchema,
  type: string,
  depth: number,
): fc.Arbitrary<unknown> {
  switch (type) {
    case 'null':
      return fc.constant(null);
    case 'boolean':
      return fc.boolean();
    case 'integer':
      return fc.integer({
        min: (schema['minimum'] as number | undefined) ?? -(2 ** 31),
        max: (schema['maximum'] as number | undefined) ?? 2 ** 31 - 1,
      });
    case 'number':
      return fc.double({
        noNaN: true,
        noDefaultInfinity: true,
        ...(typeof schema['minimum'] === 'number' ? { min: schema['minimum'] } : {}),
        ...(typeof schema['maximum'] === 'number' ? { max: schema['maximum'] } : {}),
      });
    case 'string':
      return stringOf(schema['format']);
    case 'array': {
      const items = build(document, (schema['items'] ?? {}) as JsonSchema, depth + 1);
      const maxLength = Math.min(
        (schema['maxItems'] as number | undefined) ?? maxArrayLength,
        maxArrayLength,
      );
      return schema['uniqueItems'] === true
        ? fc.uniqueArray(items, { maxLength, selector: (v) => JSON.stringify(v) })
        : fc.array(items, { maxLength });
    }
    case 'object':
      return objectOf(document, schema, depth);
    default:
      throw new Error(`unsupported type ${type}`);
  }
}

function stringOf(format: unknown): fc.Arbitrary<string> {
  switch (format) {
    case 'date-time':
      return fc
        .date({
          min: new Date('1990-01-01T00:00:00Z'),
          max: new Date('2100-01-01T00:00:00Z'),
          noInvalidDate: true,
        })
        .map((d) => d.toISOString());
    case 'uri':
      return fc.webUrl();
    case 'hostname':
      return fc.domain();
    case 'email':
      return fc.emailAddress();
    default:
      return fc.string({ maxLength: 12 });
  }
}

function objectOf(document: JsonSchema, schema: JsonSchema, depth: number): fc.Arbitrary<unknown> {
  const properties = (schema['properties'] ?? {}) as Record<string, JsonSchema>;
  const required = (schema['required'] ?? []) as string[];
  const model: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [key, property] of Object.entries(properties)) model[key] = build(document, property, depth + 1);
  const record = fc.record(model, { requiredKeys: required.filter((k) => k in model) });
  const closed = schema['additionalProperties'] === false || schema['unevaluatedProperties'] === false;
  if (closed) return record;
  // Where the document allows more properties, some samples carry a few.
  const extraKey = fc.string({ minLength: 1, maxLength: 8 }).map((k) => `x-${k}`);
  const extras = fc.dictionary(extraKey, fc.jsonValue({ maxDepth: 1 }), { maxKeys: 2 });
  return fc.tuple(record, extras).map(([known, extra]) => ({ ...extra, ...known }));
}

function deref(document: JsonSchema, schema: JsonSchema): JsonSchema {
  let current = schema;
  for (let hops = 0; typeof current['$ref'] === 'string'; hops++) {
    if (hops > 20) throw new Error(`$ref chain too long at ${String(current['$ref'])}`);
    const { $ref, ...rest } = current;
    current = { ...resolvePointer(document, $ref as string), ...rest };
  }
  return current;
}

// allOf of object schemas (the 2026 dropdown options): one object with every part's properties.
function mergeAllOf(document: JsonSchema, schema: JsonSchema): JsonSchema {
  const parts = schema['allOf'] as JsonSchema[] | undefined;
  if (parts === undefined) return schema;
  const { allOf: _allOf, ...own } = schema;
  const merged: JsonSchema = { ...own, properties: { ...(own['properties'] as object) }, required: [] };
  for (const part of [...parts.map((p) => mergeAllOf(document, deref(document, p))), own]) {
    Object.assign(merged['properties'] as object, part['properties']);
    (merged['required'] as string[]).push(...((part['required'] as string[] | undefined) ?? []));
    if (part['type'] !== undefined) merged['type'] = part['type'];
  }
  return merged;
}
