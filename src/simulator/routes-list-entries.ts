import { apiUserId } from './change-log.js';
import { applyUpdates } from './edits.js';
import { documentedKinds, type SimField } from './field-model.js';
import { pagedResult, pageRange, pageUrl } from './pagination.js';
import { renderField } from './read-value.js';
import { renderCompany, renderOpportunity, renderPerson } from './render-entity.js';
import {
  badParam,
  errorResult,
  notFound,
  positiveInt,
  type Route,
  type RouteContext,
  type RouteResult,
} from './router.js';
import { findList } from './routes-lists.js';
import type { SimEntry, SimList, SimulatorState } from './state.js';
import { validateUpdateFields } from './validate-update.js';

/**
 * Fields chosen by repeated id and type parameters (`fieldIds`/`fieldTypes` on list entries,
 * `ids`/`types` on one entry's fields). `all`: with neither parameter, every field; else none.
 */
export function selectFields(
  ctx: RouteContext,
  fields: readonly SimField[],
  names: { ids: string; types: string },
  all: boolean,
): SimField[] | RouteResult {
  const ids = ctx.query.getAll(names.ids);
  const types = ctx.query.getAll(names.types);
  const known = new Set(fields.map((f) => f.id));
  const unknownId = ids.find((id) => !known.has(id));
  if (unknownId !== undefined) return badParam(names.ids, `Field "${unknownId}" does not exist here`);
  const badType = types.find((t) => !(documentedKinds as readonly string[]).includes(t));
  if (badType !== undefined) {
    return badParam(
      names.types,
      `${names.types} must be one of ${documentedKinds.join(', ')}; got "${badType}"`,
    );
  }
  if (ids.length === 0 && types.length === 0) return all ? [...fields] : [];
  return fields.filter((f) => ids.includes(f.id) || types.includes(f.type));
}

/** The entry's entity (company, person or opportunity by the list's type) with the entry's values. */
export function renderEntity(
  state: SimulatorState,
  list: SimList,
  entry: SimEntry,
  fields: readonly SimField[],
): Record<string, unknown> {
  const values = fields.map((f) => renderField(state, f, state.read(entry, f)));
  const id = entry.entityId;
  switch (list.type) {
    case 'company': {
      const company = state.companies.get(id);
      return {
        ...renderCompany(
          state,
          company ?? { id, name: `Company ${id}`, domain: null, domains: [], values: new Map() },
          [],
        ),
        fields: values,
      };
    }
    case 'person': {
      const person = state.persons.get(id);
      const fallback = {
        id,
        firstName: 'Person',
        lastName: String(id),
        primaryEmailAddress: null,
        emailAddresses: [],
        values: new Map(),
      };
      return { ...renderPerson(state, person ?? fallback, []), fields: values };
    }
    case 'opportunity': {
      const opportunity = state.opportunities.get(id);
      const fallback = { id, name: `Opportunity ${id}`, listId: list.id, values: new Map() };
      return { ...renderOpportunity(state, opportunity ?? fallback, []), fields: values };
    }
    default: {
      const never: never = list.type;
      return never;
    }
  }
}

export function renderEntry(
  state: SimulatorState,
  list: SimList,
  entry: SimEntry,
  fields: readonly SimField[],
): Record<string, unknown> {
  return {
    id: entry.id,
    type: list.type,
    listId: entry.listId,
    createdAt: entry.createdAt,
    creatorId: 1,
    entity: renderEntity(state, list, entry, fields),
  };
}

function findEntry(ctx: RouteContext, list: SimList): SimEntry | RouteResult {
  const id = positiveInt(ctx.params['listEntryId']);
  const entry = id === null ? undefined : list.entryById.get(id);
  return entry ?? notFound(`List entry ${ctx.params['listEntryId']} not found on list ${list.id}`);
}

export const listEntryRoutes: Route[] = [
  {
    method: 'GET',
    template: '/v2/lists/{listId}/list-entries',
    handle(ctx) {
      const list = findList(ctx);
      if ('status' in list) return list;
      const fields = selectFields(ctx, list.fields, { ids: 'fieldIds', types: 'fieldTypes' }, false);
      if (!Array.isArray(fields)) return fields;
      const range = pageRange(ctx, list.entries.length);
      if (!range.ok) return range.error;
      const data: unknown[] = [];
      for (let i = range.start; i < range.end; i++) {
        const entry = list.entries[i];
        if (entry) data.push(renderEntry(ctx.state, list, entry, fields));
      }
      if (ctx.quirks.nullPages) {
        const first = ctx.query.get('cursor') === null;
        const nextUrl = first ? pageUrl(ctx, 0) : range.next;
        if (first || data.length === 0)
          return { status: 200, body: { data: null, pagination: { prevUrl: null, nextUrl } } };
      }
      return { status: 200, body: { data, pagination: { prevUrl: null, nextUrl: range.next } } };
    },
  },
  {
    method: 'GET',
    template: '/v2/lists/{listId}/list-entries/{listEntryId}/fields',
    handle(ctx) {
      const list = findList(ctx);
      if ('status' in list) return list;
      const entry = findEntry(ctx, list);
      if ('status' in entry) return entry;
      const fields = selectFields(ctx, list.fields, { ids: 'ids', types: 'types' }, true);
      if (!Array.isArray(fields)) return fields;
      return pagedResult(ctx, fields, (f) => renderField(ctx.state, f, ctx.state.read(entry, f)));
    },
  },
  {
    method: 'PATCH',
    template: '/v2/lists/{listId}/list-entries/{listEntryId}/fields',
    handle(ctx) {
      const list = findList(ctx);
      if ('status' in list) return list;
      const entry = findEntry(ctx, list);
      if ('status' in entry) return entry;
      const check = validateUpdateFields(list, ctx.body);
      if (!check.ok) return errorResult(400, check.error);
      // All updates were valid: only now apply any (all or nothing).
      applyUpdates(ctx.state, entry, check.updates, { changerId: apiUserId });
      ctx.recordPatch({ listId: list.id, listEntryId: entry.id, body: ctx.body }, check.updates.length);
      return { status: 200, body: { operation: 'update-fields' } };
    },
  },
];
