import { AffinityApiError } from '../affinity/affinity-api-error.js';
import type { AffinityClient } from '../affinity/client.js';
import type { Target, TargetFields } from './target.js';

/** Entries per page when reading a list: the API's maximum, so `ceil(entries / 100)` calls. */
const pageSize = 100;

/** The Target of `list: <id>`: fields, entries and PATCH …/list-entries/{id}/fields of one list. */
export function listTarget(client: AffinityClient, listId: number): Target {
  return {
    describeFields: () => listFields(client, listId),
    dropdownOptions: (fieldId) => client.getDropdownOptions(listId, fieldId),
    readCurrent: (fieldIds) => client.listEntryPages(listId, { fieldIds, limit: pageSize }),
    writeRecord: (entryId, updates) => client.updateListEntryFields(listId, entryId, updates),
  };
}

async function listFields(client: AffinityClient, listId: number): Promise<TargetFields> {
  try {
    return { ok: true, fields: await client.getListFields(listId) };
  } catch (caught) {
    // A 404 here is a wrong list id in the mapping, not a failure of the run.
    if (!(caught instanceof AffinityApiError) || caught.status !== 404) throw caught;
    return {
      ok: false,
      problem: {
        path: 'list',
        message: `list ${listId} does not exist in Affinity (or this API key cannot see it); check the list id in the list's URL`,
      },
    };
  }
}
