import type { HistoryEntry } from './history-store.js';
import type { MappingStatus } from './read-status.js';

/** The human text of `affinity-sync status`: per mapping, its schedule, jobs and recent runs. */
export function formatStatus(statuses: readonly MappingStatus[]): string {
  if (statuses.length === 0) return 'No mappings scheduled and no runs recorded yet.';
  return statuses.map(formatMapping).join('\n\n');
}

function formatMapping(status: MappingStatus): string {
  const schedule = status.schedule
    ? `schedule "${status.schedule.cron}" ${status.schedule.timezone}, next ${status.schedule.next ?? 'unknown'}`
    : 'no schedule (backfill only)';
  const lines = [`${status.mapping} — ${schedule}`];
  if (status.loaded) {
    lines.push(
      `  loaded:  version ${status.loaded.versions.join(', ')} on ${status.loaded.workers} worker(s)`,
    );
  }
  for (const problem of status.invalid ?? []) {
    lines.push(`  invalid: ${problem} (the last valid version keeps running)`);
  }
  if (status.running.length > 0) lines.push(`  running: job ${status.running.join(', ')}`);
  if (status.queued.length > 0) lines.push(`  queued:  job ${status.queued.join(', ')}`);
  if (status.runs.length === 0) lines.push('  no runs recorded');
  for (const entry of status.runs) lines.push(`  ${formatRun(entry)}`);
  return lines.join('\n');
}

/** One history line: when, status, duration, counts, calls, who asked, and why it failed. */
export function formatRun(entry: HistoryEntry): string {
  const r = entry.report;
  const status = entry.handedBack ? 'handed back' : r.status;
  const parts = [
    r.startedAt,
    status.padEnd(11),
    `${(r.durationMs / 1000).toFixed(1)}s`,
    `rows ${r.rows.read} read/${r.rows.matched} matched/${r.rows.unmatched} unmatched`,
    `entries ${r.entries.updated} updated/${r.entries.unchanged} unchanged/${r.entries.failed} failed`,
    `fields ${r.fields.written} written`,
    `calls ${r.calls.total} (${r.calls.read} read, ${r.calls.write} write, ${r.calls.rateLimited} rate-limited)`,
    ...syncPart(r.sync),
    `${entry.trigger}, job ${entry.jobId}, attempt ${entry.attempt}/${entry.attempts}`,
  ];
  const line = parts.join('  ');
  return r.error ? `${line}\n    error: ${r.error}` : line;
}

/** How an incremental mapping read current values; nothing for live runs. */
function syncPart(sync: HistoryEntry['report']['sync']): string[] {
  if (sync === undefined || sync.kind === 'live') return [];
  if (sync.kind === 'reconcile') return [`reconcile (${sync.reason ?? 'full read'})`];
  return [
    `incremental (${sync.rowsSkipped} skipped, ${sync.entriesFlagged} flagged, ${sync.callsSaved} calls saved)`,
  ];
}
