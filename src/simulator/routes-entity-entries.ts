import { pagedResult } from './pagination.js';
import { renderField } from './read-value.js';
import { notFound, positiveInt, type Route, type RouteContext } from './router.js';
import { renderV1ListEntry, renderV1Organization } from './routes-creates.js';
import type { SimEntry, SimList, SimulatorState } from './state.js';

// Reads that tell whether a create happened: an entity's list entries (v1 companies and persons, v2 companies).

function entriesOf(
  state: SimulatorState,
  kind: 'company' | 'person',
  entityId: number,
): Array<{ entry: SimEntry; list: SimList }> {
  const found: Array<{ entry: SimEntry; list: SimList }> = [];
  for (const list of state.lists.values()) {
    if (list.type !== kind) continue;
    for (const entry of list.entries) if (entry.entityId === entityId) found.push({ entry, list });
  }
  return found;
}

function companyOf(ctx: RouteContext, param: string) {
  const id = positiveInt(ctx.params[param]);
  return id === null ? undefined : ctx.state.companies.get(id);
}

export const entityEntryRoutes: Route[] = [
  {
    method: 'GET',
    template: '/organizations/{organization_id}',
    handle(ctx) {
      const company = companyOf(ctx, 'organization_id');
      if (!company) return notFound(`Organization ${ctx.params['organization_id']} not found`);
      const listEntries = entriesOf(ctx.state, 'company', company.id).map(({ entry, list }) =>
        renderV1ListEntry(entry, list),
      );
      return { status: 200, body: { ...renderV1Organization(company), list_entries: listEntries } };
    },
  },
  {
    method: 'GET',
    template: '/persons/{person_id}',
    handle(ctx) {
      const id = positiveInt(ctx.params['person_id']);
      const person = id === null ? undefined : ctx.state.persons.get(id);
      if (!person) return notFound(`Person ${ctx.params['person_id']} not found`);
      const listEntries = entriesOf(ctx.state, 'person', person.id).map(({ entry, list }) =>
        renderV1ListEntry(entry, list),
      );
      return {
        status: 200,
        body: {
          id: person.id,
          first_name: person.firstName,
          last_name: person.lastName,
          primary_email: person.primaryEmailAddress,
          emails: person.emailAddresses,
          list_entries: listEntries,
        },
      };
    },
  },
  {
    method: 'GET',
    template: '/v2/companies/{companyId}/list-entries',
    handle(ctx) {
      const company = companyOf(ctx, 'companyId');
      if (!company) return notFound(`Company ${ctx.params['companyId']} not found`);
      return pagedResult(ctx, entriesOf(ctx.state, 'company', company.id), ({ entry, list }) => ({
        id: entry.id,
        listId: list.id,
        listName: list.name,
        createdAt: entry.createdAt,
        creatorId: 1,
        fields: list.fields.map((f) => renderField(ctx.state, f, ctx.state.read(entry, f))),
      }));
    },
  },
];
