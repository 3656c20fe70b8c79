import type { SimField } from './field-model.js';
import { pagedResult } from './pagination.js';
import { renderEntityById, renderPerson } from './render-entity.js';
import {
  badParam,
  errorResult,
  notFound,
  positiveInt,
  type Route,
  type RouteContext,
  type RouteResult,
} from './router.js';
import { selectFields } from './routes-list-entries.js';
import { renderFieldMetadata } from './routes-lists.js';
import type { EntityKind, SimPerson } from './state.js';
import { validateUpdates } from './validate-update.js';

// Companies' and persons' own fields (2026-07-15): field metadata, persons by id, and
// PATCH /v2/{companies|persons}/{id}/fields, validated like list entry PATCHes.

const plural: Record<EntityKind, string> = { company: 'companies', person: 'persons' };
const title: Record<EntityKind, string> = { company: 'Company', person: 'Person' };

/** The company or person fields chosen by `fieldIds` / `fieldTypes` (none when neither is given). */
export function pickEntityFields(ctx: RouteContext, kind: EntityKind): SimField[] | RouteResult {
  return selectFields(
    ctx,
    [...ctx.state.fieldsOf(kind).values()],
    { ids: 'fieldIds', types: 'fieldTypes' },
    false,
  );
}

/** Repeated `ids` parameters as positive integers, or the 400 to send. */
export function idsParam(ctx: RouteContext): number[] | RouteResult {
  const ids: number[] = [];
  for (const text of ctx.query.getAll('ids')) {
    const id = positiveInt(text);
    if (id === null) return badParam('ids', `ids must be positive integers; got "${text}"`);
    ids.push(id);
  }
  return ids;
}

function fieldsRoute(kind: EntityKind): Route {
  return {
    method: 'GET',
    template: `/v2/${plural[kind]}/fields`,
    handle: (ctx) => pagedResult(ctx, [...ctx.state.fieldsOf(kind).values()], renderFieldMetadata),
  };
}

function patchRoute(kind: EntityKind): Route {
  const param = `${kind}Id`;
  return {
    method: 'PATCH',
    template: `/v2/${plural[kind]}/{${param}}/fields`,
    handle(ctx) {
      const id = positiveInt(ctx.params[param]);
      const exists = id !== null && (kind === 'company' ? ctx.state.companies : ctx.state.persons).has(id);
      if (id === null || !exists) return notFound(`${title[kind]} ${ctx.params[param]} not found`);
      const check = validateUpdates(ctx.state.fieldsOf(kind), `${kind} ${id}`, ctx.body);
      if (!check.ok) return errorResult(400, check.error);
      // All updates were valid: only now apply any (all or nothing).
      for (const { field, data } of check.updates) ctx.state.storeOn(kind, id, field, data);
      ctx.recordEntityPatch({ entity: kind, entityId: id, body: ctx.body }, check.updates.length);
      return { status: 200, body: { operation: 'update-fields' } };
    },
  };
}

function dropdownOptionsRoute(kind: EntityKind): Route {
  return {
    method: 'GET',
    template: `/v2/${plural[kind]}/fields/{fieldId}/dropdown-options`,
    handle(ctx) {
      if (ctx.legacyDropdowns) return notFound(`No route GET ${ctx.pathname}`);
      const field = ctx.state.fieldsOf(kind).get(ctx.params['fieldId'] ?? '');
      if (!field) return notFound(`Field ${ctx.params['fieldId']} not found on ${plural[kind]}`);
      const type = field.valueType === 'ranked-dropdown' ? 'ranked-dropdown' : 'dropdown';
      return pagedResult(ctx, field.dropdownOptions, (o) =>
        type === 'ranked-dropdown'
          ? { id: o.id, text: o.text, type, rank: o.rank ?? 0, color: o.color ?? null }
          : { id: o.id, text: o.text, type },
      );
    },
  };
}

export const entityRoutes: Route[] = [
  fieldsRoute('company'),
  fieldsRoute('person'),
  dropdownOptionsRoute('company'),
  dropdownOptionsRoute('person'),
  patchRoute('company'),
  patchRoute('person'),
  {
    method: 'GET',
    template: '/v2/persons',
    handle(ctx): RouteResult {
      const fields = pickEntityFields(ctx, 'person');
      if (!Array.isArray(fields)) return fields;
      const ids = idsParam(ctx);
      if (!Array.isArray(ids)) return ids;
      const persons: SimPerson[] =
        ids.length === 0
          ? [...ctx.state.persons.values()]
          : ids.flatMap((id) => {
              const p = ctx.state.persons.get(id);
              return p ? [p] : [];
            });
      return pagedResult(ctx, persons, (p) => renderPerson(ctx.state, p, fields));
    },
  },
  {
    method: 'GET',
    template: '/v2/persons/{personId}',
    handle(ctx) {
      const id = positiveInt(ctx.params['personId']);
      const fields = pickEntityFields(ctx, 'person');
      if (!Array.isArray(fields)) return fields;
      const person = id === null ? undefined : renderEntityById(ctx.state, 'person', id, fields);
      return person ? { status: 200, body: person } : notFound(`Person ${ctx.params['personId']} not found`);
    },
  },
];
