import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { type RunningSimulator, startSimulator } from '../../src/simulator/server.js';
import { specValidator } from '../support/openapi.js';
import { allTypesFixture, api } from './support.js';

// PATCH /v2/lists/{listId}/list-entries/{listEntryId}/fields over real HTTP, validated as Affinity does.

const sim: RunningSimulator = await startSimulator({ fixture: allTypesFixture });
const { get, patch, update } = api(sim);
afterAll(() => sim.close());
beforeEach(() => sim.reset());

async function readValue(entryId: number, fieldId: string): Promise<unknown> {
  const res = await get(`/v2/lists/2001/list-entries/${entryId}/fields?ids=${fieldId}`);
  const body = (await res.json()) as { data: { value: { data: unknown } }[] };
  return body.data[0]?.value.data;
}

const austin = {
  streetAddress: null,
  city: 'Austin',
  state: 'Texas',
  country: 'United States',
  continent: 'North America',
};

// [field, valueType, data sent, data read back]
const accepted: [string, string, unknown, unknown][] = [
  ['field-1', 'text', 'hello', 'hello'],
  ['field-2', 'number', 1250.5, 1250.5],
  ['field-3', 'number-multi', [1, 2], [1, 2]],
  ['field-4', 'datetime', '2024-01-15T00:00:00Z', '2024-01-15T08:00:00.000Z'],
  ['field-5', 'dropdown', { dropdownOptionId: 52 }, { dropdownOptionId: 52, text: 'Series A' }],
  [
    'field-6',
    'ranked-dropdown',
    { dropdownOptionId: 62 },
    { dropdownOptionId: 62, text: 'Bad', rank: 1, color: 'red' },
  ],
  ['field-7', 'dropdown-multi', [{ dropdownOptionId: 73 }], [{ dropdownOptionId: 73, text: 'Climate' }]],
  ['field-8', 'location', austin, austin],
  ['field-9', 'location-multi', [austin], [austin]],
  [
    'field-10',
    'person',
    { id: 7 },
    {
      id: 7,
      firstName: 'Alex',
      lastName: 'Rivera',
      primaryEmailAddress: 'alex@example.com',
      type: 'external',
    },
  ],
  [
    'field-11',
    'person-multi',
    [{ id: 7 }],
    [
      {
        id: 7,
        firstName: 'Alex',
        lastName: 'Rivera',
        primaryEmailAddress: 'alex@example.com',
        type: 'external',
      },
    ],
  ],
  ['field-12', 'company', { id: 2 }, { id: 2, name: 'Bluefin Labs', domain: 'bluefinlabs.io' }],
  [
    'field-13',
    'company-multi',
    [{ id: 1 }],
    [{ id: 1, name: 'Northwind Analytics', domain: 'northwindanalytics.com' }],
  ],
  ['field-14', 'text', 'EMEA', 'EMEA'],
];

const many = Array.from({ length: 101 }, (_, i) => ({ id: i + 1 }));
// [field, valueType, bad data, message]
const rejected: [string, string, unknown, string][] = [
  ['field-1', 'text', 42, 'field "Notes" (field-1, text) expects a string; got 42'],
  ['field-2', 'number', '12', 'field "ARR" (field-2, number) expects a finite number; got "12"'],
  [
    'field-3',
    'number-multi',
    [1, '2'],
    'field "Rounds" (field-3, number-multi): item 1 should be a finite number; got "2"',
  ],
  [
    'field-4',
    'datetime',
    '2024-01-15',
    'field "Closed" (field-4, datetime) expects an ISO 8601 date-time string such as "2024-04-01T00:00:00Z"; got "2024-01-15"',
  ],
  [
    'field-5',
    'dropdown',
    { dropdownOptionId: 99 },
    'field "Stage" (field-5, dropdown) expects the id of one of its dropdown options (51, 52); got {"dropdownOptionId":99}',
  ],
  [
    'field-6',
    'ranked-dropdown',
    'Bad',
    `field "Health" (field-6, ranked-dropdown) expects {"dropdownOptionId": <id of one of the field's options>}; got "Bad"`,
  ],
  [
    'field-7',
    'dropdown-multi',
    [{ dropdownOptionId: 74 }],
    'field "Tags" (field-7, dropdown-multi): item 0 should be the id of one of its dropdown options (71, 72, 73); got {"dropdownOptionId":74}',
  ],
  [
    'field-8',
    'location',
    { city: 'Austin' },
    'field "HQ" (field-8, location) expects an object with exactly the keys streetAddress, city, state, country, continent, each a string or null; got {"city":"Austin"}',
  ],
  [
    'field-9',
    'location-multi',
    [{ ...austin, zip: '78701' }],
    'field "Offices" (field-9, location-multi): item 0 should be an object with exactly the keys streetAddress, city, state, country, continent, each a string or null; got {"streetAddress":null,"city":"Austin","state":"Texas","co...',
  ],
  [
    'field-10',
    'person',
    { id: 0 },
    'field "Owner" (field-10, person) expects {"id": <positive integer>}; got {"id":0}',
  ],
  [
    'field-11',
    'person-multi',
    [{ id: '7' }],
    'field "Team" (field-11, person-multi): item 0 should be {"id": <positive integer>}; got {"id":"7"}',
  ],
  [
    'field-12',
    'company',
    { id: -1 },
    'field "Lead" (field-12, company) expects {"id": <positive integer>}; got {"id":-1}',
  ],
  [
    'field-13',
    'company-multi',
    many,
    'field "Co-investors" (field-13, company-multi) accepts at most 100 values; got 101',
  ],
];

describe('PATCH …/fields: value types', () => {
  it.each(accepted)(
    'accepts %s (%s) and reads it back as Affinity returns it',
    async (id, type, data, readBack) => {
      const res = await update(11, [{ id, value: { type, data } }]);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ operation: 'update-fields' });
      expect(await readValue(11, id)).toEqual(readBack);
    },
  );

  it.each(rejected)('rejects bad data for %s (%s) naming the update', async (id, type, data, message) => {
    const res = await update(11, [
      { id: 'field-1', value: { type: 'text', data: 'fine' } },
      { id, value: { type, data } },
    ]);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      errors: [
        { code: 'validation', message: `updates[1].value.data: ${message}`, param: 'updates[1].value' },
      ],
    });
    // All or nothing: the valid first update was not applied either.
    expect(await readValue(11, 'field-1')).toBeNull();
  });

  it('rejects a value.type that differs from the field valueType', async () => {
    const res = await update(11, [{ id: 'field-2', value: { type: 'text', data: '12' } }]);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      errors: [
        {
          code: 'validation',
          message:
            'updates[0].value.type must be "number", the valueType of field "ARR" (field-2); got "text"',
          param: 'updates[0].value',
        },
      ],
    });
  });

  it('clears a value with data null and reads empty multi values back as null', async () => {
    expect((await update(11, [{ id: 'field-2', value: { type: 'number', data: null } }])).status).toBe(200);
    expect(await readValue(11, 'field-2')).toBeNull();
    expect((await update(12, [{ id: 'field-7', value: { type: 'dropdown-multi', data: [] } }])).status).toBe(
      200,
    );
    expect(await readValue(12, 'field-7')).toBeNull();
  });

  it('replaces the whole set on a multi-value write', async () => {
    expect(await readValue(12, 'field-7')).toEqual([
      { dropdownOptionId: 71, text: 'AI' },
      { dropdownOptionId: 72, text: 'SaaS' },
    ]);
    const res = await update(12, [
      { id: 'field-7', value: { type: 'dropdown-multi', data: [{ dropdownOptionId: 73 }] } },
    ]);
    expect(res.status).toBe(200);
    expect(await readValue(12, 'field-7')).toEqual([{ dropdownOptionId: 73, text: 'Climate' }]);
  });

  it.each([
    ['2024-04-01T15:30:00Z', '2024-04-01T07:00:00.000Z'],
    ['2024-01-15T00:00:00Z', '2024-01-15T08:00:00.000Z'],
    ['2024-11-03T23:59:59-08:00', '2024-11-03T07:00:00.000Z'],
    ['2024-03-10T00:00:00.000Z', '2024-03-10T08:00:00.000Z'],
  ])('stores %s at midnight Pacific of that date (%s)', async (sent, stored) => {
    expect((await update(11, [{ id: 'field-4', value: { type: 'datetime', data: sent } }])).status).toBe(200);
    expect(await readValue(11, 'field-4')).toBe(stored);
  });

  it('writes a global field on the company, so every entry of that company shows it', async () => {
    expect((await update(11, [{ id: 'field-14', value: { type: 'text', data: 'EMEA' } }])).status).toBe(200);
    expect(await readValue(14, 'field-14')).toBe('EMEA');
  });
});

describe('PATCH …/fields: the request', () => {
  it('accepts 100 updates and refuses 101', async () => {
    const updates = (n: number) =>
      Array.from({ length: n }, (_, i) => ({ id: 'field-2', value: { type: 'number', data: i } }));
    expect((await update(11, updates(100))).status).toBe(200);
    expect(await readValue(11, 'field-2')).toBe(99);
    const res = await update(11, updates(101));
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      errors: [
        { code: 'validation', message: 'updates may hold at most 100 items; got 101', param: 'updates' },
      ],
    });
  });

  it.each([
    [
      'affinity-data-description',
      'text',
      'Field "Description" (affinity-data-description) cannot be written: enriched fields are maintained by Affinity and cannot be written',
    ],
    [
      'first-email',
      'interaction',
      'Field "First Email" (first-email) cannot be written: relationship-intelligence fields are computed by Affinity and cannot be written',
    ],
    [
      'field-15',
      'formula-number',
      'Field "Score" (field-15) cannot be written: formula fields are computed and cannot be written',
    ],
  ])('refuses read-only field %s', async (id, type, message) => {
    const res = await update(11, [{ id, value: { type, data: null } }]);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ errors: [{ code: 'validation', message, param: 'updates[0].id' }] });
  });

  it('refuses a field that is not on the list, a wrong operation and a body that is not JSON', async () => {
    let res = await update(11, [{ id: 'field-99', value: { type: 'text', data: 'x' } }]);
    expect(await res.json()).toEqual({
      errors: [
        {
          code: 'validation',
          message: 'Field "field-99" is not a field on list 2001',
          param: 'updates[0].id',
        },
      ],
    });
    res = await patch('/v2/lists/2001/list-entries/11/fields', { operation: 'update', updates: [] });
    expect(await res.json()).toEqual({
      errors: [
        {
          code: 'validation',
          message: 'operation must be "update-fields"; got "update"',
          param: 'operation',
        },
      ],
    });
    res = await fetch(`${sim.url}/v2/lists/2001/list-entries/11/fields`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${sim.apiKey}`, 'content-type': 'application/json' },
      body: '{"operation":',
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { errors: { code: string }[] }).errors[0]?.code).toBe('bad-request');
  });

  it('answers 404 not-found for an unknown list or entry', async () => {
    let res = await update(99, [{ id: 'field-1', value: { type: 'text', data: 'x' } }]);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({
      errors: [{ code: 'not-found', message: 'List entry 99 not found on list 2001' }],
    });
    res = await update(11, [], 4242);
    expect(await res.json()).toEqual({ errors: [{ code: 'not-found', message: 'List 4242 not found' }] });
  });

  it('logs accepted bodies in stats; they match the official request schema', async () => {
    for (const [id, type, data] of accepted)
      expect((await update(13, [{ id, value: { type, data } }])).status).toBe(200);
    const stats = sim.stats();
    expect(stats.patches).toHaveLength(accepted.length);
    expect(stats.writesPerEntry).toEqual({ '13': accepted.length });
    expect(stats.fieldWrites).toBe(accepted.length);
    const validate = specValidator('ListEntryBatchOperationRequest', 'openapi-v2-2026-07-15.json');
    for (const record of stats.patches) {
      expect(record.listId).toBe(2001);
      expect(validate(record.body), JSON.stringify(validate.errors)).toBe(true);
    }
  });
});
