import { describe, expect, it } from 'vitest';
import type { Change } from '../../src/sync/change-log.js';
import { buildReport } from '../../src/sync/report.js';
import { formatSummary } from '../../src/sync/summary.js';
import { emptyTally } from '../../src/sync/tally.js';

const change = (i: number): Change => ({
  entryId: 100 + i,
  entityId: i,
  entityName: `Company ${i}`,
  fieldId: 'field-1',
  fieldName: 'ARR',
  before: i,
  after: i + 1,
  sent: i + 1,
});

describe('formatSummary', () => {
  it('shows the first 50 changes of a real run, counting those the report omitted', () => {
    const report = {
      ...buildReport({
        mapping: 'm',
        runId: 'r',
        mode: 'diff',
        dryRun: false,
        startedAt: 0,
        finishedAt: 1_000,
        tally: emptyTally(),
      }),
      changes: Array.from({ length: 60 }, (_, i) => change(i)),
      changesOmitted: 10,
    };
    const lines = formatSummary(report).split('\n');
    const at = lines.indexOf('  changes (50 of 70):');
    expect(at).toBeGreaterThan(0);
    expect(lines[at + 1]).toBe('    Company 0 (entry 100) ARR: 0 → 1');
    expect(lines[at + 50]).toBe('    Company 49 (entry 149) ARR: 49 → 50');
    expect(lines[at + 51]).toBeUndefined();
  });

  it('says nothing of changes when there are none', () => {
    const report = buildReport({
      mapping: 'm',
      runId: 'r',
      mode: 'diff',
      dryRun: false,
      startedAt: 0,
      tally: emptyTally(),
    });
    expect(formatSummary(report)).not.toContain('changes');
  });

  it('names the companies (persons) themselves for a target run', () => {
    const report = {
      ...buildReport({
        mapping: 'm',
        runId: 'r',
        mode: 'diff',
        dryRun: false,
        target: 'companies',
        startedAt: 0,
        finishedAt: 1_000,
        tally: emptyTally(),
      }),
      changes: [{ ...change(7), entryId: 7 }],
      changesOmitted: 0,
      problems: [{ code: 'entry-failed' as const, entryId: 8, reason: 'gone' }],
    };
    expect(report.target).toBe('companies');
    const lines = formatSummary(report).split('\n');
    expect(lines).toContain('  companies 0 updated, 0 unchanged, 0 failed');
    expect(lines).toContain('    Company 7 (company 7) ARR: 7 → 8');
    expect(lines).toContain('    company 8: gone');
  });
});
