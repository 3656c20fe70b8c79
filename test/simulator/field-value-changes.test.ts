import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Fixture } from '../../src/simulator/fixture.js';
import { type RunningSimulator, startSimulator } from '../../src/simulator/server.js';
import { specValidator } from '../support/openapi.js';
import { api } from './support.js';

// GET /v2/field-value-changes and the per-entry twin: tracked fields only, changer ids (the key's
// user for PATCH, another user for control edits), the documented filter language, ascending
// order and keyset paging.

const fixture: Fixture = {
  companies: [
    { id: 1, name: 'Acme', domain: 'acme.com' },
    { id: 2, name: 'Globex', domain: 'globex.io' },
  ],
  lists: [
    {
      id: 2001,
      name: 'Deals',
      type: 'company',
      fields: [
        { id: 'field-1', name: 'ARR', type: 'list', valueType: 'number', trackChanges: true },
        { id: 'field-2', name: 'Notes', type: 'list', valueType: 'text' },
        {
          id: 'field-3',
          name: 'Tags',
          type: 'list',
          valueType: 'dropdown-multi',
          trackChanges: true,
          dropdownOptions: [
            { id: 31, text: 'AI' },
            { id: 32, text: 'SaaS' },
          ],
        },
        { id: 'field-4', name: 'Region', type: 'global', valueType: 'text', trackChanges: true },
      ],
      entries: [
        { id: 11, entityId: 1, values: { 'field-1': 5 } },
        { id: 12, entityId: 2, values: {} },
      ],
    },
  ],
};

const doc = 'openapi-v2-2026-07-15.json';
let sim: RunningSimulator;
let http: ReturnType<typeof api>;

beforeAll(async () => {
  sim = await startSimulator({ fixture });
  http = api(sim);
});
afterAll(() => sim.close());
beforeEach(() => sim.reset());

async function changes(query: string): Promise<{ data: Record<string, unknown>[]; nextUrl: string | null }> {
  const res = await http.get(`/v2/field-value-changes${query}`);
  expect(res.status).toBe(200);
  const body = (await res.json()) as {
    data: Record<string, unknown>[];
    pagination: { nextUrl: string | null };
  };
  expect(specValidator('fieldValueChanges.FieldValueChangePaged', doc)(body)).toBe(true);
  return { data: body.data, nextUrl: body.pagination.nextUrl };
}

const filter = (text: string) => `?filter=${encodeURIComponent(text)}`;

async function control(path: string, body: unknown): Promise<Response> {
  return fetch(`${sim.url}/_simulator/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

describe('recording', () => {
  it('records a PATCH on a tracked field with the API key user as changer; untracked fields not at all', async () => {
    const whoami = (await (await http.get('/v2/auth/whoami')).json()) as { user: { id: number } };
    await http.update(11, [
      { id: 'field-1', value: { type: 'number', data: 7 } },
      { id: 'field-2', value: { type: 'text', data: 'hello' } },
    ]);
    const { data } = await changes('');
    expect(data).toHaveLength(1);
    expect(data[0]).toMatchObject({
      field: { id: 'field-1', name: 'ARR', type: 'list', entityType: 'company' },
      entity: { id: 1 },
      listEntry: { id: 11, listId: 2001 },
      changer: { id: whoami.user.id },
      actionType: 'update',
      type: 'number',
      value: 7,
    });
  });

  it('records nothing when a PATCH sets the value already held', async () => {
    await http.update(11, [{ id: 'field-1', value: { type: 'number', data: 5 } }]);
    expect((await changes('')).data).toEqual([]);
  });

  it('records add / update / delete for single values and add / delete per item for multi values', async () => {
    await http.update(12, [{ id: 'field-1', value: { type: 'number', data: 1 } }]);
    await http.update(12, [{ id: 'field-1', value: { type: 'number', data: null } }]);
    await http.update(12, [
      { id: 'field-3', value: { type: 'dropdown-multi', data: [{ dropdownOptionId: 31 }] } },
    ]);
    await http.update(12, [
      { id: 'field-3', value: { type: 'dropdown-multi', data: [{ dropdownOptionId: 32 }] } },
    ]);
    const { data } = await changes('');
    expect(data.map((c) => [c['actionType'], c['type'], c['value']])).toEqual([
      ['add', 'number', 1],
      ['delete', 'number', 1],
      ['add', 'dropdown-multi', { referenceType: 'entity', dropdownOptionId: 31, text: 'AI' }],
      ['delete', 'dropdown-multi', { referenceType: 'entity', dropdownOptionId: 31, text: 'AI' }],
      ['add', 'dropdown-multi', { referenceType: 'entity', dropdownOptionId: 32, text: 'SaaS' }],
    ]);
  });

  it('an edit by another user through the control endpoint is recorded with that changer and not counted', async () => {
    const before = sim.stats().totalRequests;
    const res = await control('edits', {
      listId: 2001,
      listEntryId: 11,
      updates: [{ id: 'field-1', value: { type: 'number', data: 9 } }],
    });
    expect(res.status).toBe(200);
    expect(sim.stats().totalRequests).toBe(before);
    expect(sim.state.lists.get(2001)?.entryById.get(11)?.values.get('field-1')).toBe(9);
    const { data } = await changes('');
    expect(data[0]).toMatchObject({ changer: { id: 2 }, value: 9, actionType: 'update' });
  });

  it('the control endpoint names what is wrong with an edit, and applies nothing', async () => {
    const res = await control('edits', {
      listId: 2001,
      listEntryId: 11,
      updates: [
        { id: 'field-1', value: { type: 'number', data: 1 } },
        { id: 'field-9', value: { type: 'number', data: 1 } },
      ],
    });
    expect(res.status).toBe(400);
    expect(JSON.stringify(await res.json())).toContain(
      'updates[1].id: Field \\"field-9\\" is not a field on list 2001',
    );
    expect(sim.state.lists.get(2001)?.entryById.get(11)?.values.get('field-1')).toBe(5);
  });

  it('tracking can be turned on and off; v1 /fields reports it as track_changes', async () => {
    const v1 = async () =>
      (await (
        await fetch(`${sim.url}/fields?list_id=2001`, {
          headers: { authorization: `Basic ${Buffer.from(`:${sim.apiKey}`).toString('base64')}` },
        })
      ).json()) as { id: number; track_changes: boolean }[];
    expect((await v1()).map((f) => [f.id, f.track_changes])).toEqual([
      [1, true],
      [2, false],
      [3, true],
    ]);
    expect(
      (await control('change-tracking', { listId: 2001, fieldId: 'field-1', enabled: false })).status,
    ).toBe(200);
    await http.update(11, [{ id: 'field-1', value: { type: 'number', data: 8 } }]);
    expect((await changes('')).data).toEqual([]);
    expect((await v1())[0]?.track_changes).toBe(false);
  });

  it('a global field changed through an entry names the company and that entry', async () => {
    await http.update(12, [{ id: 'field-4', value: { type: 'text', data: 'EMEA' } }]);
    const { data } = await changes(filter('field.id=field-4'));
    expect(data[0]).toMatchObject({ field: { type: 'global' }, entity: { id: 2 }, listEntry: { id: 12 } });
  });
});

describe('filters, order and paging', () => {
  beforeEach(() => {
    sim.edit({
      listId: 2001,
      listEntryId: 11,
      updates: [{ id: 'field-1', value: { type: 'number', data: 1 } }],
      changedAt: '2026-03-01T10:00:00Z',
    });
    sim.edit({
      listId: 2001,
      listEntryId: 12,
      updates: [{ id: 'field-1', value: { type: 'number', data: 2 } }],
      changedAt: '2026-03-01T11:00:00Z',
      changerId: 3,
    });
    sim.edit({
      listId: 2001,
      listEntryId: 12,
      updates: [{ id: 'field-4', value: { type: 'text', data: 'x' } }],
      changedAt: '2026-03-01T12:00:00Z',
    });
    // Recorded last, changed earliest: served first (ascending changedAt, then id).
    sim.edit({
      listId: 2001,
      listEntryId: 11,
      updates: [{ id: 'field-4', value: { type: 'text', data: 'y' } }],
      changedAt: '2026-03-01T09:00:00Z',
    });
  });

  const ids = (data: Record<string, unknown>[]) =>
    data.map((c) => `${(c['field'] as { id: string }).id}@${(c['listEntry'] as { id: number }).id}`);

  it('serves ascending changedAt; -changedAt descending', async () => {
    expect(ids((await changes('')).data)).toEqual(['field-4@11', 'field-1@11', 'field-1@12', 'field-4@12']);
    expect(ids((await changes('?orderBy=-changedAt')).data)).toEqual([
      'field-4@12',
      'field-1@12',
      'field-1@11',
      'field-4@11',
    ]);
  });

  it.each([
    ['field.id=field-1', ['field-1@11', 'field-1@12']],
    ['field.id = field-1 | field.id = "field-4"', ['field-4@11', 'field-1@11', 'field-1@12', 'field-4@12']],
    ['changedAt>2026-03-01T10:00:00Z', ['field-1@12', 'field-4@12']],
    ['changedAt>=2026-03-01T10:00:00Z & changedAt<2026-03-01T12:00:00Z', ['field-1@11', 'field-1@12']],
    ['changer.id=3', ['field-1@12']],
    ['listEntry.id=11', ['field-4@11', 'field-1@11']],
    ['actionType=add', ['field-4@11', 'field-1@12', 'field-4@12']],
    // & binds tighter than |: field-4 changes, or field-1 changes after 10:30.
    [
      'field.id=field-4 | field.id=field-1 & changedAt>2026-03-01T10:30:00Z',
      ['field-4@11', 'field-1@12', 'field-4@12'],
    ],
    ['(field.id=field-4 | field.id=field-1) & changedAt>2026-03-01T10:30:00Z', ['field-1@12', 'field-4@12']],
    ['!(changer.id=2)', ['field-1@12']],
    ['field.id=field-2', []],
  ])('filter %s', async (text, expected) => {
    expect(ids((await changes(filter(text))).data)).toEqual(expected);
  });

  it.each([
    ['colour=red', 'unknown property "colour"'],
    ['changer.id>2', 'operator ">" is not allowed on "changer.id" (allowed: =)'],
    ['changedAt>yesterday', '"changedAt" takes an ISO 8601 date-time'],
    ['(field.id=field-1', 'missing ")"'],
    ['field.id=', 'expected a value after "field.id="'],
  ])('filter %s is a 400 naming the problem', async (text, message) => {
    const res = await http.get(`/v2/field-value-changes${filter(text)}`);
    expect(res.status).toBe(400);
    const body = (await res.json()) as { errors: { code: string; param: string; message: string }[] };
    expect(body.errors[0]).toMatchObject({ code: 'validation', param: 'filter' });
    expect(body.errors[0]?.message).toContain(message);
  });

  it('pages with nextUrl; a change recorded between pages neither repeats nor hides one', async () => {
    const first = await changes('?limit=2');
    expect(ids(first.data)).toEqual(['field-4@11', 'field-1@11']);
    expect(first.nextUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v2\/field-value-changes\?limit=2&cursor=/);
    sim.edit({
      listId: 2001,
      listEntryId: 11,
      updates: [{ id: 'field-1', value: { type: 'number', data: 3 } }],
      changedAt: '2026-03-01T08:00:00Z',
    });
    const second = await changes(new URL(first.nextUrl as string).search);
    expect(ids(second.data)).toEqual(['field-1@12', 'field-4@12']);
    expect(second.nextUrl).toBeNull();
  });

  it('the per-entry route serves that entry only and 404s an unknown entry', async () => {
    const res = await http.get(
      '/v2/lists/2001/list-entries/12/field-value-changes?filter=field.id%3Dfield-1',
    );
    const body = (await res.json()) as { data: Record<string, unknown>[] };
    expect(specValidator('fieldValueChanges.FieldValueChangePaged', doc)(body)).toBe(true);
    expect(ids(body.data)).toEqual(['field-1@12']);
    expect((await http.get('/v2/lists/2001/list-entries/99/field-value-changes')).status).toBe(404);
  });

  it('counts both routes in stats by template', async () => {
    await changes('');
    await http.get('/v2/lists/2001/list-entries/11/field-value-changes');
    expect(sim.stats().requestsByRoute).toMatchObject({
      'GET /v2/field-value-changes': 1,
      'GET /v2/lists/{listId}/list-entries/{listEntryId}/field-value-changes': 1,
    });
  });
});
