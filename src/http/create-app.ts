import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { HonoAdapter } from '@bull-board/hono';
import { serveStatic } from '@hono/node-server/serve-static';
import type { Queue } from 'bullmq';
import { type Context, Hono, type MiddlewareHandler } from 'hono';
import type { Registry } from 'prom-client';
import { z } from 'zod';
import type { Logger } from '../log/logger.js';
import { scrub } from '../log/secrets.js';
import type { EnqueueResult } from '../queue/enqueue-run.js';
import type { SyncMappingPayload } from '../queue/payloads.js';
import type { InvalidMappingFile } from '../queue/worker-registry.js';
import { bearerMatches } from './bearer-token.js';
import { dbtCloudSignatureMatches, decideDbtCloudEvent } from './dbt-cloud-webhook.js';
import { loginRoutes, operatorAuth } from './operator-auth.js';
import type { OperatorData } from './operator-page/operator-data.js';
import { operatorRoutes } from './operator-page/operator-routes.js';

/** One readiness check's verdict; `invalid` lists mapping files kept at their last valid version. */
export interface HealthCheck {
  ok: boolean;
  detail: string;
  invalid?: InvalidMappingFile[];
}

/** What GET /readyz answers: each check's verdict, `ok` when all pass. */
export interface HealthReport {
  ok: boolean;
  checks: Record<string, HealthCheck>;
}

export interface AppOptions {
  queue: Queue;
  metrics: Registry;
  health: () => Promise<HealthReport>;
  /** Names of the mappings this worker runs now (a trigger for any other is 404). */
  mappingNames: () => ReadonlySet<string>;
  enqueue: (payload: SyncMappingPayload) => Promise<EnqueueResult>;
  /** False while Redis is out of reach: triggers answer 503 at once instead of hanging. @defaultValue always true */
  redisUp?: () => boolean;
  /** WORKER_HTTP_TOKEN; unset = POST /mappings/{name}/runs and the dashboard refuse every call. */
  token: string | undefined;
  /** WORKER_DASHBOARD_PUBLIC: the dashboard without sign-in. @defaultValue false */
  dashboardPublic?: boolean;
  /** DBT_CLOUD_WEBHOOK_SECRET; unset = POST /webhooks/dbt-cloud refuses every call. */
  dbtCloudSecret?: string | undefined;
  /** What the operator page at /operator shows; unset = no operator page. */
  operator?: OperatorData;
  logger: Logger;
}

const runRequestSchema = z.strictObject({ mode: z.enum(['diff', 'overwrite']).optional() });

const redisDown = {
  error: 'Redis is out of reach, so no run can be queued now; try again when GET /readyz answers 200',
};

/**
 * The worker's HTTP port: GET /livez (the process answers; no Redis), GET /readyz (Redis,
 * schedulers, mappings; /healthz is the same), GET /metrics (Prometheus), the read-only Bull Board
 * dashboard under /dashboard and the operator page under /operator behind the operator sign-in,
 * POST /mappings/{name}/runs (bearer token) and POST /webhooks/dbt-cloud (dbt Cloud's signature)
 * to ask for runs.
 */
export function createApp(options: AppOptions): Hono {
  const app = new Hono();
  const redisUp = options.redisUp ?? (() => true);

  app.get('/livez', (c) => c.json({ ok: true }));
  const ready = async (c: Context) => {
    const report = await options.health();
    return c.json(report, report.ok ? 200 : 503);
  };
  app.get('/readyz', ready);
  app.get('/healthz', ready);

  app.get('/metrics', async (c) => {
    const body = await options.metrics.metrics();
    return c.body(body, 200, { 'content-type': options.metrics.contentType });
  });

  app.post('/mappings/:name/runs', async (c) => {
    if (options.token === undefined) {
      return c.json(
        { error: 'the run trigger is disabled: set WORKER_HTTP_TOKEN on the worker to enable it' },
        403,
      );
    }
    // Authenticate before anything else so mapping names do not leak to strangers.
    if (!bearerMatches(c.req.header('authorization'), options.token)) {
      return c.json(
        { error: 'missing or wrong bearer token: send Authorization: Bearer <WORKER_HTTP_TOKEN>' },
        401,
        { 'www-authenticate': 'Bearer' },
      );
    }
    const name = c.req.param('name');
    const unknown = unknownMapping(options, [name]);
    if (unknown) return c.json({ error: unknown }, 404);
    const text = await c.req.text();
    let body: unknown = {};
    try {
      body = text.trim() === '' ? {} : JSON.parse(text);
    } catch {
      return c.json({ error: 'the body must be JSON like {"mode": "overwrite"} or empty' }, 400);
    }
    const parsed = runRequestSchema.safeParse(body);
    if (!parsed.success) {
      return c.json({ error: 'the body may only hold "mode": "diff" or "overwrite"' }, 400);
    }
    if (!redisUp()) return c.json(redisDown, 503);
    const result = await options.enqueue({
      mapping: name,
      trigger: 'http',
      ...(parsed.data.mode ? { mode: parsed.data.mode } : {}),
    });
    options.logger.info({ mapping: name, ...result }, 'run requested over HTTP');
    return c.json({ mapping: name, ...result }, 202);
  });

  app.post('/webhooks/dbt-cloud', (c) => dbtCloudWebhook(c, options, redisUp));

  const auth = operatorAuth({ token: options.token, public: options.dashboardPublic ?? false });
  app.route('/', loginRoutes({ token: options.token, public: options.dashboardPublic ?? false }));
  mountDashboard(app, options.queue, auth);
  if (options.operator) mountOperatorPage(app, options.operator, auth, options.logger);

  app.onError((error, c) => {
    options.logger.error({ err: error }, 'HTTP handler failed');
    return c.json({ error: scrub(error.message) }, 500);
  });
  return app;
}

/** The read-only Bull Board under /dashboard, behind the operator sign-in. */
function mountDashboard(app: Hono, queue: Queue, auth: MiddlewareHandler): void {
  app.use('/dashboard', auth);
  app.use('/dashboard/*', auth);
  const board = new HonoAdapter(serveStatic);
  createBullBoard({
    queues: [new BullMQAdapter(queue, { readOnlyMode: true })],
    // @bull-board/hono 9.10.1 pins its own @bull-board/api copy; the adapter contract is the same.
    serverAdapter: board as unknown as Parameters<typeof createBullBoard>[0]['serverAdapter'],
    options: { uiConfig: { boardTitle: 'affinity-sync' } },
  });
  board.setBasePath('/dashboard');
  app.route('/dashboard', board.registerPlugin());
}

/** The operator page under /operator, behind the operator sign-in; "run now" goes through the trigger above. */
function mountOperatorPage(app: Hono, data: OperatorData, auth: MiddlewareHandler, logger: Logger): void {
  app.use('/operator', auth);
  app.use('/operator/*', auth);
  const trigger = (name: string, token: string) =>
    app.request(`/mappings/${encodeURIComponent(name)}/runs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });
  app.route('/', operatorRoutes({ data, trigger, logger }));
}

/** "no mapping named …" for the first name the worker does not run, else undefined. */
function unknownMapping(options: AppOptions, names: readonly string[]): string | undefined {
  const loaded = options.mappingNames();
  const missing = names.find((name) => !loaded.has(name));
  if (missing === undefined) return undefined;
  const known = [...loaded].sort().join(', ') || 'none';
  return `no mapping named "${missing}" (this worker has: ${known})`;
}

/** POST /webhooks/dbt-cloud?mapping=A&mapping=B: runs A and B after a successful dbt Cloud job run. */
async function dbtCloudWebhook(c: Context, options: AppOptions, redisUp: () => boolean): Promise<Response> {
  const secret = options.dbtCloudSecret;
  if (secret === undefined) {
    return c.json({ error: 'the dbt Cloud webhook is off: set DBT_CLOUD_WEBHOOK_SECRET on the worker' }, 403);
  }
  const text = await c.req.text();
  if (!dbtCloudSignatureMatches(text, c.req.header('authorization'), secret)) {
    return c.json(
      {
        error:
          'the Authorization header is not dbt Cloud’s signature of this body with DBT_CLOUD_WEBHOOK_SECRET',
      },
      401,
    );
  }
  const names = c.req.queries('mapping') ?? [];
  if (names.length === 0) {
    return c.json(
      { error: 'name the mappings to run: /webhooks/dbt-cloud?mapping=NAME[&mapping=NAME…]' },
      400,
    );
  }
  const unknown = unknownMapping(options, names);
  if (unknown) return c.json({ error: unknown }, 404);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  const decision = decideDbtCloudEvent(body);
  switch (decision.action) {
    case 'reject':
      return c.json({ error: decision.reason }, 400);
    case 'ignore':
      return c.json({ ignored: decision.reason }, 200);
    case 'run': {
      if (!redisUp()) return c.json(redisDown, 503);
      const runs = [];
      for (const mapping of names) {
        const result = await options.enqueue({ mapping, trigger: 'http' });
        options.logger.info(
          { mapping, ...result, after: decision.dbtRun },
          'run requested by a dbt Cloud webhook',
        );
        runs.push({ mapping, ...result });
      }
      return c.json({ after: decision.dbtRun, runs }, 202);
    }
    default: {
      const never: never = decision;
      throw new Error(`unknown decision ${String(never)}`);
    }
  }
}
