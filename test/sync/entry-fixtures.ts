import type { ListEntry } from '../../src/affinity/schemas.js';

/** A company list entry as `GET /v2/lists/{listId}/list-entries` returns it. */
export function companyEntry(
  id: number,
  entityId: number,
  domain: string | null,
  domains: string[] = domain === null ? [] : [domain],
  fields: { id: string; value: { type: 'number'; data: number | null } }[] = [],
): ListEntry {
  return {
    id,
    type: 'company',
    listId: 1,
    createdAt: '2024-01-01T00:00:00Z',
    creatorId: 1,
    entity: {
      id: entityId,
      name: `Company ${entityId}`,
      domain,
      domains,
      fields: fields.map((f) => ({ ...f, name: f.id, type: 'list', enrichmentSource: null })),
    },
  };
}

/** A person list entry: the entity carries its primary and other e-mail addresses. */
export function personEntry(
  id: number,
  entityId: number,
  primaryEmailAddress: string | null,
  emailAddresses: string[] = primaryEmailAddress === null ? [] : [primaryEmailAddress],
): ListEntry {
  return {
    id,
    type: 'person',
    listId: 2,
    createdAt: '2024-01-01T00:00:00Z',
    creatorId: 1,
    entity: {
      id: entityId,
      firstName: `Person`,
      lastName: String(entityId),
      primaryEmailAddress,
      emailAddresses,
      type: 'external',
      domains: [],
      fields: [],
    },
  };
}
