import { afterAll, describe, expect, it } from 'vitest';
import { createApp, type HealthReport } from '../../src/http/create-app.js';
import { silentLogger } from '../../src/log/logger.js';
import { SyncMetrics } from '../../src/metrics/sync-metrics.js';
import { enqueueRun } from '../../src/queue/enqueue-run.js';
import { failureReport } from '../../src/queue/failure-report.js';
import { openRedis } from '../../src/queue/redis-connection.js';
import { openSyncQueue } from '../../src/queue/sync-queue.js';
import { redisUrl, uniqueName } from '../support/services.js';

const prefix = uniqueName('http');
const connection = openRedis(redisUrl());
const queue = openSyncQueue({ QUEUE_PREFIX: prefix }, connection);
const metrics = new SyncMetrics();
let healthy: HealthReport = { ok: true, checks: { redis: { ok: true, detail: 'answers' } } };

function app(token: string | undefined, extra: { dashboardPublic?: boolean } = {}) {
  return createApp({
    ...extra,
    queue,
    metrics: metrics.registry,
    health: async () => healthy,
    mappingNames: () => new Set(['portfolio']),
    enqueue: (payload) => enqueueRun(queue, payload, { attempts: 1, backoffMs: 10 }),
    token,
    logger: silentLogger,
  });
}

const post = (
  token: string | undefined,
  headers: Record<string, string> = {},
  path = '/mappings/portfolio/runs',
) => app(token).request(path, { method: 'POST', headers });

afterAll(async () => {
  await queue.obliterate({ force: true });
  await queue.close();
  connection.disconnect();
});

describe('POST /mappings/{name}/runs', () => {
  it('refuses every call when WORKER_HTTP_TOKEN is unset', async () => {
    const response = await post(undefined, { authorization: 'Bearer anything' });
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({
      error: 'the run trigger is disabled: set WORKER_HTTP_TOKEN on the worker to enable it',
    });
  });

  it('answers 401 to a wrong or missing token, before saying whether the mapping exists', async () => {
    for (const headers of [{ authorization: 'Bearer wrong-token' }, {}, { authorization: 's3cret-token' }]) {
      const response = await post('s3cret-token', headers, '/mappings/nope/runs');
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer');
      expect(await response.json()).toEqual({
        error: 'missing or wrong bearer token: send Authorization: Bearer <WORKER_HTTP_TOKEN>',
      });
    }
  });

  it('answers 404 for an unknown mapping and 400 for a bad body', async () => {
    const auth = { authorization: 'Bearer s3cret-token' };
    const unknown = await post('s3cret-token', auth, '/mappings/nope/runs');
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ error: 'no mapping named "nope" (this worker has: portfolio)' });
    const bad = await app('s3cret-token').request('/mappings/portfolio/runs', {
      method: 'POST',
      headers: auth,
      body: '{"mode": "sideways"}',
    });
    expect(bad.status).toBe(400);
  });

  it('queues a run with 202 and the job id; a second call folds into it', async () => {
    const auth = { authorization: 'Bearer s3cret-token' };
    const first = await app('s3cret-token').request('/mappings/portfolio/runs', {
      method: 'POST',
      headers: auth,
      body: '{"mode": "overwrite"}',
    });
    expect(first.status).toBe(202);
    const body = (await first.json()) as { jobId: string; outcome: string; mapping: string };
    expect(body).toMatchObject({ mapping: 'portfolio', outcome: 'queued' });
    const job = await queue.getJob(body.jobId);
    expect(job?.data).toEqual({ mapping: 'portfolio', trigger: 'http', mode: 'overwrite' });
    const second = await post('s3cret-token', auth);
    expect(await second.json()).toEqual({ mapping: 'portfolio', outcome: 'folded', jobId: body.jobId });
  });
});

describe('operations', () => {
  it('GET /healthz is 200 when healthy and 503 with the reason otherwise', async () => {
    expect((await app(undefined).request('/healthz')).status).toBe(200);
    healthy = { ok: false, checks: { redis: { ok: false, detail: 'no answer to PING' } } };
    const response = await app(undefined).request('/healthz');
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual(healthy);
  });

  it('GET /metrics shows recorded runs in Prometheus format', async () => {
    const report = {
      ...failureReport({
        mapping: 'portfolio',
        runId: 'r1',
        mode: 'diff',
        startedAt: Date.now() - 1500,
        error: '',
      }),
      status: 'succeeded' as const,
      rows: { read: 40, matched: 38, unmatched: 2, ambiguous: 0, duplicate: 0, rejected: 0 },
      fields: { written: 12, unchanged: 60, rejected: 0 },
      calls: { total: 9, read: 3, write: 6, retried: 1, rateLimited: 1 },
      limiterWaitMs: 2500,
    };
    metrics.recordRun(report);
    const response = await app(undefined).request('/metrics');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const text = await response.text();
    for (const line of [
      'affinity_sync_runs_total{mapping="portfolio",status="succeeded"} 1',
      'affinity_sync_rows_read_total{mapping="portfolio"} 40',
      'affinity_sync_fields_written_total{mapping="portfolio"} 12',
      'affinity_sync_api_calls_total{mapping="portfolio",kind="write"} 6',
      'affinity_sync_rate_limited_total{mapping="portfolio"} 1',
      'affinity_sync_limiter_wait_seconds_total{mapping="portfolio"} 2.5',
    ]) {
      expect(text).toContain(line);
    }
    expect(text).toMatch(/affinity_sync_last_success_timestamp_seconds\{mapping="portfolio"\} \d+/);
    expect(text).toContain('process_cpu_user_seconds_total');
  });

  it('serves the dashboard', async () => {
    // WORKER_DASHBOARD_PUBLIC=true: no sign-in (test/worker/operator-auth.test.ts covers the gate).
    const board = app(undefined, { dashboardPublic: true });
    const response = await board.request('/dashboard');
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain('affinity-sync');
    const asset = /src="(static\/js\/main\.[^"]+\.js)"/.exec(html)?.[1];
    expect(asset).toBeDefined();
    expect((await board.request(`/dashboard/${asset}`)).status).toBe(200);
    const api = await board.request('/dashboard/api/queues');
    expect(((await api.json()) as { queues: Array<{ name: string }> }).queues.map((q) => q.name)).toEqual([
      'sync',
    ]);
  });
});
