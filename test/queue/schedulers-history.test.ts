import { afterAll, describe, expect, it } from 'vitest';
import { type Mapping, mappingSchema } from '../../src/mappings/mapping-schema.js';
import { failureReport } from '../../src/queue/failure-report.js';
import { formatRun, formatStatus } from '../../src/queue/format-status.js';
import { HistoryStore, historyChangeSample, sampleChanges } from '../../src/queue/history-store.js';
import { readStatus } from '../../src/queue/read-status.js';
import { openRedis } from '../../src/queue/redis-connection.js';
import { openSyncQueue, scheduledSyncJobName } from '../../src/queue/sync-queue.js';
import { syncSchedulers } from '../../src/queue/sync-schedulers.js';
import { redisUrl, uniqueName } from '../support/services.js';

const prefix = uniqueName('sched');
const connection = openRedis(redisUrl());
const queue = openSyncQueue({ QUEUE_PREFIX: prefix }, connection);

function mapping(name: string, schedule?: { cron: string; timezone?: string }): Mapping {
  return mappingSchema.parse({
    name,
    ...(schedule ? { schedule } : {}),
    source: { type: 'duckdb', query: 'select 1 as id' },
    list: 1,
    match: [{ column: 'id', by: 'entityId' }],
    fields: { id: 'Id' },
  });
}

afterAll(async () => {
  await queue.obliterate({ force: true });
  await queue.close();
  const keys = await connection.keys(`${prefix}:*`);
  if (keys.length > 0) await connection.del(...keys);
  connection.disconnect();
});

describe('syncSchedulers', () => {
  it('registers one scheduler per scheduled mapping and removes those of mappings gone or unscheduled', async () => {
    const first = await syncSchedulers(queue, [
      mapping('nightly', { cron: '0 2 * * *', timezone: 'America/New_York' }),
      mapping('hourly', { cron: '0 * * * *' }),
      mapping('manual'),
    ]);
    expect(first).toEqual({ registered: ['nightly', 'hourly'], removed: [] });
    const nightly = await queue.getJobScheduler('nightly');
    expect(nightly).toMatchObject({
      pattern: '0 2 * * *',
      tz: 'America/New_York',
      name: scheduledSyncJobName,
    });
    expect(nightly?.template?.data).toEqual({ mapping: 'nightly' });
    expect(nightly?.next).toBeGreaterThan(Date.now());

    // "hourly" lost its schedule, "nightly" changed its cron, "gone" never existed here.
    const second = await syncSchedulers(queue, [
      mapping('nightly', { cron: '30 3 * * *' }),
      mapping('hourly'),
    ]);
    expect(second).toEqual({ registered: ['nightly'], removed: ['hourly'] });
    const schedulers = await queue.getJobSchedulers(0, -1);
    expect(schedulers.map((s) => [s.id ?? s.key, s.pattern, s.tz])).toEqual([
      ['nightly', '30 3 * * *', 'UTC'],
    ]);
  });
});

describe('HistoryStore', () => {
  it('keeps the newest runs per mapping, up to the retention', async () => {
    const history = new HistoryStore(connection, prefix, 3);
    for (let i = 1; i <= 5; i++) {
      const report = failureReport({
        mapping: 'kept',
        runId: `r${i}`,
        mode: 'diff',
        startedAt: Date.now(),
        error: `e${i}`,
      });
      await history.record({ jobId: `kept.${i}`, trigger: 'backfill', attempt: 1, attempts: 3, report });
    }
    const runs = await history.recent('kept');
    expect(runs.map((r) => r.report.runId)).toEqual(['r5', 'r4', 'r3']);
    expect(await history.recent('kept', 1)).toHaveLength(1);
    expect(await history.mappings()).toContain('kept');
  });

  it('keeps the first 50 changes of a report, counting the rest; the counts and problems stay whole', async () => {
    const history = new HistoryStore(connection, prefix, 3);
    const base = failureReport({
      mapping: 'sampled',
      runId: 's1',
      mode: 'diff',
      startedAt: Date.now(),
      error: '',
    });
    const changes = Array.from({ length: 1000 }, (_, i) => ({
      entryId: i + 1,
      entityId: 5000 + i,
      fieldId: 'field-101',
      fieldName: 'ARR',
      before: i,
      after: i + 1,
      sent: i + 1,
    }));
    const problems = Array.from({ length: 300 }, (_, i) => ({
      code: 'unmatched' as const,
      row: i + 1,
      reason: `row ${i + 1} matches no entry`,
    }));
    const report = {
      ...base,
      fields: { written: 1200, unchanged: 0, rejected: 0 },
      changes,
      changesOmitted: 200,
      problems,
    };
    await history.record({ jobId: 'sampled.1', trigger: 'backfill', attempt: 1, attempts: 1, report });
    const [kept] = await history.recent('sampled');
    expect(kept?.report.changes).toEqual(changes.slice(0, historyChangeSample));
    expect(historyChangeSample).toBe(50);
    expect(kept?.report.changesOmitted).toBe(1150);
    expect(kept?.report.fields.written).toBe(1200);
    expect(kept?.report.problems).toEqual(problems);
    // The stored report is a fraction of the whole one.
    const stored = await connection.lindex(`${prefix}:history:sampled`, 0);
    expect(stored!.length).toBeLessThan(JSON.stringify(report).length / 2);
    // Fewer changes than the sample: the report as it is.
    expect(sampleChanges({ ...report, changes: changes.slice(0, 3), changesOmitted: 0 })).toEqual({
      ...report,
      changes: changes.slice(0, 3),
      changesOmitted: 0,
    });
  });

  it('status shows the schedule, the next time and the runs with their reason', async () => {
    const history = new HistoryStore(connection, prefix, 10);
    const report = failureReport({
      mapping: 'nightly',
      runId: 'nightly.x.1',
      mode: 'diff',
      startedAt: Date.parse('2026-01-02T03:04:05Z'),
      error: 'Affinity answered 401: the API key is not valid',
    });
    await history.record({ jobId: 'nightly.x', trigger: 'schedule', attempt: 3, attempts: 3, report });
    const [status] = await readStatus(queue, history, { names: ['nightly'], limit: 5 });
    expect(status?.schedule).toMatchObject({ cron: '30 3 * * *', timezone: 'UTC' });
    expect(Date.parse(status?.schedule?.next ?? '')).toBeGreaterThan(Date.now());
    const text = formatStatus(status ? [status] : []);
    expect(text.split('\n')[0]).toBe(`nightly — schedule "30 3 * * *" UTC, next ${status?.schedule?.next}`);
    expect(formatRun(status!.runs[0]!)).toMatch(
      /^2026-01-02T03:04:05.000Z {2}failed {7}\d+\.\ds {2}rows 0 read\/0 matched\/0 unmatched {2}entries 0 updated\/0 unchanged\/0 failed {2}fields 0 written {2}calls 0 \(0 read, 0 write, 0 rate-limited\) {2}schedule, job nightly.x, attempt 3\/3\n {4}error: Affinity answered 401: the API key is not valid$/,
    );
    expect(formatStatus([])).toBe('No mappings scheduled and no runs recorded yet.');
  });
});
