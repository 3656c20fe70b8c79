import { describe, expect, it } from 'vitest';
import { AffinityApiError } from '../../src/affinity/affinity-api-error.js';
import type { AffinityClient } from '../../src/affinity/client.js';
import type { FieldUpdate } from '../../src/affinity/field-value.js';
import { PassThroughLimiter } from '../../src/affinity/pass-through-limiter.js';
import { silentLogger } from '../../src/log/logger.js';
import type { Mapping } from '../../src/mappings/mapping-schema.js';
import { EntryIndex } from '../../src/sync/entry-index.js';
import type { EntryChanges } from '../../src/sync/phases/plan-rows.js';
import { startRun } from '../../src/sync/phases/run-context.js';
import { writeChanges } from '../../src/sync/phases/write-changes.js';
import type { MappedField } from '../../src/sync/plan-row.js';
import type { Target } from '../../src/sync/target.js';
import { isTransientFailure } from '../../src/sync/transient-failure.js';
import { companyEntry } from './entry-fixtures.js';

// The write phase's second chance: entries that failed transiently are written once more after a pause.

const field: MappedField = {
  field: { column: 'arr', fieldId: 'field-1', fieldName: 'ARR', valueType: 'number', onNull: 'skip' },
  target: { fieldId: 'field-1', fieldName: 'ARR', valueType: 'number' },
};

function changesFor(entryIds: number[], fieldsEach = 1): EntryChanges[] {
  const index = new EntryIndex();
  for (const id of entryIds) index.add(companyEntry(id, id, null));
  return entryIds.map((id, i) => ({
    entry: index.byListEntryId(id)!,
    row: i + 1,
    key: `company_id=${id}`,
    changed: Array.from({ length: fieldsEach }, (_, f) => ({
      update: { id: `field-${f + 1}`, value: { type: 'number' as const, data: id } },
      field: { ...field.field, fieldId: `field-${f + 1}`, fieldName: `F${f + 1}` },
    })),
    unchanged: 0,
  }));
}

const failure = (status: number) =>
  new AffinityApiError({
    method: 'PATCH',
    path: '/v2/lists/1/list-entries/1/fields',
    status,
    retryable: status >= 500,
  });

/** A target whose `fail(recordId, attempt)` decides each write (attempt counts per record, from 1). */
function scriptedTarget(
  fail: (recordId: number, attempt: number, sinceStart: number) => AffinityApiError | undefined,
) {
  const started = Date.now();
  const attempts = new Map<number, number>();
  const written: Array<{ recordId: number; updates: FieldUpdate[]; at: number }> = [];
  const target: Target = {
    describeFields: () => Promise.resolve({ ok: true, fields: [] }),
    dropdownOptions: () => Promise.resolve([]),
    readCurrent: async function* () {},
    writeRecord: (recordId, updates) => {
      const attempt = (attempts.get(recordId) ?? 0) + 1;
      attempts.set(recordId, attempt);
      const error = fail(recordId, attempt, Date.now() - started);
      if (error) return Promise.reject(error);
      written.push({ recordId, updates, at: Date.now() - started });
      return Promise.resolve();
    },
  };
  return { target, written, attempts };
}

function run(delayMs: number, signal?: AbortSignal) {
  const client = { calls: { total: 0, read: 0, write: 0, retried: 0, rateLimited: 0 } };
  const mapping = { name: 'retry', list: 1, mode: 'diff', match: [] } as unknown as Mapping;
  return startRun(
    {
      client: client as unknown as AffinityClient, // only `calls` is read by the run context
      limiter: new PassThroughLimiter(),
      openSource: () => {
        throw new Error('the write phase never opens a source');
      },
      logger: silentLogger,
    },
    { mapping, concurrency: 2, transientRetryDelayMs: delayMs, ...(signal ? { signal } : {}) },
  );
}

describe('transient failures get another chance', () => {
  it('tells 5xx, network errors and timeouts from 400/404/422', () => {
    for (const status of [0, 500, 502, 503, 429]) expect(isTransientFailure(failure(status))).toBe(true);
    for (const status of [400, 404, 422]) expect(isTransientFailure(failure(status))).toBe(false);
    expect(isTransientFailure(new Error('boom'))).toBe(false);
  });

  it('writes the transiently failed entries after the pause, each counted once', async () => {
    // 102 and 104 fail with 503 on their first write; 103 is refused (422) every time.
    const { target, written, attempts } = scriptedTarget((id, attempt) => {
      if (id === 103) return failure(422);
      return (id === 102 || id === 104) && attempt === 1 ? failure(503) : undefined;
    });
    const context = run(300);
    const outcome = await writeChanges(context, target, [field], changesFor([101, 102, 103, 104]));
    expect(outcome).toEqual({ ok: true, value: undefined });
    expect(written.map((w) => w.recordId).sort()).toEqual([101, 102, 104]);
    // The refused entry is not tried again; the retried ones waited for the pause.
    expect(Object.fromEntries(attempts)).toEqual({ 101: 1, 102: 2, 103: 1, 104: 2 });
    const late = written.filter((w) => w.recordId !== 101);
    for (const w of late) expect(w.at).toBeGreaterThanOrEqual(290);
    expect(context.tally.entries).toEqual({ updated: 3, unchanged: 0, failed: 1 });
    expect(context.tally.fields.written).toBe(3);
    expect(context.tally.transient).toEqual({ retried: 2, failed: 0 });
    expect(context.problems.items.map((p) => p.code)).toEqual(['entry-failed']);
    expect(context.changes.items.map((c) => c.entryId).sort()).toEqual([101, 102, 104]);
    expect(context.progress.entriesWritten).toBe(4);
  });

  it('an entry failing transiently again is entry-failed-transient; a retry resumes after the batches that landed', async () => {
    // Entry 201 has 150 fields: its first batch lands, its second fails (503) both times; 202 fails always.
    let calls = 0;
    const { target, written } = scriptedTarget((id) => {
      calls += 1;
      if (id === 202) return failure(503);
      return calls === 1 ? undefined : failure(503);
    });
    const context = run(10);
    const writes = [...changesFor([201], 150), ...changesFor([202])];
    await writeChanges(context, target, [field], writes);
    expect(written.map((w) => w.updates.length)).toEqual([100]);
    expect(context.tally.fields.written).toBe(100);
    expect(context.tally.entries).toEqual({ updated: 0, unchanged: 0, failed: 2 });
    expect(context.tally.transient).toEqual({ retried: 2, failed: 2 });
    const problems = [...context.problems.items].sort((a, b) => (a.entryId ?? 0) - (b.entryId ?? 0));
    expect(problems.map((p) => [p.code, p.entryId])).toEqual([
      ['entry-failed-transient', 201],
      ['entry-failed-transient', 202],
    ]);
    expect(problems[0]?.reason).toMatch(/\(also after a retry at the end of the run\)$/);
    // The changes are the 100 fields that landed, recorded once.
    expect(context.changes.items).toHaveLength(100);
  });

  it('resumes a partly written entry with its remaining batch only', async () => {
    let calls = 0;
    const { target, written } = scriptedTarget(() => (++calls === 2 ? failure(503) : undefined));
    const context = run(10);
    await writeChanges(context, target, [field], changesFor([301], 150));
    expect(written.map((w) => [w.updates.length, w.updates[0]?.id])).toEqual([
      [100, 'field-1'],
      [50, 'field-101'],
    ]);
    expect(context.tally.entries).toEqual({ updated: 1, unchanged: 0, failed: 0 });
    expect(context.tally.fields.written).toBe(150);
    expect(new Set(context.changes.items.map((c) => c.fieldId)).size).toBe(150);
  });

  it('an abort during the pause stops the run without the retry', async () => {
    const controller = new AbortController();
    const { target, attempts } = scriptedTarget((_id, attempt) => {
      if (attempt === 1) setTimeout(() => controller.abort(new Error('shutdown')), 20);
      return failure(503);
    });
    const context = run(60_000, controller.signal);
    const outcome = await writeChanges(context, target, [field], changesFor([401]));
    expect(outcome).toEqual({
      ok: false,
      error: 'mapping "retry": interrupted: requests in flight finished, the rest was not sent',
    });
    expect(Object.fromEntries(attempts)).toEqual({ 401: 1 });
    expect(context.tally.entries.failed).toBe(1);
  });
});
