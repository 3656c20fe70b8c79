import { afterAll, describe, expect, it } from 'vitest';
import { AffinityClient } from '../../src/affinity/client.js';
import type { EntityRecord } from '../../src/affinity/entity-schemas.js';
import { type RunningSimulator, startSimulator } from '../../src/simulator/server.js';
import { entityFixture } from '../support/entity-fixture.js';
import { requestLog, requestProblems } from '../support/openapi-request.js';

// The client's 2026-07-15 entity calls over real HTTP: fields, reads by ids, PATCH, search and
// the v1 search fallback of older API versions.

const many = {
  ...entityFixture,
  companies: [
    ...(entityFixture.companies ?? []),
    ...Array.from({ length: 147 }, (_, i) => ({
      id: 100 + i,
      name: `Filler ${i}`,
      domain: `filler${i}.com`,
    })),
  ],
};
const seen = requestLog();
const sim: RunningSimulator = await startSimulator({ fixture: many, onRequest: seen.record });
const legacy: RunningSimulator = await startSimulator({ fixture: entityFixture, legacySearch: true });
afterAll(() => Promise.all([sim.close(), legacy.close()]));

const clientOf = (s: RunningSimulator) => new AffinityClient({ apiKey: s.apiKey, baseUrl: s.url });

async function collect(pages: AsyncIterable<EntityRecord[]>): Promise<EntityRecord[][]> {
  const out: EntityRecord[][] = [];
  for await (const page of pages) out.push(page);
  return out;
}

describe('entity calls', () => {
  it('reads company and person field metadata', async () => {
    const client = clientOf(sim);
    expect((await client.getEntityFields('company')).map((f) => f.id)).toEqual([
      'field-50',
      'field-51',
      'affinity-data-description',
    ]);
    expect((await client.getEntityFields('person')).map((f) => f.name)).toEqual(['Title']);
  });

  it('reads 150 ids in 2 requests of at most 100, with the values of the requested fields', async () => {
    const client = clientOf(sim);
    const ids = [1, 2, 3, ...Array.from({ length: 147 }, (_, i) => 100 + i)];
    const before = sim.stats().requestsByRoute['GET /v2/companies'] ?? 0;
    const pages = await collect(client.entitiesByIds('company', [...ids, 99_999], ['field-50']));
    expect(pages.map((p) => p.length)).toEqual([100, 50]);
    expect((sim.stats().requestsByRoute['GET /v2/companies'] ?? 0) - before).toBe(2);
    expect(pages[0]?.[0]).toMatchObject({ id: 1, domains: ['acme.com', 'acme.io'] });
    expect(pages[0]?.[0]?.fields).toEqual([
      expect.objectContaining({ id: 'field-50', value: { type: 'number', data: 120 } }),
    ]);
    expect(await collect(client.entitiesByIds('person', [], ['field-60']))).toEqual([]);
    const [persons] = await collect(client.entitiesByIds('person', [11], ['field-60']));
    expect(persons?.[0]).toMatchObject({ id: 11, emailAddresses: ['jane@acme.com', 'jane.doe@gmail.com'] });
  });

  it('writes one company’s fields and refuses more than 100 updates before sending', async () => {
    const client = clientOf(sim);
    await client.updateEntityFields('company', 3, [{ id: 'field-51', value: { type: 'number', data: 4 } }]);
    expect(sim.state.companies.get(3)?.values.get('field-51')).toBe(4);
    const updates = Array.from({ length: 101 }, () => ({
      id: 'field-51',
      value: { type: 'number' as const, data: 1 },
    }));
    await expect(client.updateEntityFields('company', 3, updates)).rejects.toThrow(/at most 100 per call/);
    expect(client.calls.write).toBe(1);
  });

  it('searches with v2 (counted as reads), or with v1 on request or once v2 answers 404', async () => {
    const client = clientOf(sim);
    const acme = await client.searchEntities('company', 'acme');
    expect(acme.api).toBe('v2');
    expect(acme.records.map((c) => c.id)).toEqual([1, 2]);
    expect((await client.searchEntities('person', 'jane@acme.com')).records.map((p) => p.id)).toEqual([11]);
    expect(client.calls).toMatchObject({ read: 2, write: 0 });
    // v1 on request: it also matches a second domain.
    const second = await client.searchEntities('company', 'acme.io', { api: 'v1' });
    expect(second).toEqual({ api: 'v1', records: [expect.objectContaining({ id: 1 })] });

    const old = clientOf(legacy);
    const found = await old.searchEntities('company', 'acme.io');
    expect(found.api).toBe('v1');
    expect(found.records).toEqual([
      expect.objectContaining({ id: 1, domain: 'acme.com', domains: ['acme.com', 'acme.io'] }),
    ]);
    await old.searchEntities('company', 'globex.com');
    const persons = (await old.searchEntities('person', 'jane.doe@gmail.com')).records;
    expect(persons).toEqual([
      expect.objectContaining({
        id: 11,
        primaryEmailAddress: 'jane@acme.com',
        emailAddresses: ['jane@acme.com', 'jane.doe@gmail.com'],
      }),
    ]);
    // v2 was asked once per kind; after its 404 the client goes to v1 directly.
    expect(legacy.stats().requestsByRoute).toMatchObject({
      'POST /v2/companies/search': 1,
      'POST /v2/persons/search': 1,
      'GET /organizations': 2,
      'GET /persons': 1,
    });
  });

  it('sent only requests the 2026-07-15 document describes (paths, parameters, bodies)', () => {
    const v2 = seen.requests.filter((r) => r.path.startsWith('/v2/'));
    expect(v2.length).toBeGreaterThan(5);
    expect(v2.flatMap((r) => requestProblems(r))).toEqual([]);
    // The checker does catch what the document does not allow.
    const bad = {
      method: 'POST',
      path: '/v2/companies/search',
      query: new URLSearchParams('limit=500'),
      body: { q: 1 },
    };
    expect(requestProblems(bad)).toHaveLength(2);
  });
});
