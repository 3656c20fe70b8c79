import { AffinityApiError } from '../../affinity/affinity-api-error.js';
import type { AffinityClient } from '../../affinity/client.js';
import type { ListEntry } from '../../affinity/schemas.js';
import type { EntryState } from './incremental-state.js';

/** Requests in flight while re-reading (the limiter paces them). */
const concurrency = 8;

/**
 * Reads the current values of `ids` (thin). One GET …/list-entries/{id}?fieldIds=… per entry; when
 * every mapped field lives on the company (`batched`) and the entry is known, its company comes in a
 * GET /v2/companies?ids=… of 100. An entry gone from the list comes back as null.
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
    if (!options.batched || state === undefined) single.push(id);
    else byEntity.set(state.entityId, [...(byEntity.get(state.entityId) ?? []), id]);
  }
  if (byEntity.size > 0) {
    const companies = await client.getCompaniesWithFields([...byEntity.keys()], options.fieldIds);
    for (const company of companies) {
      for (const id of byEntity.get(company.id) ?? []) read.set(id, asListEntry(id, options.listId, company));
    }
    // A company Affinity no longer has: its entries are gone too.
    for (const ids of byEntity.values()) for (const id of ids) if (!read.has(id)) read.set(id, null);
  }
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

function asListEntry(id: number, listId: number, entity: ListEntry['entity']): ListEntry {
  return { id, type: 'company', listId, createdAt: '', creatorId: null, entity };
}
