import { z } from 'zod';
import { fieldKinds, valueTypes } from './value-type.js';

// Shapes of what Affinity API v2 returns, as far as affinity-sync reads them (official spec in
// ../shared/affinity/). Objects are loose: Affinity adds properties over time.

export const valueTypeSchema = z.enum(valueTypes);
export const fieldKindSchema = z.enum(fieldKinds);

/** GET /v2/lists/{listId}/fields item. */
export const fieldMetadataSchema = z.looseObject({
  id: z.string(),
  name: z.string(),
  type: fieldKindSchema,
  valueType: valueTypeSchema,
  enrichmentSource: z.string().nullable(),
});
export type FieldMetadata = z.infer<typeof fieldMetadataSchema>;

/** A field value as read: `data` is shaped by `type` (see field-value.ts for the typed forms). */
export const fieldValueReadSchema = z.looseObject({
  type: valueTypeSchema,
  data: z.unknown(),
});
export type FieldValueRead = z.infer<typeof fieldValueReadSchema>;

export const fieldSchema = z.looseObject({
  id: z.string(),
  name: z.string(),
  type: fieldKindSchema,
  enrichmentSource: z.string().nullable(),
  value: fieldValueReadSchema,
});
export type Field = z.infer<typeof fieldSchema>;

export const entitySchema = z.looseObject({
  id: z.number().int(),
  name: z.string().optional(),
  domain: z.string().nullable().optional(),
  domains: z.array(z.string()).optional(),
  fields: z.array(fieldSchema).default([]),
});
export type Entity = z.infer<typeof entitySchema>;

/** GET /v2/lists/{listId}/list-entries item (ListEntryWithEntity). */
export const listEntrySchema = z.looseObject({
  id: z.number().int(),
  type: z.enum(['company', 'person', 'opportunity']),
  listId: z.number().int(),
  createdAt: z.string(),
  creatorId: z.number().int().nullable(),
  entity: entitySchema,
});
export type ListEntry = z.infer<typeof listEntrySchema>;

export const listSchema = z.looseObject({
  id: z.number().int(),
  name: z.string(),
  type: z.enum(['company', 'person', 'opportunity']),
  isPublic: z.boolean(),
  ownerId: z.number().int(),
  creatorId: z.number().int(),
});
export type List = z.infer<typeof listSchema>;

export const paginationSchema = z.looseObject({
  nextUrl: z.string().nullable().optional(),
  prevUrl: z.string().nullable().optional(),
});

/** Wraps an item schema in Affinity's paged envelope `{data, pagination}`. */
export function pagedSchema<T extends z.ZodType>(item: T) {
  return z.looseObject({ data: z.array(item), pagination: paginationSchema });
}

/** A dropdown option, whichever API returned it (v2 dropdown-options or v1 dropdown_options). */
export const dropdownOptionSchema = z.looseObject({
  id: z.number().int(),
  text: z.string(),
  rank: z.number().int().nullable().optional(),
  color: z.union([z.string(), z.number()]).nullable().optional(),
});
export type DropdownOption = z.infer<typeof dropdownOptionSchema>;

/** v1 GET /fields?list_id=… item. */
export const v1FieldSchema = z.looseObject({
  id: z.number().int(),
  name: z.string(),
  list_id: z.number().int().nullable(),
  value_type: z.number().int(),
  allows_multiple: z.boolean().optional(),
  dropdown_options: z.array(dropdownOptionSchema).default([]),
});
export type V1Field = z.infer<typeof v1FieldSchema>;

/** Affinity's error body: `{errors:[{code, message, param?}]}`. */
export const errorBodySchema = z.looseObject({
  errors: z.array(z.looseObject({ code: z.string(), message: z.string(), param: z.string().optional() })),
});
export type ErrorBody = z.infer<typeof errorBodySchema>;

/** GET /v2/auth/whoami: who the API key belongs to. */
export const whoamiSchema = z.looseObject({
  tenant: z.looseObject({ id: z.number().int(), name: z.string(), subdomain: z.string() }),
  user: z.looseObject({
    id: z.number().int(),
    firstName: z.string(),
    lastName: z.string().nullable(),
    emailAddress: z.string(),
  }),
  grant: z.looseObject({ type: z.string(), scopes: z.array(z.string()), createdAt: z.string() }),
});
export type WhoAmI = z.infer<typeof whoamiSchema>;
