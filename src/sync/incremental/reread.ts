import { AffinityApiError } from '../../affinity/affinity-api-error.js';
import type { AffinityClient } from '../../affinity/client.js';
import type { EntityKind, EntityRecord } from '../../affinity/entity-schemas.js';
import type { ListEntry } from '../../affinity/schemas.js';
import type { EntryState } from './incremental-state.js';

/** Requests in flight while re-reading (the limiter paces them). */
const concurrency = 8;

/**
 * Reads the current values of `ids` (thin). One GET …/list-entries/{id}?fieldIds=… per entry; when
 * every mapped field lives on the company or person (`batched`) and the entry is known, its entity
 * comes in a GET /v2/companies?ids=… (or persons) of 100. An entry gone from the list comes back as null.
 */
export async function rereadEntries(
  client: AffinityClient,
  options: {
    listId: number;
    ids: readonly number[];
    fieldIds: string[];
    batched: boolean;
    known: ReadonlyMap<number, EntryState>;
  },
): Promise<Map<number, ListEntry | null>> {
  const read = new Map<number, ListEntry | null>();
  const single: number[] = [];
  const byEntity = new Map<number, number[]>();
  for (const id of options.ids) {
    const state = options.known.get(id);
    if (!options.batched || state === undefined || entityKind(state.type) === undefined) single.push(id);
    else byEntity.set(state.entityId, [...(byEntity.get(state.entityId) ?? []), id]);
  }
  for (const kind of ['company', 'person'] as const) {
    const entityIds = [...byEntity.keys()].filter(
      (e) => entityKind(entityTypeOf(options.known, byEntity, e)) === kind,
    );
    for await (const page of client.entitiesByIds(kind, entityIds, options.fieldIds)) {
      for (const record of page) {
        for (const id of byEntity.get(record.id) ?? [])
          read.set(id, asListEntry(id, options.listId, kind, record));
      }
    }
  }
  // A company or person Affinity no longer has: its entries are gone too.
  for (const ids of byEntity.values()) for (const id of ids) if (!read.has(id)) read.set(id, null);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < single.length) {
      const id = single[next++] as number;
      try {
        read.set(id, await client.getListEntry(options.listId, id, options.fieldIds));
      } catch (caught) {
        if (!(caught instanceof AffinityApiError) || caught.status !== 404) throw caught;
        read.set(id, null);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, single.length) }, lane));
  return read;
}

/** The entity kind of a list entry type whose fields can be read by ids (company and person lists). */
function entityKind(type: string | undefined): EntityKind | undefined {
  return type === 'company' || type === 'person' ? type : undefined;
}

function entityTypeOf(
  known: ReadonlyMap<number, EntryState>,
  byEntity: ReadonlyMap<number, number[]>,
  entityId: number,
): string | undefined {
  const first = byEntity.get(entityId)?.[0];
  return first === undefined ? undefined : known.get(first)?.type;
}

function asListEntry(id: number, listId: number, type: EntityKind, entity: EntityRecord): ListEntry {
  return { id, type, listId, createdAt: '', creatorId: null, entity };
}
