import { z } from 'zod';

// What the incremental sync reads from GET /v2/field-value-changes (FieldValueChange in the
// 2026-07-15 document) and from v1 GET /fields (`track_changes`). Lenient: only the properties
// the sync relies on are required; Affinity adds properties and value types over time.

/** One field value change: who changed which field of which entity (and entry), when. */
export const fieldValueChangeSchema = z.looseObject({
  id: z.number().int(),
  field: z.looseObject({ id: z.string(), type: z.string().optional() }),
  entity: z.looseObject({ id: z.number().int() }),
  /** The entry the change was made through; null or absent for changes made on the entity itself. */
  listEntry: z
    .looseObject({ id: z.number().int(), listId: z.number().int().optional() })
    .nullable()
    .optional(),
  /** null for system changes (e.g. enrichment). */
  changer: z.looseObject({ id: z.number().int() }).nullable().optional(),
  changedAt: z.string(),
  actionType: z.string().optional(),
  type: z.string().optional(),
  value: z.unknown().optional(),
});
export type FieldValueChange = z.infer<typeof fieldValueChangeSchema>;

/**
 * v1 GET /fields item, as far as change tracking goes: `track_changes` is the field's "track
 * changes" setting (absent on fields that cannot track, e.g. enriched ones).
 */
export const v1FieldTrackingSchema = z.looseObject({
  id: z.number().int(),
  list_id: z.number().int().nullable().optional(),
  track_changes: z.boolean().optional(),
});
export type V1FieldTracking = z.infer<typeof v1FieldTrackingSchema>;
