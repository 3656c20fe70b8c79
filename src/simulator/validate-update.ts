import type { SimField } from './field-model.js';
import type { SimList } from './state.js';
import { checkValueData } from './value-data.js';
import { refusalReason } from './write-rules.js';

/** One error in Affinity's error body. */
export interface ApiError {
  code: string;
  message: string;
  param?: string;
}

export type UpdateCheck =
  | { ok: true; updates: { field: SimField; data: unknown }[] }
  | { ok: false; error: ApiError };

/** Affinity's cap on updates in one PATCH …/fields call. */
export const maxUpdatesPerCall = 100;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function invalid(param: string, message: string): UpdateCheck {
  return { ok: false, error: { code: 'validation', message, param } };
}

/**
 * Validates a PATCH /v2/lists/{listId}/list-entries/{id}/fields body the way Affinity does, every
 * update before any is applied (all or nothing), and returns the stored form of each value.
 */
export function validateUpdateFields(list: SimList, body: unknown): UpdateCheck {
  return validateUpdates(list.fieldById, `list ${list.id}`, body);
}

/**
 * The same check for any set of writable fields: `where` names them in messages ("list 12",
 * "company 5"). PATCH /v2/{companies|persons}/{id}/fields takes the same body.
 */
export function validateUpdates(
  fieldById: ReadonlyMap<string, SimField>,
  where: string,
  body: unknown,
): UpdateCheck {
  if (!isRecord(body)) {
    return { ok: false, error: { code: 'bad-request', message: 'Request body must be a JSON object' } };
  }
  if (body['operation'] !== 'update-fields') {
    return invalid(
      'operation',
      `operation must be "update-fields"; got ${JSON.stringify(body['operation']) ?? 'nothing'}`,
    );
  }
  const updates = body['updates'];
  if (!Array.isArray(updates)) return invalid('updates', 'updates must be an array of {id, value}');
  if (updates.length > maxUpdatesPerCall) {
    return invalid('updates', `updates may hold at most ${maxUpdatesPerCall} items; got ${updates.length}`);
  }
  const checked: { field: SimField; data: unknown }[] = [];
  for (const [i, update] of updates.entries()) {
    const at = `updates[${i}]`;
    if (!isRecord(update)) return invalid(at, `${at} must be an object {id, value}`);
    const id = update['id'];
    if (typeof id !== 'string')
      return invalid(`${at}.id`, `${at}.id must be a field id string such as "field-123"`);
    const field = fieldById.get(id);
    if (!field) return invalid(`${at}.id`, `Field "${id}" is not a field on ${where}`);
    const reason = refusalReason(field);
    if (reason) return invalid(`${at}.id`, `Field "${field.name}" (${id}) cannot be written: ${reason}`);
    const value = update['value'];
    if (!isRecord(value) || !('data' in value)) {
      return invalid(`${at}.value`, `${at}.value must be an object {type, data}`);
    }
    if (value['type'] !== field.valueType) {
      const got = JSON.stringify(value['type']) ?? 'nothing';
      return invalid(
        `${at}.value`,
        `${at}.value.type must be "${field.valueType}", the valueType of field "${field.name}" (${id}); got ${got}`,
      );
    }
    const data = checkValueData(field, value['data'], { lenient: false });
    if (!data.ok) return invalid(`${at}.value`, `${at}.value.data: ${data.message}`);
    checked.push({ field, data: data.data });
  }
  return { ok: true, updates: checked };
}
