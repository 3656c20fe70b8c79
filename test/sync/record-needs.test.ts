import { describe, expect, it } from 'vitest';
import type { LookupResult } from '../../src/sync/entity-lookup.js';
import type { MatchRule } from '../../src/sync/match-row.js';
import { addRowNeeds, hasNeeds, noNeeds, type RecordKnowledge } from '../../src/sync/record-needs.js';

// What a target run asks before matching: reads and lookups, walking each row's rules in order.

const byId: MatchRule = { column: 'id', by: 'entityId' };
const byDomain: MatchRule = { column: 'web', by: 'domain' };
const byEmail: MatchRule = { column: 'mail', by: 'email' };

function needsOf(
  rows: Record<string, unknown>[],
  rules: MatchRule[],
  known: Partial<RecordKnowledge> = {},
  entity: 'company' | 'person' = 'company',
) {
  const needs = noNeeds();
  const full: RecordKnowledge = { read: known.read ?? new Map(), lookups: known.lookups ?? new Map() };
  for (const row of rows) addRowNeeds(needs, row as never, rules, entity, full);
  return {
    reads: [...needs.reads],
    lookups: [...needs.lookups],
    relookups: [...needs.relookups],
    any: hasNeeds(needs),
  };
}

const found = (id: number, cached = false): LookupResult => ({ kind: 'found', id, cached });

describe('record needs', () => {
  it('reads ids and looks up domains a row reaches before any rule is known to hit', () => {
    expect(
      needsOf(
        [
          { id: 5, web: 'acme.com' },
          { id: null, web: 'HTTPS://Globex.com/x' },
          { id: 'x', web: null },
        ],
        [byId, byDomain],
      ),
    ).toEqual({
      reads: [5],
      lookups: ['globex.com'],
      relookups: [],
      any: true,
    });
  });

  it('stops at a rule whose record exists; goes on past one that does not', () => {
    const read = new Map([
      [5, true],
      [6, false],
    ]);
    expect(needsOf([{ id: 5, web: 'acme.com' }], [byId, byDomain], { read }).any).toBe(false);
    expect(needsOf([{ id: 6, web: 'acme.com' }], [byId, byDomain], { read }).lookups).toEqual(['acme.com']);
  });

  it('reads a looked-up id, searches again when a cached id is gone, and moves on when a fresh one is', () => {
    const lookups = new Map<string, LookupResult>([
      ['acme.com', found(7)],
      ['old.com', found(8, true)],
      ['new.com', found(9, false)],
    ]);
    const read = new Map([
      [8, false],
      [9, false],
    ]);
    expect(
      needsOf([{ web: 'acme.com' }, { web: 'old.com' }, { web: 'new.com', id: 3 }], [byDomain, byId], {
        lookups,
        read,
      }),
    ).toEqual({
      reads: [7, 3],
      lookups: [],
      relookups: ['old.com'],
      any: true,
    });
  });

  it('reads every candidate of an ambiguous key once, then lets the next rule try; misses and failures move on', () => {
    const lookups = new Map<string, LookupResult>([
      ['twins.io', { kind: 'ambiguous', ids: [1, 2] }],
      ['none.io', { kind: 'missing' }],
      ['err.io', { kind: 'failed', reason: 'boom' }],
    ]);
    expect(needsOf([{ web: 'twins.io', id: 4 }], [byDomain, byId], { lookups }).reads).toEqual([1, 2]);
    const read = new Map([
      [1, true],
      [2, true],
    ]);
    expect(needsOf([{ web: 'twins.io', id: 4 }], [byDomain, byId], { lookups, read }).reads).toEqual([4]);
    expect(needsOf([{ web: 'none.io' }, { web: 'err.io' }], [byDomain], { lookups }).any).toBe(false);
  });

  it('persons are looked up by e-mail; a domain rule or a non-address asks nothing', () => {
    expect(
      needsOf([{ mail: ' Jane@Acme.com ', web: 'acme.com' }], [byDomain, byEmail], {}, 'person').lookups,
    ).toEqual(['jane@acme.com']);
    expect(needsOf([{ mail: 'not an address' }], [byEmail], {}, 'person').any).toBe(false);
  });
});
