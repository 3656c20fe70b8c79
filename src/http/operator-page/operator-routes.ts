import { Hono, type MiddlewareHandler } from 'hono';
import type { Logger } from '../../log/logger.js';
import type { OperatorData } from './operator-data.js';
import { renderOverview } from './render-overview.js';
import { renderRun, renderRunNotFound } from './render-run.js';
import { noticeFromQuery, noticeQuery } from './run-notice.js';

export interface OperatorRoutesOptions {
  data: OperatorData;
  /** The run trigger (POST /mappings/{name}/runs) called with this token as bearer: its own answer. */
  trigger: (mapping: string, token: string) => Response | Promise<Response>;
  logger: Logger;
  /** @defaultValue Date.now */
  now?: () => number;
}

/** Changes and problems per page unless `?limit=` says otherwise (1–200). */
export const defaultPageSize = 50;

// No script, font or file from elsewhere: the page's own inline styles and same-origin forms only.
const contentSecurityPolicy =
  "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

const pageHeaders: MiddlewareHandler = async (c, next) => {
  await next();
  c.res.headers.set('content-security-policy', contentSecurityPolicy);
  c.res.headers.set('x-content-type-options', 'nosniff');
  c.res.headers.set('referrer-policy', 'same-origin');
  c.res.headers.set('cache-control', 'no-store');
};

/**
 * The operator page (mount behind operatorAuth): GET /operator (every mapping, its schedule, state
 * and last runs), GET /operator/mappings/{name}/runs/{runId}?changes=N&problems=N (one run, a page
 * of its changes and of its problems), POST /operator/mappings/{name}/runs (run now: the form's
 * token goes to the run trigger, which decides) and GET / → /operator.
 */
export function operatorRoutes(options: OperatorRoutesOptions): Hono {
  const app = new Hono();
  const now = options.now ?? Date.now;
  app.get('/', (c) => c.redirect('/operator', 302));
  app.use('/operator', pageHeaders);
  app.use('/operator/*', pageHeaders);
  app.get('/operator', async (c) => {
    const view = await options.data.overview();
    const notice = noticeFromQuery(c.req.query());
    return c.html(renderOverview(view, { now: now(), ...(notice ? { notice } : {}) }));
  });
  app.get('/operator/mappings/:name/runs/:runId', async (c) => {
    const { name, runId } = c.req.param();
    const offsets = {
      changes: whole(c.req.query('changes'), 0),
      problems: whole(c.req.query('problems'), 0),
    };
    const limit = Math.min(200, Math.max(1, whole(c.req.query('limit'), defaultPageSize)));
    const view = await options.data.run(name, runId, offsets, limit);
    if (!view) return c.html(renderRunNotFound(name, runId), 404);
    return c.html(renderRun(view));
  });
  app.post('/operator/mappings/:name/runs', async (c) => {
    const name = c.req.param('name');
    const form = await c.req.parseBody();
    const token = typeof form['token'] === 'string' ? form['token'] : '';
    const answer = await options.trigger(name, token);
    const body: unknown = await answer.json().catch(() => undefined);
    if (answer.status !== 202) {
      options.logger.info({ mapping: name, status: answer.status }, 'run now from the operator page refused');
    }
    return c.redirect(`/operator?${noticeQuery(name, answer.status, body)}`, 303);
  });
  return app;
}

/** A whole number of at least 0 from a query value, else `fallback`. */
function whole(text: string | undefined, fallback: number): number {
  const value = Number(text);
  return text !== undefined && Number.isInteger(value) && value >= 0 ? value : fallback;
}
