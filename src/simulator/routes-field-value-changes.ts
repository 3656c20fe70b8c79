import { parseChangeFilter } from './change-filter.js';
import { renderUser, type SimChange } from './change-log.js';
import {
  badParam,
  notFound,
  positiveInt,
  type Route,
  type RouteContext,
  type RouteResult,
} from './router.js';
import { findList } from './routes-lists.js';

// GET /v2/field-value-changes and its per-entry twin: the change log of tracked fields, filtered,
// in ascending (changedAt, id) order, paged with a keyset cursor so changes recorded while a
// client pages (or recorded with an earlier changedAt) never shift a page.

function encodeCursor(change: SimChange): string {
  return Buffer.from(`at:${change.at}:${change.id}`).toString('base64url');
}

function decodeCursor(cursor: string): { at: number; id: number } | null {
  const match = /^at:(-?\d+):(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  return match ? { at: Number(match[1]), id: Number(match[2]) } : null;
}

function renderChange(change: SimChange): Record<string, unknown> {
  return {
    id: change.id,
    field: { id: change.field.id, entityType: 'company', name: change.field.name, type: change.field.type },
    entity: { id: change.entityId },
    listEntry: { id: change.listEntryId, listId: change.listId },
    changer: renderUser(change.changerId),
    changedAt: change.changedAt,
    actionType: change.actionType,
    type: change.valueType,
    value: change.value,
  };
}

function servePage(ctx: RouteContext, scope: (change: SimChange) => boolean, ordering: boolean): RouteResult {
  const filter = parseChangeFilter(ctx.query.get('filter'));
  if (!filter.ok) return badParam('filter', filter.message);
  const orderBy = ordering ? ctx.query.getAll('orderBy') : [];
  const bad = orderBy.find((o) => o !== 'changedAt' && o !== '-changedAt');
  if (bad !== undefined) return badParam('orderBy', `orderBy must be changedAt or -changedAt; got "${bad}"`);
  const descending = orderBy[0] === '-changedAt';
  const limitText = ctx.query.get('limit');
  const limit = limitText === null ? 100 : /^\d+$/.test(limitText) ? Number(limitText) : Number.NaN;
  if (!(limit >= 1 && limit <= 100)) {
    return badParam('limit', `limit must be an integer from 1 to 100; got "${limitText}"`);
  }
  const cursorText = ctx.query.get('cursor');
  const after = cursorText === null ? null : decodeCursor(cursorText);
  if (cursorText !== null && after === null) {
    return badParam('cursor', `cursor "${cursorText}" is not a cursor this API issued`);
  }
  const sign = descending ? -1 : 1;
  const order = (a: { at: number; id: number }, b: { at: number; id: number }) =>
    sign * (a.at - b.at || a.id - b.id);
  const matching = ctx.state.changeLog.items
    .filter((c) => scope(c) && filter.test(c) && (after === null || order(c, after) > 0))
    .sort(order);
  const page = matching.slice(0, limit);
  let nextUrl: string | null = null;
  const last = page[page.length - 1];
  if (matching.length > limit && last) {
    const query = new URLSearchParams(ctx.query);
    query.set('cursor', encodeCursor(last));
    nextUrl = `${ctx.baseUrl}${ctx.pathname}?${query.toString()}`;
  }
  return { status: 200, body: { data: page.map(renderChange), pagination: { prevUrl: null, nextUrl } } };
}

export const fieldValueChangeRoutes: Route[] = [
  {
    method: 'GET',
    template: '/v2/field-value-changes',
    handle: (ctx) => servePage(ctx, () => true, true),
  },
  {
    method: 'GET',
    template: '/v2/lists/{listId}/list-entries/{listEntryId}/field-value-changes',
    handle(ctx) {
      const list = findList(ctx);
      if ('status' in list) return list;
      const id = positiveInt(ctx.params['listEntryId']);
      const entry = id === null ? undefined : list.entryById.get(id);
      if (!entry) return notFound(`List entry ${ctx.params['listEntryId']} not found on list ${list.id}`);
      return servePage(ctx, (c) => c.listEntryId === entry.id, false);
    },
  },
];
