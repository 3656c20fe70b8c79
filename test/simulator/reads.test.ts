import { afterAll, describe, expect, it } from 'vitest';
import { type RunningSimulator, startSimulator } from '../../src/simulator/server.js';
import { specValidator } from '../support/openapi.js';
import { allTypesFixture, api } from './support.js';

// Read routes, auth and headers over real HTTP; shapes checked against the official spec.

const sim: RunningSimulator = await startSimulator({ companies: 250, seed: 3 });
const small: RunningSimulator = await startSimulator({ fixture: allTypesFixture, apiKey: 'k-small' });
const legacy: RunningSimulator = await startSimulator({ fixture: allTypesFixture, legacyDropdowns: true });
afterAll(() => Promise.all([sim.close(), small.close(), legacy.close()]));
const { get } = api(sim);

interface Page<T> {
  data: T[];
  pagination: { nextUrl: string | null };
}
interface EntryRow {
  id: number;
  entity: {
    id: number;
    domain: string | null;
    domains: string[];
    fields: { id: string; value: { data: unknown } }[];
  };
}

const spec = '2026-07-15';
const doc = `openapi-v2-${spec}.json` as const;

describe('authentication', () => {
  it('answers 401 to a v2 request without the right bearer key', async () => {
    for (const headers of [
      {},
      { authorization: 'Bearer wrong' },
      { authorization: `Basic ${btoa(`:${sim.apiKey}`)}` },
    ]) {
      const res = await fetch(`${sim.url}/v2/lists`, { headers });
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({
        errors: [
          {
            code: 'authentication',
            message: 'Missing or invalid API key (send Authorization: Bearer <key>)',
          },
        ],
      });
      expect(res.headers.get('x-ratelimit-limit-user')).toBe('900');
    }
  });

  it('takes HTTP Basic with the key as password on v1 and answers 401 otherwise', async () => {
    const ok = await fetch(`${small.url}/fields?list_id=2001`, {
      headers: { authorization: `Basic ${btoa(':k-small')}` },
    });
    expect(ok.status).toBe(200);
    const bad = await fetch(`${small.url}/fields?list_id=2001`, {
      headers: { authorization: 'Bearer k-small' },
    });
    expect(bad.status).toBe(401);
    expect(await bad.json()).toEqual({
      errors: [
        {
          code: 'authentication',
          message: 'Missing or invalid API key (send HTTP Basic auth with the key as password)',
        },
      ],
    });
  });

  it('answers whoami', async () => {
    const res = await get('/v2/auth/whoami');
    expect(specValidator('WhoAmI', doc)(await res.json())).toBe(true);
  });
});

describe('lists and fields', () => {
  it('lists lists, one list and its fields in the spec shapes', async () => {
    const lists = (await (await get('/v2/lists')).json()) as Page<unknown>;
    expect(specValidator('ListWithTypePaged', doc)(lists)).toBe(true);
    expect(lists.data).toEqual([expect.objectContaining({ id: 1001, name: 'Portfolio', type: 'company' })]);
    expect(specValidator('ListWithType', doc)(await (await get('/v2/lists/1001')).json())).toBe(true);
    const fields = (await (await get('/v2/lists/1001/fields')).json()) as Page<{
      id: string;
      valueType: string;
    }>;
    const validate = specValidator('FieldMetadataPaged', doc);
    expect(validate(fields), JSON.stringify(validate.errors)).toBe(true);
    expect(fields.data.map((f) => f.valueType)).toEqual(
      expect.arrayContaining([
        'number',
        'text',
        'dropdown',
        'ranked-dropdown',
        'datetime',
        'location',
        'dropdown-multi',
      ]),
    );
  });

  it('answers 404 not-found for an unknown list and an unknown route', async () => {
    let res = await get('/v2/lists/999');
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ errors: [{ code: 'not-found', message: 'List 999 not found' }] });
    res = await get('/v2/nothing-here');
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({
      errors: [{ code: 'not-found', message: 'No route GET /v2/nothing-here' }],
    });
  });

  it('serves dropdown options on v2, and on v1 with v1 ids', async () => {
    const res = await get('/v2/lists/1001/fields/field-105/dropdown-options');
    const body = (await res.json()) as Page<unknown>;
    expect(specValidator('DropdownOptionPaged', doc)(body)).toBe(true);
    expect(body.data[0]).toEqual({
      id: 10501,
      text: 'Healthy',
      type: 'ranked-dropdown',
      rank: 0,
      color: 'green',
    });
    const v1 = await fetch(`${sim.url}/fields?list_id=1001`, {
      headers: { authorization: `Basic ${btoa(`:${sim.apiKey}`)}` },
    });
    const fields = (await v1.json()) as { id: number; dropdown_options: unknown[] }[];
    expect(fields.find((f) => f.id === 104)?.dropdown_options).toEqual([
      { id: 10401, text: 'Seed', rank: 0, color: 0 },
      { id: 10402, text: 'Series A', rank: 1, color: 0 },
      { id: 10403, text: 'Series B', rank: 2, color: 0 },
      { id: 10404, text: 'Series C', rank: 3, color: 0 },
      { id: 10405, text: 'Growth', rank: 4, color: 0 },
    ]);
  });

  it('answers 404 on v2 dropdown-options with legacyDropdowns, while v1 still serves them', async () => {
    const headers = { authorization: `Bearer ${legacy.apiKey}` };
    const res = await fetch(`${legacy.url}/v2/lists/2001/fields/field-5/dropdown-options`, { headers });
    expect(res.status).toBe(404);
    const v1 = await fetch(`${legacy.url}/fields?list_id=2001`, {
      headers: { authorization: `Basic ${btoa(`x:${legacy.apiKey}`)}` },
    });
    const fields = (await v1.json()) as { id: number; dropdown_options: { id: number }[] }[];
    expect(fields.find((f) => f.id === 5)?.dropdown_options.map((o) => o.id)).toEqual([51, 52]);
  });
});

describe('list entries', () => {
  it('pages with limit and an absolute nextUrl that keeps the query, null on the last page', async () => {
    const total = sim.state.lists.get(1001)?.entries.length ?? 0;
    expect(total).toBeGreaterThan(250);
    let url: string | null = '/v2/lists/1001/list-entries?limit=100&fieldIds=field-101&fieldIds=field-104';
    const ids: number[] = [];
    let pages = 0;
    while (url) {
      const res = await get(url);
      expect(res.status).toBe(200);
      const page = (await res.json()) as Page<EntryRow>;
      expect(page.data.length).toBeLessThanOrEqual(100);
      for (const row of page.data)
        expect(row.entity.fields.map((f) => f.id)).toEqual(['field-101', 'field-104']);
      ids.push(...page.data.map((r) => r.id));
      url = page.pagination.nextUrl;
      if (url) {
        expect(url.startsWith(`${sim.url}/v2/lists/1001/list-entries?`)).toBe(true);
        const query = new URL(url).searchParams;
        expect(query.getAll('fieldIds')).toEqual(['field-101', 'field-104']);
        expect(query.get('limit')).toBe('100');
      }
      pages += 1;
    }
    expect(pages).toBe(Math.ceil(total / 100));
    expect(new Set(ids).size).toBe(total);
  });

  it('returns no fields without fieldIds/fieldTypes, and only the requested types with fieldTypes', async () => {
    let page = (await (await get('/v2/lists/1001/list-entries?limit=3')).json()) as Page<EntryRow>;
    expect(page.data.map((r) => r.entity.fields)).toEqual([[], [], []]);
    page = (await (
      await get('/v2/lists/1001/list-entries?limit=3&fieldTypes=enriched')
    ).json()) as Page<EntryRow>;
    expect(page.data.map((r) => r.entity.fields.map((f) => f.id))).toEqual([
      ['affinity-data-description'],
      ['affinity-data-description'],
      ['affinity-data-description'],
    ]);
  });

  it('matches the spec shape of list entries (CompanyListEntry)', async () => {
    const body = (await (
      await fetch(
        `${small.url}/v2/lists/2001/list-entries?fieldTypes=list&fieldTypes=global&fieldTypes=enriched`,
        {
          headers: { authorization: 'Bearer k-small' },
        },
      )
    ).json()) as Page<unknown>;
    const validate = specValidator('ListEntryWithEntityPaged', doc);
    expect(validate(body), JSON.stringify(validate.errors)).toBe(true);
    expect(body.data[1]).toMatchObject({
      id: 12,
      entity: {
        id: 2,
        name: 'Bluefin Labs',
        domain: 'bluefinlabs.io',
        domains: ['bluefinlabs.io', 'bluefin.ai'],
      },
    });
  });

  it.each([
    ['limit=0', 'limit', 'limit must be an integer from 1 to 100; got "0"'],
    ['limit=101', 'limit', 'limit must be an integer from 1 to 100; got "101"'],
    ['limit=ten', 'limit', 'limit must be an integer from 1 to 100; got "ten"'],
    ['fieldIds=field-999', 'fieldIds', 'Field "field-999" does not exist here'],
    [
      'fieldTypes=secret',
      'fieldTypes',
      'fieldTypes must be one of enriched, global, list, relationship-intelligence; got "secret"',
    ],
    ['cursor=bogus', 'cursor', 'cursor "bogus" is not a cursor this API issued'],
  ])('answers 400 to %s', async (query, param, message) => {
    const res = await get(`/v2/lists/1001/list-entries?${query}`);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ errors: [{ code: 'validation', message, param }] });
  });

  it('sends all six rate-limit headers on every API response', async () => {
    for (const path of ['/v2/lists', '/v2/lists/999', '/v2/lists/1001/list-entries?limit=0']) {
      const res = await get(path);
      const names = [
        'x-ratelimit-limit-user',
        'x-ratelimit-limit-user-remaining',
        'x-ratelimit-limit-user-reset',
        'x-ratelimit-limit-org',
        'x-ratelimit-limit-org-remaining',
        'x-ratelimit-limit-org-reset',
      ];
      for (const name of names) expect(res.headers.get(name), `${path} ${name}`).not.toBeNull();
      expect(Number(res.headers.get('x-ratelimit-limit-user-reset'))).toBeGreaterThanOrEqual(0);
      expect(res.headers.get('x-ratelimit-limit-org')).toBe('unlimited');
    }
  });
});

describe('companies', () => {
  it('finds companies by ids and one by id, in the spec shape', async () => {
    const res = await get('/v2/companies?ids=1&ids=2');
    const body = (await res.json()) as Page<{ id: number }>;
    expect(specValidator('CompanyPaged', doc)(body)).toBe(true);
    expect(body.data.map((c) => c.id)).toEqual([1, 2]);
    const one = await get('/v2/companies/2');
    expect(specValidator('Company', doc)(await one.json())).toBe(true);
    expect((await get('/v2/companies/99999')).status).toBe(404);
  });
});
