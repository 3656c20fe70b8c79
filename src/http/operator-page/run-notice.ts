import type { RunNotice } from './operator-view.js';

// Pure: the outcome of a "run now" carried through the redirect's query string. Only an outcome
// word, a status number, the mapping name and the job id travel; the page words them itself.

const outcomes = new Set(['queued', 'folded', 'follow-up']);

/** The query of the page to show after the trigger answered `status` (with its JSON body when 202). */
export function noticeQuery(mapping: string, status: number, body: unknown): string {
  const params = new URLSearchParams({ ran: mapping });
  const result = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  if (status === 202 && typeof result['outcome'] === 'string' && outcomes.has(result['outcome'])) {
    params.set('outcome', result['outcome']);
    params.set('job', typeof result['jobId'] === 'string' ? result['jobId'] : '');
  } else {
    params.set('refused', String(status));
  }
  return params.toString();
}

/** The notice a query asks for, or undefined for anything else. */
export function noticeFromQuery(query: Record<string, string | undefined>): RunNotice | undefined {
  const mapping = query['ran'];
  if (!mapping) return undefined;
  const outcome = query['outcome'];
  if (outcome === 'queued' || outcome === 'folded' || outcome === 'follow-up') {
    return { kind: outcome, mapping, jobId: query['job'] ?? '' };
  }
  const status = Number(query['refused']);
  return Number.isInteger(status) && status >= 100 && status <= 599
    ? { kind: 'refused', mapping, status }
    : undefined;
}
