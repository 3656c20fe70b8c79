import { AffinityApiError } from '../affinity/affinity-api-error.js';
import type { AffinityClient } from '../affinity/client.js';
import type { EntityKind, EntityRecord } from '../affinity/entity-schemas.js';
import type { ListEntry } from '../affinity/schemas.js';
import type { RecordTarget, TargetFields } from './target.js';

/**
 * The Target of `target: companies | persons`: the entities' own fields (GET
 * /v2/{companies|persons}/fields), their values read by id (≤100 per request) and written with
 * PATCH /v2/{companies|persons}/{id}/fields. `onGone` hears of an id a write found missing (404:
 * merged or deleted), so a cached lookup of it is dropped.
 */
export function entityTarget(
  client: AffinityClient,
  entity: EntityKind,
  onGone: (id: number) => Promise<void> = async () => {},
): RecordTarget {
  return {
    entity,
    describeFields: () => entityFields(client, entity),
    dropdownOptions: (fieldId) => client.getEntityDropdownOptions(entity, fieldId),
    readCurrent: () => {
      throw new Error(`${entity} targets are read by id (readRecords), never scanned`);
    },
    async *readRecords(ids, fieldIds) {
      for await (const page of client.entitiesByIds(entity, ids, fieldIds))
        yield page.map((r) => asEntry(entity, r));
    },
    async writeRecord(id, updates) {
      try {
        await client.updateEntityFields(entity, id, updates);
      } catch (caught) {
        if (caught instanceof AffinityApiError && caught.status === 404) await onGone(id);
        throw caught;
      }
    },
  };
}

async function entityFields(client: AffinityClient, entity: EntityKind): Promise<TargetFields> {
  try {
    return { ok: true, fields: await client.getEntityFields(entity) };
  } catch (caught) {
    // Before 2026-07-15 some keys' API versions lack the entity endpoints: say so where the mapping names it.
    if (!(caught instanceof AffinityApiError) || caught.status !== 404) throw caught;
    const plural = entity === 'company' ? 'companies' : 'persons';
    return {
      ok: false,
      problem: {
        path: 'target',
        message: `Affinity has no GET /v2/${plural}/fields for this API key (404); writing ${plural}' own fields needs API version 2026-07-15`,
      },
    };
  }
}

/** An entity record in the shape the index and the write phase know: the entity as `entity`, its id as `id`. */
function asEntry(entity: EntityKind, record: EntityRecord): ListEntry {
  const personName = [record.firstName, record.lastName].filter((p) => p != null && p !== '').join(' ');
  const name = entity === 'company' ? record.name : personName || undefined;
  return {
    id: record.id,
    type: entity,
    listId: 0,
    createdAt: '',
    creatorId: null,
    entity: {
      ...record,
      ...(name === undefined ? {} : { name }),
      domains: record.domains,
      fields: record.fields,
    },
  };
}
