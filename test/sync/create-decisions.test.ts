import { describe, expect, it } from 'vitest';
import { AffinityApiError } from '../../src/affinity/affinity-api-error.js';
import { QuotaExhaustedError } from '../../src/limiter/limiter-errors.js';
import { convertValue, type FieldTarget } from '../../src/sync/convert-value.js';
import {
  type CreateEvent,
  type CreateState,
  firstCreateState,
  nextCreateState,
} from '../../src/sync/create-attempt.js';
import { CreateBudget } from '../../src/sync/create-budget.js';
import { createWithCheck } from '../../src/sync/create-with-check.js';
import type { MatchRule } from '../../src/sync/match-row.js';
import { OptionCreations } from '../../src/sync/option-creations.js';
import { addKeyOf, decideUnmatched, type UnmatchedInput } from '../../src/sync/unmatched-row.js';

// The pure decisions of creating what is missing: which entity an unmatched row names, what to do
// with it, the budget, the check-before-retry machine (and its thin driver), new option texts.

const rules: MatchRule[] = [
  { column: 'entry', by: 'listEntryId' },
  { column: 'id', by: 'entityId' },
  { column: 'domain', by: 'domain' },
];

describe('addKeyOf: the entity an unmatched row names', () => {
  it('takes the first rule with a usable id or domain; list entry ids never add', () => {
    expect(addKeyOf({ entry: 5, id: 42, domain: 'acme.com' }, rules)).toEqual({
      by: 'entityId',
      entityId: 42,
      key: 'id=42',
    });
    expect(addKeyOf({ entry: 5, id: null, domain: 'https://WWW.Acme.com/x' }, rules)).toEqual({
      by: 'domain',
      domain: 'acme.com',
      key: 'domain=acme.com',
    });
    expect(addKeyOf({ entry: 5, id: 'abc', domain: 'not a domain' }, rules)).toBeNull();
    expect(addKeyOf({ mail: ' Alex@Example.COM ' }, [{ column: 'mail', by: 'email' }])).toEqual({
      by: 'email',
      email: 'alex@example.com',
      key: 'mail=alex@example.com',
    });
    expect(addKeyOf({ entry: 5 }, rules)).toBeNull();
  });
});

describe('decideUnmatched', () => {
  const base: UnmatchedInput = { onUnmatched: 'add', onUnknownCompany: 'report', key: null };
  const byDomain = { by: 'domain', domain: 'nimbus.io', key: 'domain=nimbus.io' } as const;

  it('update-only reports; no key reports', () => {
    expect(
      decideUnmatched({ ...base, onUnmatched: 'report', key: { by: 'entityId', entityId: 3, key: 'id=3' } }),
    ).toEqual({
      kind: 'report',
    });
    expect(decideUnmatched(base)).toEqual({ kind: 'report' });
  });

  it('an entity id adds; a domain of exactly one company adds it, or writes where it already is', () => {
    expect(decideUnmatched({ ...base, key: { by: 'entityId', entityId: 3, key: 'id=3' } })).toEqual({
      kind: 'add',
      entityId: 3,
    });
    // Defensive: an id already on the list is written there, never added again.
    expect(
      decideUnmatched({ ...base, key: { by: 'entityId', entityId: 3, key: 'id=3' }, onList: () => true }),
    ).toEqual({
      kind: 'on-list',
      entityId: 3,
    });
    const one = { ...base, key: byDomain, resolution: { kind: 'one', entityId: 9 } } as const;
    expect(decideUnmatched(one)).toEqual({ kind: 'add', entityId: 9 });
    expect(decideUnmatched({ ...one, onList: (id) => id === 9 })).toEqual({ kind: 'on-list', entityId: 9 });
  });

  it('refuses a domain several companies share, a failed lookup, and an unknown domain unless create', () => {
    expect(
      decideUnmatched({ ...base, key: byDomain, resolution: { kind: 'several', entityIds: [4, 8] } }),
    ).toEqual({
      kind: 'refuse',
      reason: 'not added: 2 companies have the domain nimbus.io (4, 8); match by entity id instead',
    });
    expect(
      decideUnmatched({
        ...base,
        key: byDomain,
        resolution: { kind: 'failed', reason: 'GET /organizations: 500' },
      }),
    ).toEqual({
      kind: 'refuse',
      reason: 'not added: looking up the domain nimbus.io failed: GET /organizations: 500',
    });
    expect(decideUnmatched({ ...base, key: byDomain, resolution: { kind: 'none' } })).toEqual({
      kind: 'refuse',
      reason: 'not added: no company has the domain nimbus.io (onUnknownCompany: create would make it)',
    });
  });

  it('an e-mail of exactly one person adds them; no person is ever created', () => {
    const byEmail = { by: 'email', email: 'a@x.io', key: 'mail=a@x.io' } as const;
    expect(decideUnmatched({ ...base, key: byEmail, resolution: { kind: 'one', entityId: 7 } })).toEqual({
      kind: 'add',
      entityId: 7,
    });
    expect(
      decideUnmatched({ ...base, onUnknownCompany: 'create', key: byEmail, resolution: { kind: 'none' } }),
    ).toEqual({
      kind: 'refuse',
      reason: 'not added: no person has the e-mail address a@x.io (persons are never created)',
    });
  });

  it('creates an unknown company with its name; an empty name refuses', () => {
    const create = {
      ...base,
      onUnknownCompany: 'create',
      key: byDomain,
      resolution: { kind: 'none' },
    } as const;
    expect(decideUnmatched({ ...create, name: '  Nimbus  ' })).toEqual({
      kind: 'create-company',
      domain: 'nimbus.io',
      name: 'Nimbus',
    });
    expect(decideUnmatched({ ...create, name: null })).toEqual({
      kind: 'refuse',
      reason:
        'not created: no company has the domain nimbus.io, and the companyName column gives no name (it is empty)',
    });
    expect(decideUnmatched({ ...create, name: ['x'] }).kind).toBe('refuse');
  });
});

describe('CreateBudget', () => {
  it('grants each key once up to the max; asking again is free; refusals are counted', () => {
    const budget = new CreateBudget(2);
    expect(budget.take('entity:1')).toBe('granted');
    expect(budget.take('entity:1')).toBe('again');
    expect(budget.take('domain:a.io')).toBe('granted');
    expect(budget.take('entity:2')).toBe('exhausted');
    expect(budget.take('entity:3')).toBe('exhausted');
    expect(budget.take('domain:a.io')).toBe('again');
    expect([budget.used, budget.refused]).toEqual([2, 2]);
    expect(() => new CreateBudget(-1)).toThrow(RangeError);
  });
});

describe('the check-before-retry machine', () => {
  const run = (events: CreateEvent[], maxAttempts = 3): CreateState => {
    let state = firstCreateState;
    for (const event of events) state = nextCreateState(state, event, maxAttempts);
    return state;
  };

  it('created → done; refused → failed, nothing there', () => {
    expect(run([{ kind: 'created', id: 7 }])).toEqual({ step: 'done', id: 7, via: 'response', attempts: 1 });
    expect(run([{ kind: 'refused', reason: '404' }])).toEqual({
      step: 'failed',
      reason: '404',
      unknown: false,
      attempts: 1,
    });
  });

  it('lost → check: found is done (no second create); absent creates again', () => {
    expect(run([{ kind: 'lost', reason: 'timeout' }])).toEqual({
      step: 'check',
      attempt: 1,
      lost: 'timeout',
    });
    expect(
      run([
        { kind: 'lost', reason: 'timeout' },
        { kind: 'found', id: 8 },
      ]),
    ).toEqual({
      step: 'done',
      id: 8,
      via: 'check',
      attempts: 1,
    });
    expect(run([{ kind: 'lost', reason: '503' }, { kind: 'absent' }])).toEqual({
      step: 'create',
      attempt: 2,
    });
  });

  it('gives up after maxAttempts lost answers with nothing there; a failed check never creates again', () => {
    const lost = { kind: 'lost', reason: '503' } as const;
    const absent = { kind: 'absent' } as const;
    expect(run([lost, absent, lost, absent], 2)).toEqual({
      step: 'failed',
      reason:
        'not created: 2 attempts lost their answer and none took effect (last: 503); the next run tries again',
      unknown: false,
      attempts: 2,
    });
    const unsure = run([lost, { kind: 'check-failed', reason: 'GET: 500' }]);
    expect(unsure).toMatchObject({ step: 'failed', unknown: true, attempts: 1 });
    expect((unsure as { reason: string }).reason).toContain('not created again, to avoid a duplicate');
  });

  it('refuses events that do not fit the step', () => {
    expect(() => run([{ kind: 'found', id: 1 }])).toThrow(/not found/);
    expect(() =>
      run([
        { kind: 'lost', reason: 'x' },
        { kind: 'created', id: 1 },
      ]),
    ).toThrow(/not created/);
    expect(() =>
      run([
        { kind: 'created', id: 1 },
        { kind: 'created', id: 2 },
      ]),
    ).toThrow(/already done/);
  });
});

describe('createWithCheck (the machine over two functions)', () => {
  const lost = () =>
    new AffinityApiError({ method: 'POST', path: '/organizations', status: 503, retryable: true });
  const noAnswer = () =>
    new AffinityApiError({ method: 'POST', path: '/organizations', status: 0, detail: 'no response' });

  it('a lost answer whose create happened is found, not created twice', async () => {
    let creates = 0;
    const outcome = await createWithCheck(
      {
        create: async () => {
          creates += 1;
          throw lost();
        },
        check: async () => 41,
      },
      { checkDelayMs: 0 },
    );
    expect(outcome).toEqual({ ok: true, id: 41, via: 'check', attempts: 1 });
    expect(creates).toBe(1);
  });

  it('a lost answer with nothing there creates again; a 2xx that does not parse counts as lost', async () => {
    const answers: Array<() => number> = [
      () => {
        throw noAnswer();
      },
      () => {
        throw new AffinityApiError({ method: 'POST', path: '/x', status: 200, detail: 'bad shape' });
      },
      () => 9,
    ];
    const checks: Array<number | null> = [null, null];
    const outcome = await createWithCheck(
      { create: async () => answers.shift()!(), check: async () => checks.shift() ?? null },
      { checkDelayMs: 0 },
    );
    expect(outcome).toEqual({ ok: true, id: 9, via: 'response', attempts: 3 });
  });

  it('4xx and 429 are refusals; 401 and quota stop the run (thrown)', async () => {
    const refuse = (status: number) =>
      createWithCheck(
        {
          create: async () => {
            throw new AffinityApiError({ method: 'POST', path: '/x', status });
          },
          check: async () => null,
        },
        { checkDelayMs: 0 },
      );
    expect(await refuse(404)).toMatchObject({ ok: false, unknown: false, attempts: 1 });
    expect(await refuse(429)).toMatchObject({ ok: false, unknown: false, attempts: 1 });
    await expect(refuse(401)).rejects.toBeInstanceOf(AffinityApiError);
    await expect(
      createWithCheck({
        create: async () => Promise.reject(new QuotaExhaustedError(10, 100, new Date(0))),
        check: async () => null,
      }),
    ).rejects.toBeInstanceOf(QuotaExhaustedError);
  });

  it('a check that cannot tell (several records) leaves it too', async () => {
    const outcome = await createWithCheck(
      {
        create: async () => {
          throw lost();
        },
        check: async () => ({ unsure: '2 companies have the domain nimbus.io (4, 8)' }),
      },
      { checkDelayMs: 0 },
    );
    expect(outcome).toMatchObject({ ok: false, unknown: true });
    expect((outcome as { reason: string }).reason).toContain('2 companies have the domain nimbus.io (4, 8)');
  });

  it('a check that fails leaves it: unknown, not created again', async () => {
    let creates = 0;
    const outcome = await createWithCheck(
      {
        create: async () => {
          creates += 1;
          throw lost();
        },
        check: async () => {
          throw new AffinityApiError({ method: 'GET', path: '/organizations/1', status: 500 });
        },
      },
      { checkDelayMs: 0 },
    );
    expect(outcome).toMatchObject({ ok: false, unknown: true, attempts: 1 });
    expect(creates).toBe(1);
  });
});

describe('OptionCreations and options: create in convertValue', () => {
  const stage: FieldTarget = {
    fieldId: 'field-2',
    fieldName: 'Stage',
    valueType: 'dropdown',
    dropdownOptions: [{ id: 11, text: 'Seed' }],
  };

  it('one provisional id per new text (trimmed, case-insensitive), known texts and ids as before', () => {
    const creations = new OptionCreations();
    const target: FieldTarget = { ...stage, newOption: (text) => creations.provisional(stage.fieldId, text) };
    expect(convertValue('seed', target)).toEqual({
      ok: true,
      value: { type: 'dropdown', data: { dropdownOptionId: 11 } },
    });
    expect(convertValue(' Series C ', target)).toEqual({
      ok: true,
      value: { type: 'dropdown', data: { dropdownOptionId: -1 } },
    });
    expect(convertValue('SERIES C', target)).toEqual({
      ok: true,
      value: { type: 'dropdown', data: { dropdownOptionId: -1 } },
    });
    expect(convertValue('11', target)).toEqual({
      ok: true,
      value: { type: 'dropdown', data: { dropdownOptionId: 11 } },
    });
    expect(convertValue('12', target)).toEqual({ ok: false, reason: '"12" is not an option id of "Stage"' });
    expect(convertValue('x'.repeat(256), target)).toEqual({
      ok: false,
      reason: 'an option text has at most 255 characters; this one has 256',
    });
    const multi: FieldTarget = { ...target, valueType: 'dropdown-multi' };
    expect(convertValue('Seed, Growth, series c', multi)).toEqual({
      ok: true,
      value: {
        type: 'dropdown-multi',
        data: [{ dropdownOptionId: 11 }, { dropdownOptionId: -2 }, { dropdownOptionId: -1 }],
      },
    });
    expect(creations.wanted()).toEqual([
      { fieldId: 'field-2', text: 'Series C', provisionalId: -1 },
      { fieldId: 'field-2', text: 'Growth', provisionalId: -2 },
    ]);
    // Without the hook, the text is rejected as before.
    expect(convertValue('Series C', stage).ok).toBe(false);
  });

  it('realize swaps in the real ids, or says which option was not made', () => {
    const creations = new OptionCreations();
    const a = creations.provisional('field-2', 'A');
    const b = creations.provisional('field-2', 'B');
    creations.settle(a as number, { id: 501 });
    creations.settle(b as number, { reason: 'maxCreates (1) reached' });
    expect(creations.realize({ type: 'dropdown', data: { dropdownOptionId: a as number } })).toEqual({
      ok: true,
      update: { type: 'dropdown', data: { dropdownOptionId: 501 } },
    });
    expect(
      creations.realize({
        type: 'dropdown-multi',
        data: [{ dropdownOptionId: 11 }, { dropdownOptionId: b as number }],
      }),
    ).toEqual({
      ok: false,
      reason: 'option "B" was not created: maxCreates (1) reached',
    });
    expect(creations.realize({ type: 'number', data: 3 })).toEqual({
      ok: true,
      update: { type: 'number', data: 3 },
    });
    expect(creations.textOf(a as number)).toBe('A');
  });
});
