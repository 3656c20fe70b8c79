import { createHmac } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/http/create-app.js';
import { silentLogger } from '../../src/log/logger.js';
import { SyncMetrics } from '../../src/metrics/sync-metrics.js';
import { enqueueRun } from '../../src/queue/enqueue-run.js';
import { openRedis } from '../../src/queue/redis-connection.js';
import { openSyncQueue } from '../../src/queue/sync-queue.js';
import { redisUrl, uniqueName } from '../support/services.js';

// The operator gate (the dashboard now, the operator page later) and the dbt Cloud webhook, on the
// app in-process against a real queue.

const prefix = uniqueName('auth');
const connection = openRedis(redisUrl());
const queue = openSyncQueue({ QUEUE_PREFIX: prefix }, connection);
const token = 'op-token-5c9e1f7a';
const dbtSecret = 'dbt-secret-2b8d4a6c';

function app(options: { token?: string; dashboardPublic?: boolean; redisUp?: boolean } = {}) {
  return createApp({
    queue,
    metrics: new SyncMetrics().registry,
    health: async () => ({
      ok: false,
      checks: { redis: { ok: false, detail: 'out of reach; reconnecting' } },
    }),
    mappingNames: () => new Set(['portfolio', 'deals']),
    enqueue: (payload) => enqueueRun(queue, payload, { attempts: 1, backoffMs: 10 }),
    redisUp: () => options.redisUp ?? true,
    token: options.token,
    dashboardPublic: options.dashboardPublic ?? false,
    dbtCloudSecret: dbtSecret,
    logger: silentLogger,
  });
}

afterAll(async () => {
  await queue.obliterate({ force: true });
  await queue.close();
  connection.disconnect();
});

describe('the dashboard sign-in', () => {
  it('answers 401 without the token: the sign-in form to a browser, JSON to a program', async () => {
    const page = await app({ token }).request('/dashboard', { headers: { accept: 'text/html' } });
    expect(page.status).toBe(401);
    expect(page.headers.get('www-authenticate')).toBe('Bearer realm="affinity-sync"');
    const html = await page.text();
    expect(html).toContain('<form method="post" action="/login">');
    expect(html).toContain('<input type="hidden" name="next" value="/dashboard">');
    for (const path of ['/dashboard', '/dashboard/api/queues', '/dashboard/static/js/x.js']) {
      const response = await app({ token }).request(path);
      expect(response.status, path).toBe(401);
      expect(await response.json()).toEqual({
        error:
          'sign in with the worker token: Authorization: Bearer <WORKER_HTTP_TOKEN>, basic auth with it as the password, or the form at /login',
      });
    }
    const wrong = await app({ token }).request('/dashboard', { headers: { authorization: 'Bearer nope' } });
    expect(wrong.status).toBe(401);
  });

  it('lets the token in as a bearer token or as the basic-auth password', async () => {
    const bearer = await app({ token }).request('/dashboard', {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(bearer.status).toBe(200);
    expect(await bearer.text()).toContain('affinity-sync');
    const basic = Buffer.from(`anyone:${token}`).toString('base64');
    const api = await app({ token }).request('/dashboard/api/queues', {
      headers: { authorization: `Basic ${basic}` },
    });
    expect(api.status).toBe(200);
    const wrongBasic = Buffer.from(`${token}:nope`).toString('base64');
    expect(
      (await app({ token }).request('/dashboard', { headers: { authorization: `Basic ${wrongBasic}` } }))
        .status,
    ).toBe(401);
  });

  it('the form sets a session cookie that opens the dashboard; a wrong token does not', async () => {
    const form = (value: string, next = '/dashboard/api/queues') =>
      app({ token }).request('/login', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token: value, next }).toString(),
      });
    const refused = await form('nope');
    expect(refused.status).toBe(401);
    expect(await refused.text()).toContain('That is not the worker token (WORKER_HTTP_TOKEN).');
    expect(refused.headers.get('set-cookie')).toBeNull();

    const signedIn = await form(token);
    expect(signedIn.status).toBe(303);
    expect(signedIn.headers.get('location')).toBe('/dashboard/api/queues');
    const cookie = signedIn.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^affinity_sync_session=[0-9a-f]{64}; Path=\/; HttpOnly; SameSite=Strict$/);
    expect(cookie).not.toContain(token);
    const session = cookie.split(';')[0]!;
    expect(
      (await app({ token }).request('/dashboard/api/queues', { headers: { cookie: session } })).status,
    ).toBe(200);
    // A changed token ends every session.
    expect(
      (await app({ token: 'another-token' }).request('/dashboard', { headers: { cookie: session } })).status,
    ).toBe(401);
    // Only a path on this server is where the form sends you back.
    expect((await form(token, 'https://evil.example/')).headers.get('location')).toBe('/dashboard');
    expect((await form(token, '//evil.example/')).headers.get('location')).toBe('/dashboard');
  });

  it('is off (403) without WORKER_HTTP_TOKEN, open with WORKER_DASHBOARD_PUBLIC=true', async () => {
    const off = await app().request('/dashboard');
    expect(off.status).toBe(403);
    expect(await off.json()).toEqual({
      error:
        'the dashboard is off: set WORKER_HTTP_TOKEN on the worker (then sign in with it) or WORKER_DASHBOARD_PUBLIC=true',
    });
    expect((await app({ dashboardPublic: true }).request('/dashboard')).status).toBe(200);
  });

  it('/livez answers 200 while /readyz reports Redis down; a trigger then answers 503 at once', async () => {
    const down = app({ token, redisUp: false });
    expect(await (await down.request('/livez')).json()).toEqual({ ok: true });
    expect((await down.request('/readyz')).status).toBe(503);
    const trigger = await down.request('/mappings/portfolio/runs', {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(trigger.status).toBe(503);
  });
});

describe('POST /webhooks/dbt-cloud', () => {
  const event = (eventType: string, runStatus: string) =>
    JSON.stringify({
      accountId: 1,
      eventId: 'wev_2L6ZDoilyiWzKkSA59Gmc2d7FDD',
      timestamp: '2023-01-31T19:29:35.789265936Z',
      eventType,
      webhookName: 'affinity-sync',
      data: { jobId: '123', jobName: 'Nightly build', runId: '12345', runStatus },
    });
  const sign = (body: string, secret = dbtSecret) => createHmac('sha256', secret).update(body).digest('hex');
  const post = (body: string, signature: string | undefined, query = '?mapping=portfolio&mapping=deals') =>
    app({ token }).request(`/webhooks/dbt-cloud${query}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(signature ? { authorization: signature } : {}) },
      body,
    });

  it('queues the named mappings after a successful run, checked by dbt Cloud’s signature', async () => {
    const body = event('job.run.completed', 'Success');
    const response = await post(body, sign(body));
    expect(response.status).toBe(202);
    const answer = (await response.json()) as {
      after: string;
      runs: Array<{ mapping: string; jobId: string }>;
    };
    expect(answer.after).toBe('dbt Cloud job Nightly build run 12345');
    expect(answer.runs.map((r) => r.mapping)).toEqual(['portfolio', 'deals']);
    for (const run of answer.runs) {
      expect((await queue.getJob(run.jobId))?.data).toEqual({ mapping: run.mapping, trigger: 'http' });
    }
  });

  it('acknowledges other events without running anything', async () => {
    for (const [type, status] of [
      ['job.run.started', 'Running'],
      ['job.run.completed', 'Error'],
      ['job.run.errored', 'Errored'],
    ] as const) {
      const waitingBefore = await queue.getWaitingCount();
      const body = event(type, status);
      const response = await post(body, sign(body));
      expect(response.status, type).toBe(200);
      expect(await response.json()).toHaveProperty('ignored');
      expect(await queue.getWaitingCount()).toBe(waitingBefore);
    }
  });

  it('refuses a wrong signature (401), an unknown mapping (404), no mapping (400)', async () => {
    const body = event('job.run.completed', 'Success');
    expect((await post(body, sign(body, 'other-secret'))).status).toBe(401);
    expect((await post(body, undefined)).status).toBe(401);
    const unknown = await post(body, sign(body), '?mapping=nope');
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({
      error: 'no mapping named "nope" (this worker has: deals, portfolio)',
    });
    expect((await post(body, sign(body), '')).status).toBe(400);
    const off = createApp({
      queue,
      metrics: new SyncMetrics().registry,
      health: async () => ({ ok: true, checks: {} }),
      mappingNames: () => new Set(['portfolio']),
      enqueue: () => Promise.reject(new Error('not reached')),
      token,
      logger: silentLogger,
    });
    const disabled = await off.request('/webhooks/dbt-cloud?mapping=portfolio', { method: 'POST', body });
    expect(disabled.status).toBe(403);
  });
});
