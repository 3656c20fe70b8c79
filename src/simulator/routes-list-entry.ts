import { notFound, positiveInt, type Route } from './router.js';
import { renderEntry, selectFields } from './routes-list-entries.js';
import { findList } from './routes-lists.js';

// GET /v2/lists/{listId}/list-entries/{listEntryId}: one entry with the values of the fields asked
// for (none unless fieldIds / fieldTypes name some), as the list scan renders it.
export const listEntryReadRoutes: Route[] = [
  {
    method: 'GET',
    template: '/v2/lists/{listId}/list-entries/{listEntryId}',
    handle(ctx) {
      const list = findList(ctx);
      if ('status' in list) return list;
      const id = positiveInt(ctx.params['listEntryId']);
      const entry = id === null ? undefined : list.entryById.get(id);
      if (!entry) return notFound(`List entry ${ctx.params['listEntryId']} not found on list ${list.id}`);
      const fields = selectFields(ctx, list.fields, { ids: 'fieldIds', types: 'fieldTypes' }, false);
      if (!Array.isArray(fields)) return fields;
      return { status: 200, body: renderEntry(ctx.state, list, entry, fields) };
    },
  },
];
