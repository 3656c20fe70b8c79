import { badParam, type RouteContext, type RouteResult } from './router.js';

export type PageRange =
  | { ok: true; start: number; end: number; next: string | null }
  | { ok: false; error: RouteResult };

// Cursors carry an offset: entries are never inserted or removed while serving, so offsets stay valid.
function encodeCursor(offset: number): string {
  return Buffer.from(`after:${offset}`).toString('base64url');
}

function decodeCursor(cursor: string): number | null {
  const match = /^after:(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  return match ? Number(match[1]) : null;
}

/**
 * The slice of `total` items to serve, from `limit` (1..100, default `defaultLimit`) and `cursor`,
 * and the absolute `nextUrl` (same path and query, new cursor) or null on the last page.
 */
export function pageRange(ctx: RouteContext, total: number, defaultLimit = 100): PageRange {
  const limitText = ctx.query.get('limit');
  let limit = defaultLimit;
  if (limitText !== null) {
    limit = /^\d+$/.test(limitText) ? Number(limitText) : Number.NaN;
    if (!(limit >= 1 && limit <= 100)) {
      return {
        ok: false,
        error: badParam('limit', `limit must be an integer from 1 to 100; got "${limitText}"`),
      };
    }
  }
  const cursor = ctx.query.get('cursor');
  let start = 0;
  if (cursor !== null) {
    const offset = decodeCursor(cursor);
    if (offset === null)
      return { ok: false, error: badParam('cursor', `cursor "${cursor}" is not a cursor this API issued`) };
    start = offset;
  }
  const end = Math.min(total, start + limit);
  return { ok: true, start, end, next: end < total ? pageUrl(ctx, end) : null };
}

/** The absolute URL of the page starting at `offset`: same path and query, a new cursor. */
export function pageUrl(ctx: RouteContext, offset: number): string {
  const query = new URLSearchParams(ctx.query);
  query.set('cursor', encodeCursor(offset));
  return `${ctx.baseUrl}${ctx.pathname}?${query.toString()}`;
}

/** Serves a page of an in-memory array in Affinity's `{data, pagination}` envelope. */
export function pagedResult<T>(
  ctx: RouteContext,
  items: readonly T[],
  render: (item: T) => unknown,
): RouteResult {
  const range = pageRange(ctx, items.length);
  if (!range.ok) return range.error;
  return {
    status: 200,
    body: {
      data: items.slice(range.start, range.end).map(render),
      pagination: { prevUrl: null, nextUrl: range.next },
    },
  };
}
