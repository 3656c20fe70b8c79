import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { HonoAdapter } from '@bull-board/hono';
import { serveStatic } from '@hono/node-server/serve-static';
import type { Queue } from 'bullmq';
import { Hono } from 'hono';
import type { Registry } from 'prom-client';
import { z } from 'zod';
import type { Logger } from '../log/logger.js';
import { scrub } from '../log/secrets.js';
import type { EnqueueResult } from '../queue/enqueue-run.js';
import type { SyncMappingPayload } from '../queue/payloads.js';
import { bearerMatches } from './bearer-token.js';

/** What GET /healthz answers: each check's verdict, `ok` when all pass. */
export interface HealthReport {
  ok: boolean;
  checks: Record<string, { ok: boolean; detail: string }>;
}

export interface AppOptions {
  queue: Queue;
  metrics: Registry;
  health: () => Promise<HealthReport>;
  /** Names of the mappings this worker loaded (POST for any other is 404). */
  mappingNames: ReadonlySet<string>;
  enqueue: (payload: SyncMappingPayload) => Promise<EnqueueResult>;
  /** WORKER_HTTP_TOKEN; unset = POST /mappings/{name}/runs refuses every call. */
  token: string | undefined;
  logger: Logger;
}

const runRequestSchema = z.strictObject({ mode: z.enum(['diff', 'overwrite']).optional() });

/**
 * The worker's HTTP port: GET /healthz, GET /metrics (Prometheus), a read-only Bull Board
 * dashboard under /dashboard, and POST /mappings/{name}/runs (bearer token) to ask for a run.
 */
export function createApp(options: AppOptions): Hono {
  const app = new Hono();

  app.get('/healthz', async (c) => {
    const report = await options.health();
    return c.json(report, report.ok ? 200 : 503);
  });

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
    if (!options.mappingNames.has(name)) {
      const known = [...options.mappingNames].sort().join(', ') || 'none';
      return c.json({ error: `no mapping named "${name}" (this worker has: ${known})` }, 404);
    }
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
    const result = await options.enqueue({
      mapping: name,
      trigger: 'http',
      ...(parsed.data.mode ? { mode: parsed.data.mode } : {}),
    });
    options.logger.info({ mapping: name, ...result }, 'run requested over HTTP');
    return c.json({ mapping: name, ...result }, 202);
  });

  const board = new HonoAdapter(serveStatic);
  createBullBoard({
    queues: [new BullMQAdapter(options.queue, { readOnlyMode: true })],
    // @bull-board/hono 9.10.1 pins its own @bull-board/api copy; the adapter contract is the same.
    serverAdapter: board as unknown as Parameters<typeof createBullBoard>[0]['serverAdapter'],
    options: { uiConfig: { boardTitle: 'affinity-sync' } },
  });
  board.setBasePath('/dashboard');
  app.route('/dashboard', board.registerPlugin());

  app.onError((error, c) => {
    options.logger.error({ err: error }, 'HTTP handler failed');
    return c.json({ error: scrub(error.message) }, 500);
  });
  return app;
}
