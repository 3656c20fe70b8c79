import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AffinityApiError } from '../../src/affinity/affinity-api-error.js';
import { AffinityClient } from '../../src/affinity/client.js';
import type { RateLimitHeaders } from '../../src/affinity/limiter.js';
import type { ListEntry } from '../../src/affinity/schemas.js';
import { InProcessLimiter } from '../../src/limiter/in-process-limiter.js';
import { type RunningSimulator, startSimulator } from '../../src/simulator/server.js';
import { capturedLogger } from './support/log-sink.js';
import { RecordingLimiter } from './support/recording-limiter.js';

// The client over real HTTP against the simulator: pagination, retries, errors, 429s, v1 fallback.

const fast = { backoff: { baseMs: 5, maxMs: 40 } };
let sim: RunningSimulator;
let listId: number;

beforeAll(async () => {
  sim = await startSimulator({ companies: 230, seed: 7 });
  const client = new AffinityClient({ apiKey: sim.apiKey, baseUrl: sim.url });
  for await (const list of client.listLists()) listId = list.id;
});
afterAll(async () => {
  await sim.close();
});

function clientFor(
  s: RunningSimulator,
  options: Partial<ConstructorParameters<typeof AffinityClient>[0]> = {},
) {
  return new AffinityClient({ apiKey: s.apiKey, baseUrl: s.url, ...fast, ...options });
}

async function allPages(
  client: AffinityClient,
  options: { fieldIds?: string[]; limit?: number },
): Promise<ListEntry[][]> {
  const pages: ListEntry[][] = [];
  for await (const page of client.listEntryPages(listId, options)) pages.push(page);
  return pages;
}

/** The first list entry, reading one page only. */
async function firstEntry(client: AffinityClient): Promise<ListEntry> {
  for await (const page of client.listEntryPages(listId, { limit: 1 })) {
    if (page[0] !== undefined) return page[0];
  }
  throw new Error('the generated list is empty');
}

describe('AffinityClient against the simulator', () => {
  it('reads who the key belongs to and the list', async () => {
    const client = clientFor(sim);
    const me = await client.whoami();
    expect(me.grant.type).toBe('api-key');
    const list = await client.getList(listId);
    expect(list).toMatchObject({ id: listId, type: 'company' });
    expect(client.calls).toEqual({ total: 2, read: 2, write: 0, retried: 0, rateLimited: 0 });
  });

  it('pages list entries by following nextUrl, sending fieldIds repeated', async () => {
    sim.reset();
    const client = clientFor(sim);
    const fieldIds = ['field-101', 'field-104'];
    const pages = await allPages(client, { fieldIds, limit: 40 });
    const entries = pages.flat();
    const total = entries.length;
    expect(total).toBeGreaterThanOrEqual(230);
    expect(pages.map((p) => p.length)).toEqual([
      ...Array.from({ length: Math.floor(total / 40) }, () => 40),
      ...(total % 40 === 0 ? [] : [total % 40]),
    ]);
    expect(new Set(entries.map((e) => e.id)).size).toBe(total);
    for (const entry of entries) expect(entry.entity.fields.map((f) => f.id).sort()).toEqual(fieldIds);
    expect(client.calls.total).toBe(pages.length);
    expect(sim.stats().requestsByRoute['GET /v2/lists/{listId}/list-entries']).toBe(pages.length);

    const wholePages = await allPages(clientFor(sim), {});
    expect(wholePages.map((p) => p.length)).toEqual([100, 100, total - 200]);
  });

  it("reads fields, dropdown options, an entry's fields, and writes them back", async () => {
    sim.reset();
    const client = clientFor(sim);
    const fields = await client.getListFields(listId);
    expect(fields.map((f) => f.id)).toContain('field-104');
    const stage = await client.getDropdownOptions(listId, 'field-104');
    expect(stage.map((o) => o.text)).toEqual(['Seed', 'Series A', 'Series B', 'Series C', 'Growth']);

    const entry = await firstEntry(client);
    const seriesB = stage.find((o) => o.text === 'Series B')!;
    await client.updateListEntryFields(listId, entry.id, [
      { id: 'field-101', value: { type: 'number', data: 1250 } },
      { id: 'field-104', value: { type: 'dropdown', data: { dropdownOptionId: seriesB.id } } },
    ]);
    const after = await client.getListEntryFields(listId, entry.id, ['field-101', 'field-104']);
    expect(after.map((f) => [f.id, f.value.data])).toEqual([
      ['field-101', 1250],
      ['field-104', expect.objectContaining({ dropdownOptionId: seriesB.id })],
    ]);
    expect(client.calls.write).toBe(1);
  });

  it('falls back to v1 GET /fields when v2 dropdown-options answers 404', async () => {
    const legacy = await startSimulator({ companies: 5, seed: 7, legacyDropdowns: true });
    try {
      const client = clientFor(legacy);
      const options = await client.getDropdownOptions(listId, 'field-105');
      expect(options.map((o) => [o.text, o.rank])).toEqual([
        ['Healthy', 0],
        ['Watch', 1],
        ['At Risk', 2],
      ]);
      expect(client.calls.total).toBe(2);
      expect(legacy.stats().requestsByRoute['GET /fields']).toBe(1);
      // A field v1 does not know keeps the v2 404.
      await expect(client.getDropdownOptions(listId, 'field-999')).rejects.toMatchObject({ status: 404 });
    } finally {
      await legacy.close();
    }
  });

  it('retries 500/503 and dropped connections, logging without the key', async () => {
    sim.reset();
    sim.setFaults({ errorRate: 0.25, dropRate: 0.15 });
    const { logger, lines } = capturedLogger();
    const limiter = new RecordingLimiter();
    const client = clientFor(sim, { logger, limiter, random: () => 0.5 });
    const pages = await allPages(client, { limit: 25 });
    sim.setFaults({});
    expect(pages.flat().length).toBeGreaterThanOrEqual(230);
    expect(client.calls.retried).toBeGreaterThan(0);
    expect(client.calls.total).toBe(pages.length + client.calls.retried);
    const statuses = limiter.statuses;
    expect(statuses).toContain(0);
    expect(statuses.some((s) => s === 500 || s === 503)).toBe(true);
    expect(statuses.filter((s) => s === 200)).toHaveLength(pages.length);
    // The protocol: acquire, observe, acquire, observe, …
    expect(limiter.events.map((e) => e.kind)).toEqual(statuses.flatMap(() => ['acquire', 'release']));
    const retries = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(retries).toHaveLength(client.calls.retried);
    expect(retries[0]).toMatchObject({ level: 40, msg: 'Affinity request failed; retrying', method: 'GET' });
    for (const line of lines) expect(line).not.toContain(sim.apiKey);
  });

  it("does not retry a 400 and carries Affinity's code, param and message", async () => {
    sim.reset();
    const client = clientFor(sim);
    const entryId = (await firstEntry(client)).id;
    const error = await client
      .updateListEntryFields(listId, entryId, [{ id: 'field-101', value: { type: 'text', data: 'lots' } }])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AffinityApiError);
    const e = error as AffinityApiError;
    expect(e).toMatchObject({ method: 'PATCH', status: 400, code: 'validation', retryable: false });
    expect(e.param).toMatch(/^updates\[0\]/);
    expect(e.message).toBe(
      `PATCH /v2/lists/${listId}/list-entries/${entryId}/fields: 400 validation (${e.param}): ${e.affinityMessage}`,
    );
    expect(client.calls).toMatchObject({ total: 2, write: 1, retried: 0 });
  });

  it('explains a 401 without printing the key', async () => {
    const wrongKey = 'wrong-key-7f3a9c';
    const { logger, lines } = capturedLogger();
    const client = new AffinityClient({ apiKey: wrongKey, baseUrl: sim.url, logger, ...fast });
    const error = await client.whoami().catch((e: unknown) => e);
    expect((error as Error).message).toMatch(
      /^GET \/v2\/auth\/whoami: 401 Affinity refused the API key \(.*\); check that AFFINITY_API_KEY holds a current key from Affinity Settings → API$/,
    );
    expect((error as Error).message).not.toContain(wrongKey);
    expect(JSON.stringify(error)).not.toContain(wrongKey);
    for (const line of lines) expect(line).not.toContain(wrongKey);
    expect(client.calls.total).toBe(1);
  });

  it('reports a 404 without retrying', async () => {
    const client = clientFor(sim);
    const error = await client.getList(987654).catch((e: unknown) => e);
    expect(error).toMatchObject({
      status: 404,
      code: 'not-found',
      path: '/v2/lists/987654',
      retryable: false,
    });
    expect((error as Error).message).toMatch(/^GET \/v2\/lists\/987654: 404 not-found: /);
    expect(client.calls.total).toBe(1);
  });

  it('gives up on a request that outlives its timeout', async () => {
    sim.reset();
    sim.setFaults({ latencyMs: 400 });
    try {
      const client = clientFor(sim, { timeoutMs: 100, maxRetries: 1 });
      await expect(client.getList(listId)).rejects.toThrow(
        `GET /v2/lists/${listId}: no response within 100 ms; gave up after 2 attempts`,
      );
    } finally {
      sim.setFaults({});
    }
  });
});

describe('AffinityClient under a small rate window (5 per 1 s)', () => {
  let limited: RunningSimulator;
  beforeAll(async () => {
    limited = await startSimulator({ companies: 5, seed: 3, rateLimit: { limit: 5, windowSeconds: 1 } });
  });
  afterAll(async () => {
    await limited.close();
  });

  it("recovers from 429s with a pass-through limiter, which sees every response's headers", async () => {
    const limiter = new RecordingLimiter();
    const client = clientFor(limited, { limiter });
    const started = performance.now();
    const lists = await Promise.all(Array.from({ length: 8 }, () => client.getList(listId)));
    const elapsed = performance.now() - started;
    expect(lists).toHaveLength(8);
    expect(client.calls.rateLimited).toBeGreaterThan(0);
    // 8 requests at 5 per window need a window reset.
    expect(elapsed).toBeGreaterThanOrEqual(1000);
    expect(elapsed).toBeLessThan(8000);
    const observations = limiter.results.map((r) =>
      r.kind === 'response' ? r : { status: 0, headers: {} as RateLimitHeaders },
    );
    expect(observations).toHaveLength(client.calls.total);
    expect(limiter.events.filter((e) => e.kind === 'acquire')).toHaveLength(client.calls.total);
    expect(observations.filter((o) => o.status === 429)).toHaveLength(client.calls.rateLimited);
    expect(observations.filter((o) => o.status === 200)).toHaveLength(8);
    for (const o of observations)
      expect(o.headers).toMatchObject({ userLimit: 5, userReset: expect.any(Number) });
    expect(observations.filter((o) => o.status === 429).every((o) => o.headers.userRemaining === 0)).toBe(
      true,
    );
    expect(limited.stats().maxInWindow).toBe(5);
  });

  it('meets no 429 when paced by the in-process limiter', async () => {
    const limiter = new InProcessLimiter({ limit: 5, windowSeconds: 1 });
    const client = clientFor(limited, { limiter });
    // A fresh window: the limiter starts out assuming the whole budget is free.
    limited.reset();
    const started = performance.now();
    await Promise.all(Array.from({ length: 10 }, () => client.getList(listId)));
    const elapsed = performance.now() - started;
    expect(client.calls).toMatchObject({ total: 10, rateLimited: 0, retried: 0 });
    expect(elapsed).toBeLessThan(5000);
  });

  it('gives up after maxRateLimitRetries with the 429 error', async () => {
    limited.setFaults({ storm: { count: 50 } });
    try {
      const client = clientFor(limited, { maxRateLimitRetries: 3 });
      const error = await client.getList(listId).catch((e: unknown) => e);
      expect(error).toMatchObject({ status: 429, code: 'rate-limit', retryable: true });
      expect((error as Error).message).toMatch(
        /^GET \/v2\/lists\/\d+: 429 rate-limit: .* — gave up after 4 rate-limited attempts$/,
      );
      expect(client.calls).toMatchObject({ total: 4, rateLimited: 4, retried: 3 });
    } finally {
      limited.setFaults({});
    }
  });
});
