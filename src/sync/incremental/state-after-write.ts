import type { FieldUpdate } from '../../affinity/field-value.js';
import type { EntryState } from './incremental-state.js';
import { writtenValue } from './written-value.js';

// Which kept state to write around one entry's PATCH requests (pure). Before the first request
// the entries it touches become unknown, so a run killed while a request is in flight (which may
// or may not have been applied) re-reads them instead of trusting stale values; after every
// request of the entry succeeded they hold what was written; after a failure they stay unknown.

export type StateWrites = Array<readonly [number, EntryState]>;

/**
 * The entries a write to `entryId` changes: that entry, and for fields kept on the company (global
 * fields) every entry of the same company on the list.
 */
export function touchedEntries(
  entryId: number,
  updates: readonly FieldUpdate[],
  context: {
    isListField: (fieldId: string) => boolean;
    entityOf: (listEntryId: number) => number | undefined;
    entriesOfEntity: (entityId: number) => readonly number[];
  },
): number[] {
  const touched = new Set([entryId]);
  const entityId = context.entityOf(entryId);
  if (entityId !== undefined && updates.some((u) => !context.isListField(u.id))) {
    for (const id of context.entriesOfEntity(entityId)) touched.add(id);
  }
  return [...touched];
}

/** Before the entry's first request: every touched entry known becomes unknown. */
export function statesBeforeWrite(
  touched: readonly number[],
  current: ReadonlyMap<number, EntryState>,
): StateWrites {
  const writes: StateWrites = [];
  for (const id of touched) {
    const state = current.get(id);
    if (state !== undefined) writes.push([id, { ...state, values: null }]);
  }
  return writes;
}

/**
 * After the entry's requests: `written` (all succeeded) merges the written values into what was
 * known of each touched entry (global fields onto siblings too); `failed` leaves them unknown,
 * as Affinity's atomicity is undocumented and a timed-out request may have been applied.
 */
export function statesAfterWrite(
  outcome: 'written' | 'failed',
  entryId: number,
  touched: readonly number[],
  updates: readonly FieldUpdate[],
  context: { current: ReadonlyMap<number, EntryState>; isListField: (fieldId: string) => boolean },
): StateWrites {
  if (outcome === 'failed') return statesBeforeWrite(touched, context.current);
  const writes: StateWrites = [];
  for (const id of touched) {
    const state = context.current.get(id);
    if (state === undefined) continue;
    // A sibling had unknown values before: only its written global fields become known, so it stays unknown.
    if (state.values === null) {
      writes.push([id, state]);
      continue;
    }
    const values = { ...state.values };
    for (const update of updates) {
      if (id === entryId || !context.isListField(update.id)) values[update.id] = writtenValue(update.value);
    }
    writes.push([id, { ...state, values }]);
  }
  return writes;
}
