import type { SimField } from './field-model.js';
import { pagedResult } from './pagination.js';
import { notFound, positiveInt, type Route, type RouteContext, type RouteResult } from './router.js';
import type { SimList } from './state.js';

export function renderList(list: SimList): Record<string, unknown> {
  return {
    id: list.id,
    name: list.name,
    type: list.type,
    isPublic: false,
    ownerId: 1,
    creatorId: 1,
    createdAt: list.createdAt,
  };
}

export function renderFieldMetadata(field: SimField): Record<string, unknown> {
  return {
    id: field.id,
    name: field.name,
    type: field.type,
    valueType: field.valueType,
    enrichmentSource: field.enrichmentSource,
    createdAt: field.type === 'list' || field.type === 'global' ? '2024-01-01T00:00:00Z' : null,
  };
}

/** The list named by the `listId` path parameter, or the 404 to send. */
export function findList(ctx: RouteContext): SimList | RouteResult {
  const id = positiveInt(ctx.params['listId']);
  const list = id === null ? undefined : ctx.state.lists.get(id);
  return list ?? notFound(`List ${ctx.params['listId']} not found`);
}

export const listRoutes: Route[] = [
  {
    method: 'GET',
    template: '/v2/lists',
    handle: (ctx) => pagedResult(ctx, [...ctx.state.lists.values()], renderList),
  },
  {
    method: 'GET',
    template: '/v2/lists/{listId}',
    handle(ctx) {
      const list = findList(ctx);
      return 'status' in list ? list : { status: 200, body: renderList(list) };
    },
  },
  {
    method: 'GET',
    template: '/v2/lists/{listId}/fields',
    handle(ctx) {
      const list = findList(ctx);
      return 'status' in list ? list : pagedResult(ctx, list.fields, renderFieldMetadata);
    },
  },
  {
    method: 'GET',
    template: '/v2/lists/{listId}/fields/{fieldId}/dropdown-options',
    handle(ctx) {
      // Older API versions lack this route; clients must fall back to v1 GET /fields.
      if (ctx.legacyDropdowns) return notFound(`No route GET ${ctx.pathname}`);
      const list = findList(ctx);
      if ('status' in list) return list;
      const field = list.fieldById.get(ctx.params['fieldId'] ?? '');
      if (!field) return notFound(`Field ${ctx.params['fieldId']} not found on list ${list.id}`);
      const type = field.valueType === 'ranked-dropdown' ? 'ranked-dropdown' : 'dropdown';
      return pagedResult(ctx, field.dropdownOptions, (o) =>
        type === 'ranked-dropdown'
          ? { id: o.id, text: o.text, type, rank: o.rank ?? 0, color: o.color ?? null }
          : { id: o.id, text: o.text, type },
      );
    },
  },
];
