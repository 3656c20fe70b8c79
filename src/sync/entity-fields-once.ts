import type { PlannedUpdate } from './plan-row.js';

/** The part of one entry's pending changes this decision reads. */
export interface PendingChanges {
  entry: { entityId: number };
  /** The row that reached the entry last. */
  row: number;
  changed: PlannedUpdate[];
  unchanged: number;
}

/**
 * A field whose value belongs to the entity (a global field on a list) is sent once per entity,
 * not once per list entry of it: the entry reached by the latest row keeps the update (the first
 * of them on a tie), the entity's other entries drop it and count it unchanged, as it will be once
 * the one write lands (pure; list order kept).
 */
export function entityFieldsOnce<T extends PendingChanges>(
  items: readonly T[],
  entityOwned: (fieldId: string) => boolean,
): T[] {
  const keeper = new Map<string, T>();
  for (const item of items) {
    for (const { update } of item.changed) {
      if (!entityOwned(update.id)) continue;
      const key = `${item.entry.entityId}\u0000${update.id}`;
      const kept = keeper.get(key);
      if (kept === undefined || item.row > kept.row) keeper.set(key, item);
    }
  }
  if (keeper.size === 0) return [...items];
  return items.map((item) => {
    const changed = item.changed.filter(
      ({ update }) =>
        !entityOwned(update.id) || keeper.get(`${item.entry.entityId}\u0000${update.id}`) === item,
    );
    const dropped = item.changed.length - changed.length;
    return dropped === 0 ? item : { ...item, changed, unchanged: item.unchanged + dropped };
  });
}
