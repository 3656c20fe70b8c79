import { createHash } from 'node:crypto';

/**
 * The identity of what an incremental state describes (pure): the list and the mapped fields with
 * their value types. Kept state describes exactly these, so any change forces a reconcile.
 */
export function fieldsHash(
  listId: number,
  fields: readonly { fieldId: string; valueType: string }[],
): string {
  const ids = [...new Set(fields.map((f) => `${f.fieldId}:${f.valueType}`))].sort();
  return createHash('sha256')
    .update(JSON.stringify({ listId, fields: ids }))
    .digest('hex')
    .slice(0, 32);
}
