import type { Page, StoredChange, StoredProblemRow } from './results-reader.js';
import type { StoredRun } from './stored-run.js';

// Pure: the text of `affinity-sync history`.

/** Recent runs, newest first, one line each. `where` names the store they were read from. */
export function formatRunList(mapping: string, where: string, runs: readonly StoredRun[]): string {
  if (runs.length === 0) return `${mapping}: no runs recorded in the ${where}`;
  const lines = [`${mapping} — ${runs.length} newest run(s), newest first (${where})`];
  for (const run of runs) lines.push(`  ${formatRunLine(run)}`);
  return lines.join('\n');
}

/** One run on one line: when, status, duration, counts, changes / problems stored, its id. */
export function formatRunLine(run: StoredRun): string {
  const status = run.dryRun ? `${run.status} (dry run)` : run.status;
  const parts = [
    run.startedAt,
    status.padEnd(11),
    run.durationMs === undefined ? '—' : `${(run.durationMs / 1000).toFixed(1)}s`,
  ];
  const c = run.counts;
  if (c) {
    parts.push(
      `rows ${c.rows.read} read/${c.rows.matched} matched/${c.rows.unmatched} unmatched/${c.rows.rejected} rejected`,
      `entries ${c.entries.updated} updated/${c.entries.unchanged} unchanged/${c.entries.failed} failed`,
      `fields ${c.fields.written} written/${c.fields.rejected} rejected`,
      `calls ${c.calls.total}`,
    );
  }
  if (run.changes !== undefined) parts.push(`${run.changes} change(s)`);
  if (run.problems !== undefined) parts.push(`${run.problems} problem(s)`);
  parts.push(`run ${run.runId}`);
  const line = parts.join('  ');
  return run.error ? `${line}\n    error: ${run.error}` : line;
}

/** One run in full: its counts as the run's summary shows them. */
export function formatRunDetail(run: StoredRun): string {
  const flags = [run.mode, run.dryRun ? 'dry run' : undefined].filter(Boolean).join(', ');
  const duration = run.durationMs === undefined ? '' : ` in ${(run.durationMs / 1000).toFixed(1)}s`;
  const lines = [`${run.mapping}: ${run.status.toUpperCase()}${duration} (${flags}), run ${run.runId}`];
  lines.push(`  started  ${run.startedAt}${run.finishedAt ? `, finished ${run.finishedAt}` : ''}`);
  if (run.error) lines.push(`  error: ${run.error}`);
  const c = run.counts;
  if (c) {
    const r = c.rows;
    lines.push(
      `  rows     ${r.read} read, ${r.matched} matched, ${r.unmatched} unmatched, ${r.ambiguous} ambiguous, ${r.duplicate} duplicate, ${r.rejected} with rejected values`,
      `  entries  ${c.entries.updated} updated, ${c.entries.unchanged} unchanged, ${c.entries.failed} failed`,
      `  fields   ${c.fields.written} written, ${c.fields.unchanged} unchanged, ${c.fields.rejected} rejected`,
      `  calls    ${c.calls.total} (${c.calls.read} read, ${c.calls.write} write), ${c.calls.retried} retried, ${c.calls.rateLimited} rate-limited`,
    );
  } else if (run.status === 'running') {
    lines.push('  no report yet: the run is in progress, or the process running it stopped');
  }
  if (run.changes !== undefined || run.problems !== undefined) {
    lines.push(`  stored   ${run.changes ?? 0} change(s), ${run.problems ?? 0} problem(s)`);
  }
  return lines.join('\n');
}

/** A page of changes, `before → after`, with how to see the next page. */
export function formatChanges(page: Page<StoredChange>, dryRun: boolean): string {
  const heading = dryRun ? 'changes it would write' : 'changes';
  const lines = [pageHeading(heading, page)];
  for (const c of page.items) {
    const who = c.entityName ? `${c.entityName} (entry ${c.listEntryId})` : `entry ${c.listEntryId}`;
    lines.push(`    ${who} ${c.fieldName}: ${show(c.before)} → ${show(c.after)}`);
  }
  return lines.join('\n');
}

/** A page of problems: code, where (row, key, column, entry) and why. */
export function formatProblems(page: Page<StoredProblemRow>): string {
  const lines = [pageHeading('problems', page)];
  for (const p of page.items) {
    const where = [
      p.row === undefined ? undefined : `row ${p.row}`,
      p.key,
      p.column === undefined ? undefined : `column ${p.column}`,
      p.listEntryId === undefined ? undefined : `entry ${p.listEntryId}`,
    ]
      .filter(Boolean)
      .join(', ');
    const code = p.code ? `[${p.code}] ` : '';
    lines.push(`    ${code}${where ? `${where}: ` : ''}${p.reason}`);
  }
  return lines.join('\n');
}

function pageHeading(what: string, page: Page<unknown>): string {
  if (page.total === 0) return `  ${what}: none`;
  if (page.items.length === 0) return `  ${what}: none from ${page.offset + 1} (the run has ${page.total})`;
  const last = page.offset + page.items.length;
  const more = last < page.total ? `; next page: --offset ${last}` : '';
  return `  ${what} ${page.offset + 1}–${last} of ${page.total}${more}:`;
}

function show(value: unknown): string {
  if (value === null || value === undefined) return '∅';
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
