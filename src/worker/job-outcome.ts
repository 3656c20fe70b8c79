import type { Trigger } from '../queue/payloads.js';
import type { RunReport } from '../sync/report.js';

/**
 * What a finished run means for its BullMQ job (pure):
 * - `complete`: succeeded (warnings included) — the job completes, its return value says so;
 * - `retry`: failed — BullMQ retries with backoff;
 * - `fail`: ended without retrying — a partial run (its rejected values and refused entries would
 *   fail again; Bull Board shows it failed, with this reason) or a run skipped for the quota reserve.
 * `followUp`: entries failed for a transient reason — one more run is asked for (the diff makes
 * it cost only those entries), except after a follow-up, so a lasting outage is not chased.
 */
export interface JobOutcome {
  kind: 'complete' | 'retry' | 'fail';
  reason?: string;
  followUp: boolean;
}

export function jobOutcome(report: RunReport, trigger: Trigger): JobOutcome {
  const followUp = report.transient.failed > 0 && trigger !== 'retry';
  switch (report.status) {
    case 'succeeded':
      return { kind: 'complete', followUp };
    case 'partial':
      return { kind: 'fail', reason: partialReason(report), followUp };
    case 'failed': {
      const reason = report.error ?? 'run failed';
      return { kind: report.skipped === undefined ? 'retry' : 'fail', reason, followUp };
    }
    default: {
      const never: never = report.status;
      throw new Error(`unexpected status ${String(never)}`);
    }
  }
}

/** "ended partial: 2 entries failed, 3 values rejected, 1 ambiguous row; see the run's problems". */
export function partialReason(report: RunReport): string {
  const parts: string[] = [];
  const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
  if (report.entries.failed > 0) {
    const transient = report.transient.failed;
    parts.push(
      plural(report.entries.failed, 'entry failed', 'entries failed') +
        (transient > 0 ? ` (${transient} for a transient reason)` : ''),
    );
  }
  if (report.fields.rejected > 0)
    parts.push(plural(report.fields.rejected, 'value rejected', 'values rejected'));
  if (report.rows.ambiguous > 0) parts.push(plural(report.rows.ambiguous, 'ambiguous row', 'ambiguous rows'));
  return `ended partial: ${parts.join(', ')} (beyond the mapping's tolerate:); see the run's problems (affinity-sync history ${report.mapping} --problems)`;
}
