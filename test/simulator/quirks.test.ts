import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { type RunningSimulator, startSimulator } from '../../src/simulator/server.js';
import { specDocuments, specValidator } from '../support/openapi.js';
import { api, quirksFixture } from './support.js';

// The quirks the simulator serves on request: hidden fields (fixture) and null pages (option).

const sim: RunningSimulator = await startSimulator({ fixture: quirksFixture });
afterAll(() => sim.close());
beforeEach(() => sim.reset());
const { get, update } = api(sim);
const latest = 'openapi-v2-2026-07-15.json' as const;

async function json(path: string): Promise<Record<string, unknown>> {
  const res = await get(path);
  expect(res.status).toBe(200);
  return (await res.json()) as Record<string, unknown>;
}

const maskedField = {
  id: 'field-h1',
  name: 'Deal Terms',
  type: 'hidden',
  enrichmentSource: null,
  value: { type: 'text', data: null },
};

describe('hidden fields', () => {
  it('serves a hidden field masked in a list-entry page, valid in the 2026-07-15 document', async () => {
    const page = await json('/v2/lists/3001/list-entries?fieldIds=field-h1&fieldIds=field-1');
    const entries = page['data'] as { entity: { fields: unknown[] } }[];
    expect(entries[0]?.entity.fields).toEqual([
      {
        id: 'field-1',
        name: 'ARR',
        type: 'list',
        enrichmentSource: null,
        value: { type: 'number', data: 10 },
      },
      maskedField,
    ]);
    const validate = specValidator('ListEntryWithEntityPaged', latest);
    expect(validate(page), JSON.stringify(validate.errors)).toBe(true);
  });

  it('serves it masked in GET /v2/companies/{id}, valid in the 2026-07-15 document', async () => {
    const company = await json('/v2/companies/1?fieldIds=field-h1');
    expect(company['fields']).toEqual([maskedField]);
    const validate = specValidator('Company', latest);
    expect(validate(company), JSON.stringify(validate.errors)).toBe(true);
  });

  it('describes it as type "hidden" in the list fields', async () => {
    const fields = await json('/v2/lists/3001/fields');
    expect(fields['data']).toContainEqual(expect.objectContaining({ id: 'field-h1', type: 'hidden' }));
  });

  it('refuses to write it, writing nothing else of the call', async () => {
    const res = await update(
      31,
      [
        { id: 'field-1', value: { type: 'number', data: 11 } },
        { id: 'field-h1', value: { type: 'text', data: 'new terms' } },
      ],
      3001,
    );
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      errors: [
        {
          code: 'validation',
          param: 'updates[1].id',
          message:
            'Field "Deal Terms" (field-h1) cannot be written: the field is hidden from this API key (a restricted field it cannot manage)',
        },
      ],
    });
    const entry = sim.state.lists.get(3001)?.entryById.get(31);
    expect(entry?.values.get('field-1')).toBe(10);
  });
});

describe('null pages', () => {
  it('starts a scan with a data: null page whose nextUrl leads to the entries', async () => {
    sim.setQuirks({ nullPages: true });
    const first = await json('/v2/lists/3001/list-entries?limit=1');
    expect(first['data']).toBeNull();
    const next = (first['pagination'] as { nextUrl: string }).nextUrl;
    expect(next).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v2\/lists\/3001\/list-entries\?limit=1&cursor=/);
    const second = await json(next);
    expect((second['data'] as { id: number }[]).map((e) => e.id)).toEqual([31]);
    const third = await json((second['pagination'] as { nextUrl: string }).nextUrl);
    expect((third['data'] as { id: number }[]).map((e) => e.id)).toEqual([32]);
    expect(third['pagination']).toEqual({ prevUrl: null, nextUrl: null });
    for (const doc of specDocuments) {
      const validate = specValidator('ListEntryWithEntityPaged', doc);
      for (const page of [first, second, third])
        expect(validate(page), JSON.stringify(validate.errors)).toBe(true);
    }
  });

  it('serves an empty list as null pages, and [] again once turned off (control endpoint)', async () => {
    const set = (nullPages: boolean) =>
      fetch(`${sim.url}/_simulator/quirks`, { method: 'POST', body: JSON.stringify({ nullPages }) });
    expect((await set(true)).status).toBe(200);
    const first = await json('/v2/lists/3002/list-entries');
    expect(first['data']).toBeNull();
    const last = await json((first['pagination'] as { nextUrl: string }).nextUrl);
    expect(last).toEqual({ data: null, pagination: { prevUrl: null, nextUrl: null } });
    await set(false);
    expect(await json('/v2/lists/3002/list-entries')).toEqual({
      data: [],
      pagination: { prevUrl: null, nextUrl: null },
    });
  });

  it('rejects an unknown quirk and forgets quirks on reset', async () => {
    const bad = await fetch(`${sim.url}/_simulator/quirks`, { method: 'POST', body: '{"emptyPages":true}' });
    expect(bad.status).toBe(400);
    sim.setQuirks({ nullPages: true });
    sim.reset();
    expect((await json('/v2/lists/3002/list-entries'))['data']).toEqual([]);
  });
});
