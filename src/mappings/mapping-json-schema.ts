import { z } from 'zod';
import { mappingSchema } from './mapping-schema.js';

/**
 * JSON Schema of the mapping format as written (the input side: short and long field forms,
 * defaults optional), for editors. Draft-07, which yaml-language-server reads.
 */
export function mappingJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(mappingSchema, { io: 'input', target: 'draft-7' }) as Record<string, unknown>;
}

/** The text of mappings/mapping.schema.json. */
export function mappingJsonSchemaText(): string {
  return `${JSON.stringify(mappingJsonSchema(), null, 2)}\n`;
}
