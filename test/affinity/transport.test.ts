import { afterEach, describe, expect, it } from 'vitest';
import { AffinityApiError } from '../../src/affinity/affinity-api-error.js';
import { AffinityClient } from '../../src/affinity/client.js';
import { type AttemptResult, oncePermit } from '../../src/affinity/limiter.js';
import { AffinityTransport } from '../../src/affinity/transport.js';
import { version } from '../../src/util/version.js';
import { capturedLogger } from './support/log-sink.js';
import { RecordingLimiter } from './support/recording-limiter.js';
import { json, startScriptedServer } from './support/scripted-server.js';

// Client behaviours a real server cannot be made to show on demand: foreign nextUrl, hung
// responses, malformed bodies. The simulator tests cover the ordinary paths.

const apiKey = 'scripted-key-123';
const fast = { backoff: { baseMs: 5, maxMs: 20 }, random: () => 0.5 };
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

async function server(handler: Parameters<typeof startScriptedServer>[0]) {
  const s = await startScriptedServer(handler);
  closers.push(s.close);
  return s;
}

const list = { id: 1, name: 'Portfolio', type: 'company', isPublic: true, ownerId: 1, creatorId: 1 };

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

describe('AffinityClient against a scripted server', () => {
  it('refuses a nextUrl on another origin without sending the key there', async () => {
    const foreign = await server((_req, res) => json(res, 200, { data: [], pagination: { nextUrl: null } }));
    const s = await server((_req, res) =>
      json(res, 200, { data: [list], pagination: { nextUrl: `${foreign.url}/v2/lists?cursor=abc` } }),
    );
    const client = new AffinityClient({ apiKey, baseUrl: s.url, ...fast });
    const error = await collect(client.listLists()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AffinityApiError);
    expect((error as Error).message).toBe(
      `GET /v2/lists: 200: pagination.nextUrl points to ${foreign.url}, not ${s.url}; ` +
        'refusing to send the API key to another host (check AFFINITY_BASE_URL)',
    );
    expect(foreign.requests).toHaveLength(0);
    expect(s.requests).toHaveLength(1);
  });

  it('follows nextUrl verbatim, keeping its query', async () => {
    const s = await server((_req, res, i) => {
      if (i === 0)
        json(res, 200, {
          data: [list],
          pagination: { nextUrl: `${s.url}/v2/lists?cursor=c1&limit=100&x=%2F` },
        });
      else json(res, 200, { data: [{ ...list, id: 2 }], pagination: { nextUrl: null } });
    });
    const client = new AffinityClient({ apiKey, baseUrl: s.url, ...fast });
    expect((await collect(client.listLists())).map((l) => l.id)).toEqual([1, 2]);
    expect(s.requests.map((r) => r.url)).toEqual([
      '/v2/lists?limit=100',
      '/v2/lists?cursor=c1&limit=100&x=%2F',
    ]);
    expect(s.requests[0]?.headers.authorization).toBe(`Bearer ${apiKey}`);
  });

  it('retries a hung request after the timeout, then gives up with a clear error', async () => {
    const hung = await server(() => {});
    const { logger, lines } = capturedLogger();
    const limiter = new RecordingLimiter();
    const client = new AffinityClient({
      apiKey,
      baseUrl: hung.url,
      timeoutMs: 100,
      maxRetries: 1,
      logger,
      limiter,
      ...fast,
    });
    const started = performance.now();
    const error = await client.getList(1).catch((e: unknown) => e);
    expect(performance.now() - started).toBeLessThan(2000);
    expect((error as Error).message).toBe(
      'GET /v2/lists/1: no response within 100 ms; gave up after 2 attempts',
    );
    expect(error).toMatchObject({ status: 0, retryable: true });
    expect(client.calls).toEqual({ total: 2, read: 2, write: 0, retried: 1, rateLimited: 0 });
    expect(limiter.results).toEqual([{ kind: 'no-response' }, { kind: 'no-response' }]);
    const retry = lines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((e) => e['msg'] === 'Affinity request failed; retrying');
    expect(retry).toMatchObject({ method: 'GET', path: '/v2/lists/1', status: 0, attempt: 1, delayMs: 2 });
  });

  it('recovers when only the first attempt hangs', async () => {
    const s = await server((_req, res, i) => {
      if (i > 0) json(res, 200, list);
    });
    const client = new AffinityClient({ apiKey, baseUrl: s.url, timeoutMs: 100, ...fast });
    expect(await client.getList(1)).toMatchObject({ id: 1, name: 'Portfolio' });
    expect(client.calls.retried).toBe(1);
  });

  it('reports a response that does not parse, naming the path and the issue', async () => {
    const s = await server((_req, res) => json(res, 200, { data: [{ ...list, id: 'one' }], pagination: {} }));
    const client = new AffinityClient({ apiKey, baseUrl: s.url, ...fast });
    const error = await collect(client.listLists()).catch((e: unknown) => e);
    expect((error as Error).message).toBe(
      'GET /v2/lists: 200: the response does not have the expected shape: data[0].id: Invalid input: expected number, received string',
    );
  });

  it('reports a body that is not JSON', async () => {
    const s = await server((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html>proxy login</html>');
    });
    const client = new AffinityClient({ apiKey, baseUrl: s.url, ...fast });
    await expect(client.getList(1)).rejects.toThrow(
      'GET /v2/lists/1: 200: the response is not JSON: "<html>proxy login</html>"',
    );
  });

  it('retries a 429 on a new permit: the pass-through limiter waits until the window resets', async () => {
    const spent = {
      'x-ratelimit-limit-user': '5',
      'x-ratelimit-limit-user-remaining': '0',
      'x-ratelimit-limit-user-reset': '0.2',
    };
    const s = await server((_req, res, i) => {
      if (i < 2) json(res, 429, { errors: [{ code: 'rate-limit', message: 'Too many requests' }] }, spent);
      else json(res, 200, list, { 'X-RateLimit-Limit-User': '5', 'X-RateLimit-Limit-User-Remaining': '4' });
    });
    const limiter = new RecordingLimiter();
    const client = new AffinityClient({ apiKey, baseUrl: s.url, limiter, ...fast });
    const started = performance.now();
    await client.getList(1);
    // Two waits of at least the 0.2 s reset each.
    expect(performance.now() - started).toBeGreaterThanOrEqual(390);
    expect(client.calls).toEqual({ total: 3, read: 3, write: 0, retried: 2, rateLimited: 2 });
    const status = (r: AttemptResult) => (r.kind === 'response' ? r.status : 0);
    expect(limiter.events.map((e) => (e.kind === 'release' ? status(e.result) : e.kind))).toEqual([
      'acquire',
      429,
      'acquire',
      429,
      'acquire',
      200,
    ]);
    expect(limiter.results[0]).toEqual({
      kind: 'response',
      status: 429,
      headers: { userLimit: 5, userRemaining: 0, userReset: 0.2 },
    });
    expect(limiter.results[2]).toEqual({
      kind: 'response',
      status: 200,
      headers: { userLimit: 5, userRemaining: 4 },
    });
  });

  it('gives up after maxRateLimitRetries 429s', async () => {
    const s = await server((_req, res) =>
      json(res, 429, { errors: [{ code: 'rate-limit', message: 'Too many requests' }] }),
    );
    const client = new AffinityClient({ apiKey, baseUrl: s.url, maxRateLimitRetries: 2, ...fast });
    const error = await client.getList(1).catch((e: unknown) => e);
    expect((error as Error).message).toBe(
      'GET /v2/lists/1: 429 rate-limit: Too many requests — gave up after 3 rate-limited attempts',
    );
    expect(error).toMatchObject({ status: 429, code: 'rate-limit', retryable: true });
    expect(client.calls).toMatchObject({ total: 3, rateLimited: 3, retried: 2 });
  });

  it('never pauses for a 429 of its own: a limiter that grants at once gets the retry at once', async () => {
    const s = await server((_req, res, i) => {
      if (i === 0)
        json(
          res,
          429,
          { errors: [{ code: 'rate-limit', message: 'slow down' }] },
          { 'x-ratelimit-limit-user-remaining': '0', 'x-ratelimit-limit-user-reset': '1' },
        );
      else json(res, 200, list);
    });
    // Grants every permit at once, whatever it is told: the only waits left would be the transport's.
    const eager = new RecordingLimiter({
      waitedMs: 0,
      acquire: async () => oncePermit(() => {}),
      close: async () => {},
    });
    const client = new AffinityClient({ apiKey, baseUrl: s.url, limiter: eager, ...fast });
    const started = performance.now();
    await client.getList(1);
    // Well under the 1 s reset: the transport left the decision to the limiter.
    expect(performance.now() - started).toBeLessThan(500);
    expect(eager.statuses).toEqual([429, 200]);
    expect(eager.events.map((e) => e.kind)).toEqual(['acquire', 'release', 'acquire', 'release']);
  });

  it('sends update-fields as a PATCH and refuses more than 100 updates before any request', async () => {
    const s = await server((_req, res) => json(res, 200, { operation: 'update-fields' }));
    const client = new AffinityClient({ apiKey, baseUrl: s.url, ...fast });
    await client.updateListEntryFields(7, 8, [{ id: 'field-1', value: { type: 'number', data: 1250 } }]);
    expect(s.requests[0]).toMatchObject({ method: 'PATCH', url: '/v2/lists/7/list-entries/8/fields' });
    expect(s.requests[0]?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(s.requests[0]?.body ?? '')).toEqual({
      operation: 'update-fields',
      updates: [{ id: 'field-1', value: { type: 'number', data: 1250 } }],
    });
    const many = Array.from({ length: 101 }, (_, i) => ({
      id: `field-${i}`,
      value: { type: 'text' as const, data: 'x' },
    }));
    await expect(client.updateListEntryFields(7, 8, many)).rejects.toThrow(
      'updateListEntryFields: 101 updates for list entry 8; Affinity accepts at most 100 per call, so split them into batches',
    );
    await client.updateListEntryFields(7, 8, []);
    expect(client.calls).toEqual({ total: 1, read: 0, write: 1, retried: 0, rateLimited: 0 });
  });

  it('asks for no companies when given no ids (no ids would list them all)', async () => {
    const s = await server((_req, res) => json(res, 200, { data: [], pagination: {} }));
    const client = new AffinityClient({ apiKey, baseUrl: s.url, ...fast });
    expect(await client.getCompanies([])).toEqual([]);
    expect(s.requests).toHaveLength(0);
  });

  it('stops waiting and sending when its signal aborts', async () => {
    const hung = await server(() => {});
    const controller = new AbortController();
    const limiter = new RecordingLimiter();
    const client = new AffinityClient({
      apiKey,
      baseUrl: hung.url,
      signal: controller.signal,
      limiter,
      ...fast,
    });
    const pending = client.getList(1).catch((e: unknown) => e);
    await expect.poll(() => hung.requests.length).toBe(1);
    controller.abort(new Error('shutting down'));
    expect(((await pending) as Error).message).toBe('shutting down');
    expect(limiter.results).toEqual([{ kind: 'no-response' }]);
  });

  it('takes its base URL from its options only, never from the environment', () => {
    const saved = process.env['AFFINITY_BASE_URL'];
    process.env['AFFINITY_BASE_URL'] = 'http://127.0.0.1:9/from-the-environment';
    try {
      expect(new AffinityTransport({ apiKey }).baseUrl.href).toBe('https://api.affinity.co/');
      expect(new AffinityTransport({ apiKey, baseUrl: 'http://127.0.0.1:4010' }).baseUrl.href).toBe(
        'http://127.0.0.1:4010/',
      );
    } finally {
      if (saved === undefined) delete process.env['AFFINITY_BASE_URL'];
      else process.env['AFFINITY_BASE_URL'] = saved;
    }
  });

  it('names the package version in its User-Agent', async () => {
    const s = await server((_req, res) => json(res, 200, list));
    await new AffinityClient({ apiKey, baseUrl: s.url, ...fast }).getList(1);
    expect(s.requests[0]?.headers['user-agent']).toBe(`affinity-sync/${version}`);
  });

  it('rejects an empty key and a malformed base URL at construction', () => {
    expect(() => new AffinityClient({ apiKey: ' ' })).toThrow(
      'The Affinity API key is empty: set AFFINITY_API_KEY to a key from Affinity Settings → API',
    );
    expect(() => new AffinityClient({ apiKey, baseUrl: 'api.affinity.co' })).toThrow(
      'The Affinity base URL "api.affinity.co" is not a URL: check AFFINITY_BASE_URL (e.g. https://api.affinity.co)',
    );
  });
});
