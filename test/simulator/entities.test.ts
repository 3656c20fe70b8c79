import { afterAll, describe, expect, it } from 'vitest';
import { parseFixture } from '../../src/simulator/fixture.js';
import { type RunningSimulator, startSimulator } from '../../src/simulator/server.js';
import { entityFixture } from '../support/entity-fixture.js';
import { specValidator } from '../support/openapi.js';

// Companies' and persons' own fields, search, person and opportunity lists (2026-07-15 routes),
// over real HTTP; every body checked against the document.

const doc = 'openapi-v2-2026-07-15.json' as const;

const sim: RunningSimulator = await startSimulator({ fixture: entityFixture });
const legacy: RunningSimulator = await startSimulator({ fixture: entityFixture, legacySearch: true });
afterAll(() => Promise.all([sim.close(), legacy.close()]));

function call(target: RunningSimulator, method: string, path: string, body?: unknown) {
  const basic = `Basic ${Buffer.from(`:${target.apiKey}`).toString('base64')}`;
  return fetch(`${target.url}${path}`, {
    method,
    headers: {
      authorization: path.startsWith('/v2/') ? `Bearer ${target.apiKey}` : basic,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

async function json(target: RunningSimulator, method: string, path: string, body?: unknown) {
  const res = await call(target, method, path, body);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

function valid(schema: string, value: unknown): void {
  const validate = specValidator(schema, doc);
  expect(validate(value), `${schema}: ${JSON.stringify(validate.errors)}`).toBe(true);
}

describe('company and person fields', () => {
  it('lists company and person field metadata (own fields and their lists’ non-list fields)', async () => {
    const companies = await json(sim, 'GET', '/v2/companies/fields');
    valid('FieldMetadataPaged', companies.body);
    expect((companies.body['data'] as { id: string }[]).map((f) => f.id)).toEqual([
      'field-50',
      'field-51',
      'affinity-data-description',
    ]);
    const persons = await json(sim, 'GET', '/v2/persons/fields');
    valid('FieldMetadataPaged', persons.body);
    expect((persons.body['data'] as { id: string }[]).map((f) => f.id)).toEqual(['field-60']);
  });

  it('reads companies and persons by ids with the requested fields only', async () => {
    const companies = await json(sim, 'GET', '/v2/companies?ids=3&ids=1&ids=99&fieldIds=field-50');
    valid('CompanyPaged', companies.body);
    expect(companies.body['data']).toEqual([
      expect.objectContaining({
        id: 3,
        fields: [expect.objectContaining({ value: { type: 'number', data: null } })],
      }),
      expect.objectContaining({
        id: 1,
        fields: [expect.objectContaining({ value: { type: 'number', data: 120 } })],
      }),
    ]);
    const persons = await json(sim, 'GET', '/v2/persons?ids=11&ids=12&fieldTypes=global');
    valid('PersonPaged', persons.body);
    expect(persons.body['data']).toEqual([
      expect.objectContaining({
        id: 11,
        primaryEmailAddress: 'jane@acme.com',
        emailAddresses: ['jane@acme.com', 'jane.doe@gmail.com'],
        fields: [expect.objectContaining({ id: 'field-60', value: { type: 'text', data: 'Partner' } })],
      }),
      expect.objectContaining({ id: 12, firstName: 'Sam', primaryEmailAddress: null, emailAddresses: [] }),
    ]);
    valid('Person', (await json(sim, 'GET', '/v2/persons/11')).body);
    expect((await call(sim, 'GET', '/v2/persons/99')).status).toBe(404);
    expect((await json(sim, 'GET', '/v2/persons?fieldIds=field-70')).status).toBe(400);
  });

  it('PATCHes a company’s and a person’s fields all or nothing, and the list entry shows the global value', async () => {
    const updates = [
      { id: 'field-50', value: { type: 'number', data: 130 } },
      { id: 'field-51', value: { type: 'number', data: 7.5 } },
    ];
    valid('CompanyBatchOperationRequest', { operation: 'update-fields', updates });
    const ok = await json(sim, 'PATCH', '/v2/companies/1/fields', { operation: 'update-fields', updates });
    expect(ok).toEqual({ status: 200, body: { operation: 'update-fields' } });
    valid('CompanyBatchOperationResponse', ok.body);
    expect(Object.fromEntries(sim.state.companies.get(1)!.values)).toEqual({
      'field-50': 130,
      'field-51': 7.5,
    });

    const bad = await json(sim, 'PATCH', '/v2/companies/2/fields', {
      operation: 'update-fields',
      updates: [
        { id: 'field-50', value: { type: 'number', data: 1 } },
        { id: 'affinity-data-description', value: { type: 'text', data: 'x' } },
      ],
    });
    expect(bad.status).toBe(400);
    expect(sim.state.companies.get(2)!.values.size).toBe(0);
    const listField = await json(sim, 'PATCH', '/v2/persons/11/fields', {
      operation: 'update-fields',
      updates: [{ id: 'field-70', value: { type: 'number', data: 1 } }],
    });
    expect(listField.body).toEqual({
      errors: [
        {
          code: 'validation',
          param: 'updates[0].id',
          message: 'Field "field-70" is not a field on person 11',
        },
      ],
    });
    expect(
      (await call(sim, 'PATCH', '/v2/companies/99/fields', { operation: 'update-fields', updates })).status,
    ).toBe(404);

    const title = [{ id: 'field-60', value: { type: 'text', data: 'Managing Partner' } }];
    expect(
      (await call(sim, 'PATCH', '/v2/persons/11/fields', { operation: 'update-fields', updates: title }))
        .status,
    ).toBe(200);
    const entries = await json(sim, 'GET', '/v2/lists/202/list-entries?fieldIds=field-60');
    expect(entries.body['data']).toEqual([
      expect.objectContaining({
        entity: expect.objectContaining({
          fields: [expect.objectContaining({ value: { type: 'text', data: 'Managing Partner' } })],
        }),
      }),
      expect.anything(),
    ]);
    expect(sim.stats().entityPatches.map((p) => `${p.entity}:${p.entityId}`)).toEqual([
      'company:1',
      'person:11',
    ]);
    expect(sim.stats().patches).toEqual([]);
  });
});

describe('person and opportunity lists', () => {
  it('serve PersonListEntry and OpportunityListEntry shapes and take PATCHes', async () => {
    const persons = await json(sim, 'GET', '/v2/lists/202/list-entries?fieldIds=field-70');
    valid('ListEntryWithEntityPaged', persons.body);
    expect(
      (persons.body['data'] as { type: string; entity: { emailAddresses: string[] } }[])[0],
    ).toMatchObject({
      type: 'person',
      entity: { id: 11, emailAddresses: ['jane@acme.com', 'jane.doe@gmail.com'] },
    });
    const deals = await json(sim, 'GET', '/v2/lists/303/list-entries?fieldIds=field-80');
    valid('ListEntryWithEntityPaged', deals.body);
    expect(deals.body['data']).toEqual([
      expect.objectContaining({
        id: 3001,
        type: 'opportunity',
        entity: expect.objectContaining({ id: 21, name: 'Acme Series B', listId: 303 }),
      }),
    ]);
    const patch = await call(sim, 'PATCH', '/v2/lists/303/list-entries/3001/fields', {
      operation: 'update-fields',
      updates: [{ id: 'field-80', value: { type: 'number', data: 9 } }],
    });
    expect(patch.status).toBe(200);
    expect(sim.state.lists.get(303)!.entryById.get(3001)!.values.get('field-80')).toBe(9);
    valid('ListWithType', (await json(sim, 'GET', '/v2/lists/303')).body);
  });

  it('rejects entries whose person or opportunity is not in the fixture', () => {
    expect(() =>
      parseFixture({
        persons: [{ id: 1, firstName: 'A', lastName: null }],
        opportunities: [{ id: 5, name: 'O', listId: 8 }],
        lists: [
          { id: 7, name: 'P', type: 'person', entries: [{ id: 1, entityId: 2 }] },
          { id: 9, name: 'O', type: 'opportunity', entries: [{ id: 2, entityId: 5 }] },
        ],
      }),
    ).toThrow(
      'fixture is not a valid simulator fixture:\n' +
        '✖ person 2 is not in "persons"\n  → at lists[0].entries[0].entityId\n' +
        '✖ opportunity 5 of list 9 is not in "opportunities"\n  → at lists[1].entries[0].entityId',
    );
  });
});

describe('search', () => {
  it('finds companies by name or primary domain and persons by name or primary email (201, paged)', async () => {
    const body = { search: { term: 'ACME' } };
    valid('SearchCriteria', body);
    const companies = await json(sim, 'POST', '/v2/companies/search?fieldIds=field-50', body);
    expect(companies.status).toBe(201);
    valid('CompanyPaged', companies.body);
    expect((companies.body['data'] as { id: number }[]).map((c) => c.id)).toEqual([1, 2]);
    // Only the primary domain is searched: acme.io is Acme's second domain.
    const second = await json(sim, 'POST', '/v2/companies/search', { search: { term: 'acme.io' } });
    expect(second.body['data']).toEqual([]);
    const persons = await json(sim, 'POST', '/v2/persons/search', { search: { term: 'jane@acme.com' } });
    valid('PersonPaged', persons.body);
    expect((persons.body['data'] as { id: number }[]).map((p) => p.id)).toEqual([11]);
    const page = await json(sim, 'POST', '/v2/companies/search?limit=1', body);
    expect((page.body['pagination'] as { nextUrl: string }).nextUrl).toContain('cursor=');
  });

  it('refuses what the document refuses or the simulator does not evaluate', async () => {
    expect((await json(sim, 'POST', '/v2/companies/search', { search: { term: 'ab' } })).status).toBe(400);
    expect((await json(sim, 'POST', '/v2/companies/search', { query: 'x' })).status).toBe(400);
    const filters = await json(sim, 'POST', '/v2/companies/search', {
      filters: { operator: 'and', filters: [] },
    });
    expect(filters.body).toEqual({
      errors: [
        { code: 'validation', param: 'filters', message: 'filters are not simulated; search by search.term' },
      ],
    });
  });

  it('v1 term search matches every domain and email; legacy versions have no v2 search', async () => {
    const orgs = await json(sim, 'GET', '/organizations?term=acme.io');
    expect(orgs.body).toEqual({
      organizations: [
        {
          id: 1,
          name: 'Acme',
          domain: 'acme.com',
          domains: ['acme.com', 'acme.io'],
          crunchbase_uuid: null,
          global: false,
        },
      ],
      next_page_token: null,
    });
    const persons = await json(sim, 'GET', '/persons?term=jane.doe@gmail.com');
    expect((persons.body['persons'] as { id: number; emails: string[] }[])[0]).toMatchObject({
      id: 11,
      emails: ['jane@acme.com', 'jane.doe@gmail.com'],
    });
    expect((await call(legacy, 'POST', '/v2/companies/search', { search: { term: 'acme' } })).status).toBe(
      404,
    );
  });
});

describe('limits', () => {
  it('counts entity reads, searches and PATCHes in the same per-key window', async () => {
    const small = await startSimulator({
      fixture: entityFixture,
      rateLimit: { limit: 3, windowSeconds: 60 },
    });
    try {
      const statuses = [
        (await call(small, 'GET', '/v2/companies/fields')).status,
        (await call(small, 'POST', '/v2/companies/search', { search: { term: 'acme' } })).status,
        (await call(small, 'PATCH', '/v2/persons/11/fields', { operation: 'update-fields', updates: [] }))
          .status,
        (await call(small, 'GET', '/v2/persons?ids=11')).status,
      ];
      expect(statuses).toEqual([200, 201, 200, 429]);
      expect(small.stats().requestsByRoute).toEqual({
        'GET /v2/companies/fields': 1,
        'POST /v2/companies/search': 1,
        'PATCH /v2/persons/{personId}/fields': 1,
        'GET /v2/persons': 1,
      });
    } finally {
      await small.close();
    }
  });
});
