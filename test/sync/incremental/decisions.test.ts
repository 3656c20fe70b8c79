import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FieldValueChange } from '../../../src/affinity/change-schemas.js';
import type { FieldValueUpdate } from '../../../src/affinity/field-value.js';
import {
  FeedFold,
  feedFilter,
  flaggedEntries,
  overlapMs,
  reconcileWatermark,
} from '../../../src/sync/incremental/feed-window.js';
import { untrackedOf } from '../../../src/sync/incremental/field-tracking.js';
import { fieldsHash } from '../../../src/sync/incremental/fields-hash.js';
import type { EntryState, IncrementalMeta } from '../../../src/sync/incremental/incremental-state.js';
import { chooseReadPlan } from '../../../src/sync/incremental/read-plan.js';
import { chooseRunKind, type RunKindInput } from '../../../src/sync/incremental/run-kind.js';
import {
  statesAfterWrite,
  statesBeforeWrite,
  touchedEntries,
} from '../../../src/sync/incremental/state-after-write.js';
import { writtenValue } from '../../../src/sync/incremental/written-value.js';
import { sameValue } from '../../../src/sync/same-value.js';
import { readBack } from '../read-back.js';

const day = 86_400_000;
const now = Date.parse('2026-06-10T12:00:00Z');
const meta: IncrementalMeta = {
  version: 1,
  listId: 7,
  fieldsHash: 'h1',
  reconciledAt: new Date(now - 2 * day).toISOString(),
  watermark: { changedAt: '2026-06-09T00:00:00Z', seen: [] },
  tracked: ['field-1', 'field-2'],
  userId: 42,
};
const base: RunKindInput = {
  sync: 'incremental',
  full: false,
  mode: 'diff',
  durable: true,
  meta,
  now,
  reconcileEveryMs: 7 * day,
  listId: 7,
  fieldsHash: 'h1',
  fieldIds: ['field-1', 'field-2'],
  untracked: [],
  userId: 42,
};

describe('chooseRunKind', () => {
  it('is incremental when the state matches, every field is tracked and the reconcile is recent', () => {
    expect(chooseRunKind(base)).toEqual({ kind: 'incremental' });
  });

  it.each<[string, Partial<RunKindInput>, string]>([
    ['sync live', { sync: 'live' }, 'live:mapping-live'],
    ['no durable store', { durable: false }, 'live:no-durable-state'],
    ['--full', { full: true }, 'reconcile:full-requested'],
    ['overwrite mode', { mode: 'overwrite' }, 'reconcile:overwrite-mode'],
    ['no state', { meta: undefined }, 'reconcile:first-run'],
    ['another list', { listId: 8 }, 'reconcile:list-changed'],
    ['other fields', { fieldsHash: 'h2' }, 'reconcile:fields-changed'],
    ['a field untracked now', { untracked: ['field-2'] }, 'reconcile:untracked-fields'],
    [
      'a field untracked when the state was built',
      { fieldIds: ['field-1', 'field-3'] },
      'reconcile:tracking-was-off',
    ],
    ['another user', { userId: 43 }, 'reconcile:user-changed'],
    ['reconcile exactly reconcileEvery ago', { now: now + 5 * day }, 'reconcile:state-expired'],
    ['reconcile long ago', { reconcileEveryMs: day }, 'reconcile:state-expired'],
  ])('%s', (_name, change, expected) => {
    const kind = chooseRunKind({ ...base, ...change });
    expect(kind.kind === 'incremental' ? 'incremental' : `${kind.kind}:${kind.reason}`).toBe(expected);
  });

  it('names the untracked fields', () => {
    expect(chooseRunKind({ ...base, untracked: ['field-2'] })).toMatchObject({
      detail: 'change tracking is off for field-2; the feed cannot show edits to them',
    });
  });
});

describe('chooseReadPlan', () => {
  it.each([
    [{ toRead: 0, entries: 10_000 }, 'reread', 0, 100],
    [{ toRead: 100, entries: 10_000 }, 'reread', 100, 100],
    [{ toRead: 101, entries: 10_000 }, 'scan', 101, 100],
    [{ toRead: 3, entries: 150 }, 'scan', 3, 2],
    [{ toRead: 5_000, batchedEntities: 5_000, entries: 10_000 }, 'reread', 50, 100],
    [{ toRead: 0, entries: 0 }, 'reread', 0, 1],
  ])('%j → %s', (input, strategy, rereadCalls, scanCalls) => {
    expect(chooseReadPlan(input)).toEqual({ strategy, rereadCalls, scanCalls });
  });
});

function change(
  id: number,
  at: string,
  changer: number | null,
  more: Partial<FieldValueChange> = {},
): FieldValueChange {
  return {
    id,
    changedAt: at,
    changer: changer === null ? null : { id: changer },
    field: { id: 'field-1', type: 'list' },
    entity: { id: 500 + id },
    listEntry: { id: 100 + id, listId: 7 },
    ...more,
  };
}

describe('the feed window', () => {
  it('asks for the mapped fields since the watermark less the overlap, to the second', () => {
    const watermark = { changedAt: '2026-06-09T00:07:30.250Z', seen: [] };
    expect(feedFilter(['field-1'], watermark)).toBe('field.id=field-1 & changedAt>=2026-06-09T00:02:30Z');
    expect(feedFilter(['field-1', 'odd id"x'], watermark)).toBe(
      '(field.id=field-1 | field.id="odd id\\"x") & changedAt>=2026-06-09T00:02:30Z',
    );
  });

  it('a reconcile puts the watermark ten minutes before its scan', () => {
    expect(reconcileWatermark(Date.parse('2026-06-09T01:00:00Z'))).toEqual({
      changedAt: '2026-06-09T00:50:00.000Z',
      seen: [],
    });
  });

  it('skips own and already seen changes, moves to the latest changedAt and keeps the ids near it', () => {
    const fold = new FeedFold(
      { changedAt: '2026-06-09T00:00:00Z', seen: [[1, Date.parse('2026-06-08T23:58:00Z')]] },
      42,
    );
    fold.add([change(1, '2026-06-08T23:58:00Z', 9), change(2, '2026-06-09T00:01:00Z', 42)]);
    fold.add([change(3, '2026-06-09T01:00:00Z', 9), change(4, '2026-06-09T00:30:00Z', null)]);
    expect(fold).toMatchObject({ own: 1, alreadySeen: 1, pages: 2 });
    expect(fold.foreign.map((c) => c.listEntryId)).toEqual([103, 104]);
    const next = fold.next();
    expect(next.changedAt).toBe('2026-06-09T01:00:00.000Z');
    // Only ids within the overlap of the new watermark are kept.
    expect(next.seen).toEqual([[3, Date.parse('2026-06-09T01:00:00Z')]]);
    expect(Date.parse(next.changedAt) - overlapMs).toBeGreaterThan(Date.parse('2026-06-09T00:30:00Z'));
  });

  it('a feed with nothing new leaves the watermark where it was', () => {
    const fold = new FeedFold({ changedAt: '2026-06-09T00:00:00.000Z', seen: [] }, 42);
    fold.add([]);
    expect(fold.next()).toEqual({ changedAt: '2026-06-09T00:00:00.000Z', seen: [] });
  });

  it('flags the entry of a list field, every entry of the company for a global field, and unknown entries apart', () => {
    const fold = new FeedFold({ changedAt: '2026-06-09T00:00:00Z', seen: [] }, 42);
    fold.add([
      change(1, '2026-06-09T01:00:00Z', 9),
      change(2, '2026-06-09T01:00:00Z', 9, { field: { id: 'field-9', type: 'global' }, entity: { id: 77 } }),
      change(3, '2026-06-09T01:00:00Z', 9, { listEntry: { id: 999, listId: 7 } }),
      change(4, '2026-06-09T01:00:00Z', 9, { listEntry: null, entity: { id: 78 } }),
      change(5, '2026-06-09T01:00:00Z', 9, {
        field: { id: 'field-9' },
        listEntry: { id: 555, listId: 8 },
        entity: { id: 79 },
      }),
    ]);
    const entities: Record<number, number[]> = { 77: [102, 120], 78: [130], 79: [140] };
    const flagged = flaggedEntries(fold.foreign, {
      listId: 7,
      listFieldIds: new Set(['field-1']),
      known: (id) => id !== 999,
      entriesOfEntity: (id) => entities[id] ?? [],
    });
    expect([...flagged.known].sort()).toEqual([101, 102, 120, 130, 140]);
    expect([...flagged.unknown]).toEqual([999]);
  });
});

describe('state around a write', () => {
  const known = (values: EntryState['values']): EntryState => ({
    type: 'company',
    entityId: 1,
    domain: null,
    domains: [],
    values,
  });
  const current = new Map<number, EntryState>([
    [10, known({ 'field-1': { type: 'number', data: 1 } })],
    [11, known({ 'field-1': { type: 'number', data: 2 } })],
    [12, known(null)],
  ]);
  const context = {
    isListField: (id: string) => id === 'field-1',
    entityOf: () => 1,
    entriesOfEntity: () => [10, 11, 12],
  };
  const listUpdate = [{ id: 'field-1', value: { type: 'number' as const, data: 5 } }];
  const globalUpdate = [{ id: 'field-9', value: { type: 'text' as const, data: 'EMEA' } }];

  it('a list field touches its entry; a global field every entry of the company', () => {
    expect(touchedEntries(10, listUpdate, context)).toEqual([10]);
    expect(touchedEntries(10, globalUpdate, context)).toEqual([10, 11, 12]);
  });

  it('before the write the touched entries are unknown; after success they hold what was written', () => {
    expect(statesBeforeWrite([10], current)).toEqual([[10, known(null)]]);
    expect(
      statesAfterWrite('written', 10, [10], listUpdate, { current, isListField: context.isListField }),
    ).toEqual([[10, known({ 'field-1': { type: 'number', data: 5 } })]]);
  });

  it('a global field written through one entry is known on its siblings; a sibling unknown before stays unknown', () => {
    const after = statesAfterWrite('written', 10, [10, 11, 12], globalUpdate, {
      current,
      isListField: context.isListField,
    });
    expect(after).toEqual([
      [10, known({ 'field-1': { type: 'number', data: 1 }, 'field-9': { type: 'text', data: 'EMEA' } })],
      [11, known({ 'field-1': { type: 'number', data: 2 }, 'field-9': { type: 'text', data: 'EMEA' } })],
      [12, known(null)],
    ]);
  });

  it('after a failure the touched entries stay unknown', () => {
    expect(
      statesAfterWrite('failed', 10, [10, 11], listUpdate, { current, isListField: context.isListField }),
    ).toEqual([
      [10, known(null)],
      [11, known(null)],
    ]);
  });
});

describe('fieldsHash and tracking', () => {
  it('depends on the list and the fields with their types, not on their order', () => {
    const a = fieldsHash(7, [
      { fieldId: 'field-1', valueType: 'number' },
      { fieldId: 'field-2', valueType: 'text' },
    ]);
    expect(
      fieldsHash(7, [
        { fieldId: 'field-2', valueType: 'text' },
        { fieldId: 'field-1', valueType: 'number' },
      ]),
    ).toBe(a);
    expect(
      fieldsHash(8, [
        { fieldId: 'field-1', valueType: 'number' },
        { fieldId: 'field-2', valueType: 'text' },
      ]),
    ).not.toBe(a);
    expect(
      fieldsHash(7, [
        { fieldId: 'field-1', valueType: 'text' },
        { fieldId: 'field-2', valueType: 'text' },
      ]),
    ).not.toBe(a);
  });

  it('a field v1 does not report as tracked counts as untracked', () => {
    const fields = [
      { fieldId: 'field-1', kind: 'list' as const },
      { fieldId: 'field-2', kind: 'list' as const },
      { fieldId: 'field-3', kind: 'global' as const },
      { fieldId: 'affinity-data-location', kind: 'global' as const },
    ];
    const v1 = [{ id: 1, track_changes: true }, { id: 2, track_changes: false }, { id: 3 }];
    expect(untrackedOf(fields, v1)).toEqual(['field-2', 'field-3', 'affinity-data-location']);
  });
});

// --- writtenValue: the state's record of a write compares like the value Affinity returns -----------

const option = fc.integer({ min: 1, max: 4 }).map((id) => ({ dropdownOptionId: id }));
const entity = fc.integer({ min: 1, max: 4 }).map((id) => ({ id }));
const location = fc.record({
  streetAddress: fc.constantFrom(null, '1 Main St'),
  city: fc.constantFrom(null, 'Austin', 'Oslo'),
  state: fc.constant(null),
  country: fc.constantFrom(null, 'Norway'),
  continent: fc.constant(null),
});
const nullable = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: null });
const dayText = fc
  .date({ min: new Date('1990-01-01T00:00:00Z'), max: new Date('2040-12-31T00:00:00Z'), noInvalidDate: true })
  .map((d) => `${d.toISOString().slice(0, 10)}T00:00:00Z`);
const updatePairs: fc.Arbitrary<[FieldValueUpdate, FieldValueUpdate]> = fc.oneof(
  ...(
    [
      ['text', nullable(fc.constantFrom('', 'a', 'b'))],
      ['number', nullable(fc.integer({ min: -2, max: 2 }))],
      ['number-multi', nullable(fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 3 }))],
      ['datetime', nullable(dayText)],
      ['dropdown', nullable(option)],
      ['ranked-dropdown', nullable(option)],
      ['dropdown-multi', nullable(fc.array(option, { maxLength: 3 }))],
      ['location', nullable(location)],
      ['location-multi', nullable(fc.array(location, { maxLength: 2 }))],
      ['person', nullable(entity)],
      ['company-multi', nullable(fc.array(entity, { maxLength: 3 }))],
      ['filterable-text-multi', nullable(fc.array(fc.constantFrom('x', 'y'), { maxLength: 3 }))],
    ] as Array<[FieldValueUpdate['type'], fc.Arbitrary<unknown>]>
  ).map(([type, data]) =>
    fc.tuple(data, data).map(
      ([a, b]) =>
        [
          { type, data: a },
          { type, data: b },
        ] as [FieldValueUpdate, FieldValueUpdate],
    ),
  ),
);

describe('writtenValue', () => {
  it('compares with any next value exactly as the value Affinity returns after the write', () => {
    fc.assert(
      fc.property(updatePairs, ([written, next]) => {
        expect(sameValue(writtenValue(written), next)).toBe(sameValue(readBack(written), next));
        expect(sameValue(writtenValue(written), written)).toBe(true);
      }),
      { numRuns: 3_000 },
    );
  });
});
