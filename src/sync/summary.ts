import { allowanceText, type QuotaForecast } from './quota-forecast.js';
import type { RunReport } from './report.js';

const shownChanges = 50;
const shownProblems = 20;

/** The human summary of a run printed on stdout. */
export function formatSummary(report: RunReport): string {
  const lines: string[] = [];
  const seconds = (report.durationMs / 1000).toFixed(1);
  const warned =
    report.warnings > 0 ? `${report.warnings} warning${report.warnings === 1 ? '' : 's'}` : undefined;
  const flags = [report.mode, report.dryRun ? 'dry run' : undefined, warned].filter(Boolean).join(', ');
  lines.push(`${report.mapping}: ${report.status.toUpperCase()} in ${seconds}s (${flags})`);
  if (report.error) lines.push(`  error: ${report.error}`);
  const r = report.rows;
  lines.push(
    `  rows     ${r.read} read, ${r.matched} matched, ${r.unmatched} unmatched, ${r.ambiguous} ambiguous, ${r.duplicate} duplicate, ${r.rejected} with rejected values`,
  );
  const e = report.entries;
  const verb = report.dryRun ? 'to update' : 'updated';
  // A target's records are the companies or persons themselves, not list entries.
  const records = (report.target ?? 'entries').padEnd(8);
  const record = report.target === undefined ? 'entry' : report.target === 'companies' ? 'company' : 'person';
  lines.push(`  ${records} ${e.updated} ${verb}, ${e.unchanged} unchanged, ${e.failed} failed`);
  const f = report.fields;
  lines.push(
    `  fields   ${f.written} ${report.dryRun ? 'to write' : 'written'}, ${f.unchanged} unchanged, ${f.rejected} rejected`,
  );
  const c = report.calls;
  lines.push(
    `  calls    ${c.total} (${c.read} read, ${c.write} write), ${c.retried} retried, ${c.rateLimited} rate-limited; limiter wait ${(report.limiterWaitMs / 1000).toFixed(1)}s (summed over requests)`,
  );
  const sync = syncLine(report);
  if (sync !== undefined) lines.push(sync);
  // A report an older worker kept in the history has no `transient`.
  const t: Partial<RunReport['transient']> = report.transient ?? {};
  if (t.retried !== undefined && t.failed !== undefined && t.retried > 0) {
    lines.push(
      `  retried  ${t.retried} entr${t.retried === 1 ? 'y' : 'ies'} after a transient failure, at the end of the run: ${t.retried - t.failed} written, ${t.failed} still failing`,
    );
  }
  if (report.dryRun && report.forecast) lines.push(...forecastLines(report.forecast));
  if (report.created !== undefined) lines.push(...createdLines(report));
  const changes = report.changes.length + report.changesOmitted;
  if (changes > 0) {
    lines.push(`  changes (${Math.min(shownChanges, report.changes.length)} of ${changes}):`);
    for (const change of report.changes.slice(0, shownChanges)) {
      const who = change.entityName
        ? `${change.entityName} (${record} ${change.entryId})`
        : `${record} ${change.entryId}`;
      lines.push(`    ${who} ${change.fieldName}: ${show(change.before)} → ${show(change.after)}`);
    }
  }
  const total = report.problems.length + report.problemsOmitted;
  if (total > 0) {
    lines.push(`  problems (${Math.min(shownProblems, report.problems.length)} of ${total}):`);
    for (const p of report.problems.slice(0, shownProblems)) {
      const where = [
        p.row === undefined ? undefined : `row ${p.row}`,
        p.key,
        p.column === undefined ? undefined : `column ${p.column}`,
        p.entryId === undefined ? undefined : `${record} ${p.entryId}`,
      ]
        .filter(Boolean)
        .join(', ');
      lines.push(`    ${where}: ${p.reason}`);
    }
  }
  return lines.join('\n');
}

/** How current values were read; nothing for plain `sync: live` mappings (nothing to say). */
function syncLine(report: RunReport): string | undefined {
  const sync = report.sync;
  if (sync === undefined || (sync.kind === 'live' && sync.reason === 'mapping-live')) return undefined;
  const saved = `${sync.callsSaved} calls saved vs a live scan (${sync.liveScanCalls} calls)`;
  switch (sync.kind) {
    case 'live':
      return `  sync     live: ${sync.detail ?? sync.reason}`;
    case 'reconcile':
      return `  sync     reconcile (${sync.reason}${sync.detail ? `: ${sync.detail}` : ''}): the whole list read and the state rebuilt; ${saved}`;
    case 'incremental':
      return (
        `  sync     incremental: ${sync.rowsSkipped} rows skipped by the state, ${sync.entriesFlagged} entries flagged by the feed, ` +
        `${sync.entriesReread} re-read, ${sync.feedPages} feed pages; ${saved}` +
        (sync.nextReconcileBy ? `; next reconcile by ${sync.nextReconcileBy}` : '')
      );
    default: {
      const never: never = sync.kind;
      return never;
    }
  }
}

const shownCreations = 20;

// What a mapping that opts in to creation created (a dry run: would create), and the first records.
function createdLines(report: RunReport): string[] {
  const created = report.created!;
  const records = report.creations ?? [];
  const count = (kind: string) => records.filter((c) => c.kind === kind && c.overLimit !== true).length;
  const verb = report.dryRun ? 'to create' : 'created';
  const lines = [
    `  created  ${count('list-entry')} list entries, ${count('company')} companies, ${count('dropdown-option')} options ${verb}; ${created.overLimit} held back by maxCreates, ${created.failed} failed`,
  ];
  for (const c of records.slice(0, shownCreations)) {
    const id = c.id === undefined ? '' : ` ${c.id}`;
    const what =
      c.kind === 'dropdown-option'
        ? `option${id} "${c.text}" of ${c.fieldName}`
        : c.kind === 'company'
          ? `company${id} "${c.name}" (${c.domain})`
          : `list entry${id} for ${c.entityId === undefined ? `the new company "${c.name}"` : `entity ${c.entityId}`}`;
    const where = c.row === undefined ? '' : ` (row ${c.row}, ${c.key})`;
    lines.push(`    ${what}${where}${c.overLimit ? ' — past maxCreates' : ''}`);
  }
  if (records.length > shownCreations)
    lines.push(`    … and ${records.length - shownCreations} more in the report`);
  return lines;
}

function show(value: unknown): string {
  if (value === null || value === undefined) return '∅';
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** What a real run would spend and the allowance left (the dry run's forecast). */
export function forecastLines(forecast: QuotaForecast): string[] {
  const lines = [
    `  forecast a real run: ${forecast.total} calls (${forecast.reads} read, ${forecast.writes} write); ${allowanceText(forecast.allowance)}`,
  ];
  if (forecast.warning !== undefined) lines.push(`  warning  quota: ${forecast.warning}`);
  return lines;
}
