import { AffinityApiError } from '../../affinity/affinity-api-error.js';
import type { V1FieldTracking } from '../../affinity/change-schemas.js';
import type { AffinityClient } from '../../affinity/client.js';

// How the sync knows the feed can serve a field: v2 field metadata has no change-tracking flag, and
// GET /v2/field-value-changes just leaves untracked fields out ("Only fields with change tracking
// enabled are included"), so an empty answer cannot tell "nobody edited" from "not tracked". v1
// GET /fields gives each field's `track_changes`; a field it does not report as true (absent, false,
// no v1 id such as "affinity-data-…", or v1 not answering) counts as untracked, and the run
// reconciles. Two calls at most: the list's fields, and the global ones when a global field is mapped.

export interface TrackedField {
  fieldId: string;
  /** The field's `type`: "list", or a field kept on the company (global). */
  kind: string;
}

/** v2 "field-1234" is v1 1234; other v2 ids have no v1 twin. */
function v1Id(fieldId: string): number | null {
  const match = /^field-(\d+)$/.exec(fieldId);
  return match ? Number(match[1]) : null;
}

/** The mapped fields whose tracking v1 does not confirm (pure). */
export function untrackedOf(fields: readonly TrackedField[], v1Fields: readonly V1FieldTracking[]): string[] {
  const tracked = new Set(v1Fields.filter((f) => f.track_changes === true).map((f) => f.id));
  return fields
    .filter((f) => {
      const id = v1Id(f.fieldId);
      return id === null || !tracked.has(id);
    })
    .map((f) => f.fieldId);
}

/** Asks v1 which mapped fields track changes; those it cannot confirm are returned untracked. */
export async function untrackedFields(
  client: AffinityClient,
  listId: number,
  fields: readonly TrackedField[],
): Promise<{ untracked: string[]; calls: number; note?: string }> {
  const v1Fields: V1FieldTracking[] = [];
  let calls = 0;
  let note: string | undefined;
  const scopes: Array<number | null> = [listId];
  if (fields.some((f) => f.kind !== 'list')) scopes.push(null);
  for (const scope of scopes) {
    calls += 1;
    try {
      v1Fields.push(...(await client.getV1FieldTracking(scope)));
    } catch (caught) {
      // A key without v1 access, or v1 retired: tracking is unknown, which reads as untracked.
      if (!(caught instanceof AffinityApiError) || (caught.status !== 403 && caught.status !== 404))
        throw caught;
      note = `v1 GET /fields answered ${caught.status}, so change tracking could not be checked`;
    }
  }
  return { untracked: untrackedOf(fields, v1Fields), calls, ...(note === undefined ? {} : { note }) };
}
