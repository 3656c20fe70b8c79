import { afterAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/http/create-app.js';
import { operatorData } from '../../src/http/operator-page/operator-data.js';
import { silentLogger } from '../../src/log/logger.js';
import { SyncMetrics } from '../../src/metrics/sync-metrics.js';
import { enqueueRun } from '../../src/queue/enqueue-run.js';
import { HistoryStore } from '../../src/queue/history-store.js';
import { openRedis } from '../../src/queue/redis-connection.js';
import { openSyncQueue } from '../../src/queue/sync-queue.js';
import { WorkerRegistry } from '../../src/queue/worker-registry.js';
import { redisUrl, uniqueName } from '../support/services.js';

// The operator page's routes on the app in-process (real Redis queue): its gate, its headers, the
// run-now relay to the trigger, a missing run.

const prefix = uniqueName('oproutes');
const connection = openRedis(redisUrl());
const queue = openSyncQueue({ QUEUE_PREFIX: prefix }, connection);
const token = 'op-routes-token-8e21';

function app(options: { token?: string; dashboardPublic?: boolean } = {}) {
  return createApp({
    queue,
    metrics: new SyncMetrics().registry,
    health: async () => ({ ok: true, checks: {} }),
    mappingNames: () => new Set(['portfolio']),
    enqueue: (payload) => enqueueRun(queue, payload, { attempts: 1, backoffMs: 10 }),
    token: options.token,
    dashboardPublic: options.dashboardPublic ?? false,
    operator: operatorData({
      workerId: 'w1',
      queue,
      history: new HistoryStore(connection, prefix, 10),
      registry: new WorkerRegistry(connection, prefix),
      loaded: () => ({
        mappings: [{ name: 'portfolio', hash: 'abc123abc123', file: '/m/p.yaml' }],
        invalid: [],
      }),
      mapping: () => ({ list: 1001 }),
      redisUp: () => true,
    }),
    logger: silentLogger,
  });
}

const form = (value: string) => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Bearer ${token}` },
  body: new URLSearchParams({ token: value }).toString(),
});

afterAll(async () => {
  await queue.obliterate({ force: true });
  await queue.close();
  connection.disconnect();
});

describe('/operator', () => {
  it('is behind the operator sign-in: the form to a browser, 403 when no token is set', async () => {
    const page = await app({ token }).request('/operator', { headers: { accept: 'text/html' } });
    expect(page.status).toBe(401);
    expect(await page.text()).toContain('<input type="hidden" name="next" value="/operator">');
    const run = await app({ token }).request('/operator/mappings/portfolio/runs/x');
    expect(run.status).toBe(401);
    expect((await app().request('/operator')).status).toBe(403);
    const signedIn = await app({ token }).request('/operator', {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(signedIn.status).toBe(200);
    expect(await signedIn.text()).toContain('<h2>portfolio</h2>');
  });

  it('forbids scripts, fonts and files from elsewhere, and is never cached', async () => {
    const response = await app({ dashboardPublic: true }).request('/operator');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/html');
    expect(response.headers.get('content-security-policy')).toBe(
      "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    );
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    const root = await app({ dashboardPublic: true }).request('/');
    expect([root.status, root.headers.get('location')]).toEqual([302, '/operator']);
  });

  it('"run now" relays the form’s token to the trigger: refused without it, queued with it', async () => {
    // Public page: viewing needs no sign-in, running still needs the token.
    const wrong = await app({ token, dashboardPublic: true }).request('/operator/mappings/portfolio/runs', {
      ...form('nope'),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect([wrong.status, wrong.headers.get('location')]).toEqual([
      303,
      '/operator?ran=portfolio&refused=401',
    ]);
    expect(await queue.getJobs(['waiting'])).toEqual([]);

    const right = await app({ token }).request('/operator/mappings/portfolio/runs', form(token));
    expect(right.status).toBe(303);
    const location = new URL(right.headers.get('location') ?? '', 'http://x');
    expect(location.pathname).toBe('/operator');
    expect(location.searchParams.get('outcome')).toBe('queued');
    const job = await queue.getJob(location.searchParams.get('job') ?? '');
    expect(job?.data).toEqual({ mapping: 'portfolio', trigger: 'http' });
    const shown = await app({ token }).request(`/operator${location.search}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(await shown.text()).toContain(
      `Run of portfolio queued as job <span class="value">${job?.id}</span>.`,
    );

    const unknown = await app({ token }).request('/operator/mappings/other/runs', form(token));
    expect(unknown.headers.get('location')).toBe('/operator?ran=other&refused=404');
  });

  it('answers 404 with a page for a run no store has', async () => {
    const response = await app({ token }).request('/operator/mappings/portfolio/runs/missing.1?changes=x', {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(response.status).toBe(404);
    expect(await response.text()).toContain('<h1>No such run</h1>');
  });
});
