import { z } from 'zod';
import { otherUserId } from './change-log.js';
import type { SimField } from './field-model.js';
import { recordChange } from './record-change.js';
import type { SimEntry, SimulatorState } from './state.js';
import { validateUpdateFields } from './validate-update.js';

// Applying updates with their change records, for the API's PATCH (changer: the key's user) and
// for edits "made by a person in Affinity" that tests send to POST /_simulator/edits.

/** Stores each update on `entry` and records the change it makes (tracked fields only). */
export function applyUpdates(
  state: SimulatorState,
  entry: SimEntry,
  updates: readonly { field: SimField; data: unknown }[],
  changer: { changerId: number | null; changedAt?: string },
): void {
  for (const { field, data } of updates) {
    const before = state.read(entry, field);
    state.store(entry, field, data);
    recordChange(state, entry, field, before, state.read(entry, field), changer);
  }
}

export const editRequestSchema = z.strictObject({
  listId: z.number().int().positive(),
  listEntryId: z.number().int().positive(),
  /** Same shape as PATCH …/fields `updates`: `[{id, value: {type, data}}]`. */
  updates: z.array(z.unknown()).min(1),
  /** Who made the edit; null is a system change (e.g. enrichment). @defaultValue 2 */
  changerId: z.number().int().positive().nullable().optional(),
  /** When, to simulate a change that becomes visible late. @defaultValue now */
  changedAt: z.iso.datetime({ offset: true }).optional(),
});
export type EditRequest = z.input<typeof editRequestSchema>;

export const trackingRequestSchema = z.strictObject({
  listId: z.number().int().positive(),
  fieldId: z.string().min(1),
  enabled: z.boolean(),
});
export type TrackingRequest = z.input<typeof trackingRequestSchema>;

/** An edit by someone other than the API key's user; all or nothing, like PATCH. Returns an error text or null. */
export function applyEdit(state: SimulatorState, request: EditRequest): string | null {
  const list = state.lists.get(request.listId);
  if (!list) return `list ${request.listId} does not exist`;
  const entry = list.entryById.get(request.listEntryId);
  if (!entry) return `list entry ${request.listEntryId} is not on list ${list.id}`;
  const check = validateUpdateFields(list, { operation: 'update-fields', updates: request.updates });
  if (!check.ok) return `${check.error.param ?? 'body'}: ${check.error.message}`;
  applyUpdates(state, entry, check.updates, {
    changerId: request.changerId === undefined ? otherUserId : request.changerId,
    ...(request.changedAt === undefined ? {} : { changedAt: request.changedAt }),
  });
  return null;
}

/** Turns a field's change tracking on or off (as an admin would in Affinity's field settings). */
export function setChangeTracking(state: SimulatorState, request: TrackingRequest): string | null {
  const field = state.lists.get(request.listId)?.fieldById.get(request.fieldId);
  if (!field) return `list ${request.listId} has no field "${request.fieldId}"`;
  field.trackChanges = request.enabled;
  return null;
}
