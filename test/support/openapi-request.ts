import type { SeenRequest } from '../../src/simulator/server.js';
import { specDocument, type specDocuments, specValidatorAt } from './openapi.js';

// Checks a request as sent (method, path, query, body) against an official OpenAPI document: the
// operation exists, every path and query parameter is declared there and its values fit its
// schema, required ones are present, and the JSON body fits the request body schema.

type Document = (typeof specDocuments)[number];

/** Collects every request a simulator sees (pass `record` as its `onRequest`), for `requestProblems`. */
export function requestLog(): { record: (request: SeenRequest) => void; requests: SeenRequest[] } {
  const requests: SeenRequest[] = [];
  return { record: (request) => requests.push(request), requests };
}

interface Parameter {
  name: string;
  in: string;
  required?: boolean;
  schema?: { type?: string | string[]; items?: { type?: string } };
}

interface Operation {
  parameters?: Array<Parameter | { $ref: string }>;
  requestBody?: { content?: Record<string, unknown>; required?: boolean };
}

interface Spec {
  paths: Record<string, Record<string, Operation>>;
  components: Record<string, Record<string, unknown>>;
}
const documentsRead = new Map<Document, Spec>();

// Parsing a document costs tens of milliseconds: once per document, not once per request.
function parsed(document: Document): Spec {
  let spec = documentsRead.get(document);
  if (spec === undefined) {
    spec = specDocument(document) as unknown as Spec;
    documentsRead.set(document, spec);
  }
  return spec;
}

const pointerSegment = (segment: string) => segment.replaceAll('~', '~0').replaceAll('/', '~1');

function templateOf(
  paths: Record<string, unknown>,
  path: string,
): { template: string; params: Record<string, string> } | null {
  for (const template of Object.keys(paths)) {
    const names: string[] = [];
    const pattern = template.replace(/\{(\w+)\}/g, (_m, name: string) => {
      names.push(name);
      return '([^/]+)';
    });
    const match = new RegExp(`^${pattern}$`).exec(path);
    if (match)
      return {
        template,
        params: Object.fromEntries(names.map((n, i) => [n, decodeURIComponent(match[i + 1]!)])),
      };
  }
  return null;
}

// Query and path values arrive as text; the schema says what they are.
function typed(text: string, type: string | string[] | undefined): unknown {
  const types = Array.isArray(type) ? type : [type];
  if ((types.includes('integer') || types.includes('number')) && /^-?\d+(\.\d+)?$/.test(text))
    return Number(text);
  if (types.includes('boolean') && (text === 'true' || text === 'false')) return text === 'true';
  return text;
}

/** Every way `request` departs from `document`; empty when it conforms. */
export function requestProblems(
  request: SeenRequest,
  document: Document = 'openapi-v2-2026-07-15.json',
): string[] {
  const spec = parsed(document);
  const where = `${request.method} ${request.path}`;
  const found = templateOf(spec.paths, request.path);
  if (found === null) return [`${where}: no such path in ${document}`];
  const method = request.method.toLowerCase();
  const operation = spec.paths[found.template]?.[method];
  if (operation === undefined) return [`${where}: ${found.template} has no ${request.method} in ${document}`];
  const base = `#/paths/${pointerSegment(found.template)}/${method}`;
  const problems: string[] = [];
  const declared = new Map<string, { parameter: Parameter; pointer: string }>();
  (operation.parameters ?? []).forEach((p, i) => {
    const ref = '$ref' in p ? p.$ref : undefined;
    const parameter =
      ref === undefined
        ? (p as Parameter)
        : (spec.components['parameters']?.[ref.split('/').at(-1)!] as Parameter);
    const pointer = ref === undefined ? `${base}/parameters/${i}` : ref;
    declared.set(`${parameter.in}:${parameter.name}`, { parameter, pointer });
  });
  const check = (where2: string, pointer: string, value: unknown) => {
    const validate = specValidatorAt(`${pointer}/schema`, document);
    if (!validate(value))
      problems.push(`${where}: ${where2} ${JSON.stringify(value)}: ${JSON.stringify(validate.errors)}`);
  };
  for (const [name, value] of Object.entries(found.params)) {
    const d = declared.get(`path:${name}`);
    if (d === undefined) problems.push(`${where}: path parameter ${name} is not declared`);
    else check(`path parameter ${name}`, d.pointer, typed(value, d.parameter.schema?.type));
  }
  for (const name of new Set(request.query.keys())) {
    const d = declared.get(`query:${name}`);
    if (d === undefined) {
      problems.push(`${where}: query parameter ${name} is not declared`);
      continue;
    }
    const values = request.query.getAll(name);
    const { schema } = d.parameter;
    const isArray =
      schema?.type === 'array' || (Array.isArray(schema?.type) && schema.type.includes('array'));
    if (isArray)
      check(
        `query ${name}`,
        d.pointer,
        values.map((v) => typed(v, schema?.items?.type)),
      );
    else if (values.length > 1) problems.push(`${where}: query parameter ${name} repeated but not an array`);
    else check(`query ${name}`, d.pointer, typed(values[0]!, schema?.type));
  }
  for (const { parameter } of declared.values()) {
    if (parameter.required && parameter.in === 'query' && !request.query.has(parameter.name)) {
      problems.push(`${where}: required query parameter ${parameter.name} is missing`);
    }
  }
  const content = operation.requestBody?.content?.['application/json'];
  if (request.body === undefined) {
    if (operation.requestBody?.required) problems.push(`${where}: the request body is required`);
  } else if (content === undefined) {
    problems.push(`${where}: sends a body the operation does not take`);
  } else {
    const validate = specValidatorAt(`${base}/requestBody/content/application~1json/schema`, document);
    if (!validate(request.body)) problems.push(`${where}: body ${JSON.stringify(validate.errors)}`);
  }
  return problems;
}
