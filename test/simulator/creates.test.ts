import { afterEach, describe, expect, it } from 'vitest';
import { type RunningSimulator, type SimulatorOptions, startSimulator } from '../../src/simulator/server.js';
import { specValidator } from '../support/openapi.js';
import { allTypesFixture, api } from './support.js';

// The create routes (v1 list entry and organization, v2 dropdown option), the reads that tell
// whether a create happened, and the create faults — including the response lost after commit.

const running: RunningSimulator[] = [];
async function start(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  const sim = await startSimulator({ fixture: allTypesFixture, ...options });
  running.push(sim);
  return sim;
}
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.close()));
});

function v1(sim: RunningSimulator) {
  const auth = { authorization: `Basic ${Buffer.from(`:${sim.apiKey}`).toString('base64')}` };
  return {
    get: (path: string) => fetch(`${sim.url}${path}`, { headers: auth }),
    post: (path: string, body: unknown, signal?: AbortSignal) =>
      fetch(`${sim.url}${path}`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify(body),
        ...(signal ? { signal } : {}),
      }),
  };
}

function postV2(sim: RunningSimulator, path: string, body: unknown): Promise<Response> {
  return fetch(`${sim.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${sim.apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

const entriesOf = (sim: RunningSimulator, entityId: number) =>
  (sim.state.lists.get(2001)?.entries ?? []).filter((e) => e.entityId === entityId);

describe('v1 POST /lists/{list_id}/list-entries', () => {
  it('adds the entity to the list, and a repeated request adds it again (not idempotent)', async () => {
    const sim = await start();
    const first = await v1(sim).post('/lists/2001/list-entries', { entity_id: 3 });
    expect(first.status).toBe(200);
    const body = (await first.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ list_id: 2001, entity_id: 3, entity_type: 1, entity: { id: 3 } });
    expect(body['id']).toBeGreaterThan(15);
    expect(entriesOf(sim, 3)).toHaveLength(2);
    const again = (await (await v1(sim).post('/lists/2001/list-entries', { entity_id: 3 })).json()) as {
      id: number;
    };
    expect(again.id).toBe((body['id'] as number) + 1);
    expect(entriesOf(sim, 3)).toHaveLength(3);
    // The new entry is served by the v2 scan, last, and takes a PATCH.
    const scan = (await (await api(sim).get('/v2/lists/2001/list-entries')).json()) as {
      data: Array<{ id: number }>;
    };
    expect(scan.data.at(-1)?.id).toBe(again.id);
    expect(
      (await api(sim).update(again.id, [{ id: 'field-2', value: { type: 'number', data: 5 } }])).status,
    ).toBe(200);
  });

  it('refuses unknown lists and entities, bad bodies and v2 auth', async () => {
    const sim = await start();
    expect((await v1(sim).post('/lists/9/list-entries', { entity_id: 3 })).status).toBe(404);
    const unknown = await v1(sim).post('/lists/2001/list-entries', { entity_id: 999 });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({
      errors: [{ code: 'not-found', message: 'Entity 999 not found' }],
    });
    expect((await v1(sim).post('/lists/2001/list-entries', { entity_id: 'x' })).status).toBe(400);
    const bearer = await postV2(sim, '/lists/2001/list-entries', { entity_id: 3 });
    expect(bearer.status).toBe(401);
    expect(entriesOf(sim, 3)).toHaveLength(1);
  });

  it("tells whether it happened: v1 GET /organizations/{id} and v2 GET …/list-entries list the entity's entries", async () => {
    const sim = await start();
    await v1(sim).post('/lists/2001/list-entries', { entity_id: 3 });
    const org = (await (await v1(sim).get('/organizations/3')).json()) as Record<string, unknown>;
    expect(org).toMatchObject({ id: 3, name: 'Cedar Health', domain: null });
    expect(
      (org['list_entries'] as Array<{ list_id: number; entity_id: number }>).map((e) => e.list_id),
    ).toEqual([2001, 2001]);
    const v2 = await api(sim).get('/v2/companies/3/list-entries');
    const page = await v2.json();
    const validate = specValidator('ListEntryPaged', 'openapi-v2-2026-07-15.json');
    expect(validate(page), JSON.stringify(validate.errors)).toBe(true);
    expect((page as { data: unknown[] }).data).toHaveLength(2);
    expect((await v1(sim).get('/organizations/999')).status).toBe(404);
  });
});

describe('person and opportunity lists', () => {
  it('adds a person to a person list (v1 GET /persons/{id} lists it); an opportunity list answers 422', async () => {
    const sim = await start({
      fixture: {
        companies: [],
        persons: [
          { id: 7, firstName: 'Alex', lastName: 'Rivera', primaryEmailAddress: 'alex@example.com' },
          { id: 8, firstName: 'Sam', lastName: 'Lee', primaryEmailAddress: 'sam@example.com' },
        ],
        opportunities: [{ id: 70, name: 'Deal', listId: 3003 }],
        lists: [
          { id: 3001, name: 'People', type: 'person', entries: [{ id: 1, entityId: 7 }] },
          { id: 3003, name: 'Deals', type: 'opportunity', entries: [{ id: 2, entityId: 70 }] },
        ],
      },
    });
    const added = (await (await v1(sim).post('/lists/3001/list-entries', { entity_id: 8 })).json()) as Record<
      string,
      unknown
    >;
    expect(added).toMatchObject({ id: 3, list_id: 3001, entity_id: 8, entity_type: 0 });
    const person = (await (await v1(sim).get('/persons/8')).json()) as { list_entries: unknown[] };
    expect(person.list_entries).toEqual([
      expect.objectContaining({ id: 3, list_id: 3001, entity_id: 8, entity_type: 0 }),
    ]);
    expect((await v1(sim).post('/lists/3001/list-entries', { entity_id: 99 })).status).toBe(404);
    const opportunity = await v1(sim).post('/lists/3003/list-entries', { entity_id: 70 });
    expect(opportunity.status).toBe(422);
    expect((await v1(sim).get('/persons/99')).status).toBe(404);
  });
});

describe('v1 POST /organizations', () => {
  it('creates a company with its domain (a second with the same domain is not refused)', async () => {
    const sim = await start();
    const res = await v1(sim).post('/organizations', { name: 'Nimbus', domain: 'Nimbus.IO' });
    expect(res.status).toBe(200);
    const org = (await res.json()) as { id: number; domain: string; domains: string[] };
    expect(org).toMatchObject({ name: 'Nimbus', domain: 'nimbus.io', domains: ['nimbus.io'] });
    expect(org.id).toBe(4);
    const v2 = (await (await api(sim).get(`/v2/companies/${org.id}`)).json()) as Record<string, unknown>;
    expect(v2).toMatchObject({ id: 4, name: 'Nimbus', domain: 'nimbus.io' });
    const twin = (await (
      await v1(sim).post('/organizations', { name: 'Nimbus', domain: 'nimbus.io' })
    ).json()) as {
      id: number;
    };
    expect(twin.id).toBe(5);
    expect([...sim.state.companies.values()].filter((c) => c.domain === 'nimbus.io')).toHaveLength(2);
  });

  it('needs a name and a domain that is one', async () => {
    const sim = await start();
    const noName = await v1(sim).post('/organizations', { domain: 'x.io' });
    expect(noName.status).toBe(400);
    expect(await noName.json()).toEqual({
      errors: [{ code: 'validation', param: 'name', message: 'name is required' }],
    });
    expect((await v1(sim).post('/organizations', { name: 'X', domain: 'not a domain' })).status).toBe(400);
    expect(sim.state.companies.size).toBe(3);
  });
});

describe('v2 POST /v2/lists/{listId}/fields/{fieldId}/dropdown-options', () => {
  const path = (field: string) => `/v2/lists/2001/fields/${field}/dropdown-options`;

  it('creates a standard option (201, spec-valid both ways), readable and writable at once', async () => {
    const sim = await start();
    const request = { type: 'dropdown', text: 'Series B' };
    expect(
      specValidator('dropdownOptions.DropdownOptionToBeCreated', 'openapi-v2-2026-07-15.json')(request),
    ).toBe(true);
    const res = await postV2(sim, path('field-5'), request);
    expect(res.status).toBe(201);
    const option = (await res.json()) as { id: number };
    const validate = specValidator('DropdownOption', 'openapi-v2-2026-07-15.json');
    expect(validate(option), JSON.stringify(validate.errors)).toBe(true);
    expect(option).toEqual({ id: 74, text: 'Series B', type: 'dropdown' });
    const listed = (await (await api(sim).get(path('field-5'))).json()) as { data: Array<{ text: string }> };
    expect(listed.data.map((o) => o.text)).toEqual(['Seed', 'Series A', 'Series B']);
    const update = [{ id: 'field-5', value: { type: 'dropdown', data: { dropdownOptionId: option.id } } }];
    expect((await api(sim).update(11, update)).status).toBe(200);
    // dropdown-multi fields take standard options too.
    expect((await postV2(sim, path('field-7'), { type: 'dropdown', text: 'Fintech' })).status).toBe(201);
  });

  it('a ranked option needs its rank and color; other fields, bad bodies and legacy versions are refused', async () => {
    const sim = await start();
    const noRank = await postV2(sim, path('field-6'), { type: 'ranked-dropdown', text: 'Okay' });
    expect(noRank.status).toBe(400);
    const ranked = await postV2(sim, path('field-6'), {
      type: 'ranked-dropdown',
      text: 'Okay',
      rank: 2,
      color: 'orange',
    });
    expect(ranked.status).toBe(201);
    expect(await ranked.json()).toEqual({
      id: 74,
      text: 'Okay',
      rank: 2,
      color: 'orange',
      type: 'ranked-dropdown',
    });
    expect(
      (await postV2(sim, path('field-5'), { type: 'ranked-dropdown', text: 'A', rank: 1, color: 'red' }))
        .status,
    ).toBe(400);
    expect((await postV2(sim, path('field-5'), { type: 'dropdown', text: 'A', color: 'red' })).status).toBe(
      400,
    );
    expect((await postV2(sim, path('field-5'), { type: 'dropdown', text: '' })).status).toBe(400);
    expect((await postV2(sim, path('field-2'), { type: 'dropdown', text: 'A' })).status).toBe(400);
    expect((await postV2(sim, path('field-99'), { type: 'dropdown', text: 'A' })).status).toBe(404);
    const legacy = await start({ legacyDropdowns: true });
    expect((await postV2(legacy, path('field-5'), { type: 'dropdown', text: 'A' })).status).toBe(404);
  });
});

describe('create faults', () => {
  it('before commit: a 500/503 creates nothing; after commit: the create happened and the answer is 5xx', async () => {
    const sim = await start({ faults: { creates: { errorRate: 1, afterCommit: 0 } } });
    const before = await v1(sim).post('/lists/2001/list-entries', { entity_id: 3 });
    expect([500, 503]).toContain(before.status);
    expect(entriesOf(sim, 3)).toHaveLength(1);
    // Reads are not create calls: they are not faulted.
    expect((await v1(sim).get('/organizations/3')).status).toBe(200);
    sim.setFaults({ creates: { errorRate: 1, afterCommit: 1 } });
    const after = await v1(sim).post('/lists/2001/list-entries', { entity_id: 3 });
    expect([500, 503]).toContain(after.status);
    expect(entriesOf(sim, 3)).toHaveLength(2);
    const lost = await v1(sim).post('/organizations', { name: 'Lost', domain: 'lost.io' });
    expect([500, 503]).toContain(lost.status);
    expect([...sim.state.companies.values()].map((c) => c.name)).toContain('Lost');
    expect(sim.stats().createFaults).toEqual({ beforeCommit: 1, afterCommit: 2 });
  });

  it('a dropped connection or a timeout after commit loses the answer of a create that happened', async () => {
    const sim = await start({ faults: { creates: { dropRate: 1, afterCommit: 1 } } });
    await expect(v1(sim).post('/lists/2001/list-entries', { entity_id: 3 })).rejects.toThrow();
    expect(entriesOf(sim, 3)).toHaveLength(2);
    expect(sim.stats().dropped).toBe(1);
    sim.setFaults({ creates: { timeoutRate: 1, afterCommit: 1 } });
    const started = performance.now();
    // The hold ends when the client gives up (here after 100 ms), not after holdMs.
    const aborted = v1(sim).post('/lists/2001/list-entries', { entity_id: 1 }, AbortSignal.timeout(100));
    await expect(aborted).rejects.toThrow();
    expect(performance.now() - started).toBeLessThan(5000);
    expect(entriesOf(sim, 1)).toHaveLength(3);
  });

  it('timeouts before commit create nothing; the same seed repeats the same faults', async () => {
    const outcomes = async (sim: RunningSimulator) => {
      const out: string[] = [];
      for (let i = 0; i < 20; i++) {
        const res = await v1(sim)
          .post('/organizations', { name: `C${i}` }, AbortSignal.timeout(200))
          .then(
            (r) => String(r.status),
            () => 'none',
          );
        out.push(res);
      }
      return out;
    };
    const faults = { creates: { errorRate: 0.2, dropRate: 0.1, timeoutRate: 0.1, afterCommit: 0 } };
    const a = await start({ seed: 7, faults });
    const first = await outcomes(a);
    expect(first.filter((s) => s === '200').length).toBeGreaterThan(5);
    expect(first.filter((s) => s !== '200').length).toBeGreaterThan(0);
    expect(a.state.companies.size).toBe(3 + first.filter((s) => s === '200').length);
    const b = await start({ seed: 7, faults });
    expect(await outcomes(b)).toEqual(first);
  });
});
