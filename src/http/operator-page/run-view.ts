import type { HistoryEntry } from '../../queue/history-store.js';
import type { StoredRun } from '../../results/stored-run.js';

// Pure: one run as the operator page shows it, from a report of the Redis history or a row of the
// results store. Reports grow (run kinds, rows skipped by state, warnings, targets): every field
// beyond the core is read defensively, and whatever else a report holds is shown generically.

/** One group of counts (rows, entries, fields, calls, or any other a report adds), in report order. */
export interface CountGroup {
  name: string;
  items: Array<{ label: string; value: number }>;
}

export interface RunView {
  runId: string;
  /** succeeded, partial, failed, running — or whatever a newer report says. */
  status: string;
  dryRun: boolean;
  mode?: string;
  startedAt: string;
  finishedAt?: string;
  durationMs?: number;
  trigger?: string;
  /** "2/3": the job's attempt of its allowed attempts. */
  attempt?: string;
  mappingHash?: string;
  handedBack?: boolean;
  counts: CountGroup[];
  /** `companies` / `persons` for a target mapping: its records are those, not list entries. */
  target?: string;
  warnings?: { count: number; items: string[] };
  /** What the run created (a dry run: would create), one line each, when the report lists any. */
  creations?: string[];
  /** Further facts of the report (run kind, target, limiter wait, …) as label → text. */
  details: Array<{ label: string; value: string }>;
  error?: string;
  /** Changes and problems of the whole run (not only those kept). */
  changes?: number;
  problems?: number;
}

const coreKeys = new Set([
  'mapping',
  'runId',
  'mode',
  'dryRun',
  'startedAt',
  'finishedAt',
  'durationMs',
  'status',
  'error',
  'problems',
  'problemsOmitted',
  'changes',
  'changesOmitted',
  'warnings',
  'limiterWaitMs',
  'creations',
]);

/** A run of the Redis history: its report, its job (trigger, attempt) and the mapping's version. */
export function runViewFromHistory(entry: HistoryEntry): RunView {
  const report = entry.report as unknown as Record<string, unknown>;
  const changes = lengthOf(report['changes']) + numberOr(report['changesOmitted'], 0);
  const problems = lengthOf(report['problems']) + numberOr(report['problemsOmitted'], 0);
  const warnings = readWarnings(report['warnings']);
  const limiterWait = numberOr(report['limiterWaitMs'], 0);
  const creations = describeCreations(report['creations']);
  const target = typeof report['target'] === 'string' ? report['target'] : undefined;
  return {
    runId: String(report['runId'] ?? ''),
    status: String(report['status'] ?? 'unknown'),
    dryRun: report['dryRun'] === true,
    ...optionalText('mode', report['mode']),
    startedAt: String(report['startedAt'] ?? ''),
    ...optionalText('finishedAt', report['finishedAt']),
    ...(typeof report['durationMs'] === 'number' ? { durationMs: report['durationMs'] } : {}),
    trigger: entry.trigger,
    attempt: `${entry.attempt}/${entry.attempts}`,
    ...(entry.mappingHash ? { mappingHash: entry.mappingHash } : {}),
    ...(entry.handedBack ? { handedBack: true } : {}),
    counts: countGroups(report, target),
    ...(target ? { target } : {}),
    ...(warnings ? { warnings } : {}),
    ...(creations.length > 0 ? { creations } : {}),
    details: [...otherFacts(report), ...limiterWaitFact(limiterWait)],
    ...optionalText('error', report['error']),
    changes,
    problems,
  };
}

/** A run of the results store (no job, no report beyond its counts). */
export function runViewFromStored(run: StoredRun): RunView {
  const counts = run.counts as unknown as Record<string, unknown> | undefined;
  const limiterWait = run.counts?.limiterWaitMs ?? 0;
  return {
    runId: run.runId,
    status: run.status,
    dryRun: run.dryRun,
    mode: run.mode,
    startedAt: run.startedAt,
    ...(run.finishedAt ? { finishedAt: run.finishedAt } : {}),
    ...(run.durationMs === undefined ? {} : { durationMs: run.durationMs }),
    counts: counts ? countGroups(counts) : [],
    details: limiterWaitFact(limiterWait),
    ...(run.error === undefined ? {} : { error: run.error }),
    ...(run.changes === undefined ? {} : { changes: run.changes }),
    ...(run.problems === undefined ? {} : { problems: run.problems }),
  };
}

/**
 * The runs of both stores, newest first, at most `limit`: a run in both shows its report (job,
 * warnings, kind) with the store's change and problem counts (it keeps them all); a run only the
 * store has (a `run` from a shell, one still running) shows as the store has it.
 */
export function mergeRuns(
  stored: readonly StoredRun[],
  history: readonly HistoryEntry[],
  limit: number,
): RunView[] {
  const byId = new Map<string, RunView>();
  for (const entry of history) byId.set(entry.report.runId, runViewFromHistory(entry));
  for (const run of stored) {
    const fromHistory = byId.get(run.runId);
    const fromStore = runViewFromStored(run);
    byId.set(
      run.runId,
      fromHistory
        ? {
            ...fromHistory,
            ...(fromStore.changes === undefined ? {} : { changes: fromStore.changes }),
            ...(fromStore.problems === undefined ? {} : { problems: fromStore.problems }),
          }
        : fromStore,
    );
  }
  return [...byId.values()]
    .sort((a, b) => b.startedAt.localeCompare(a.startedAt) || b.runId.localeCompare(a.runId))
    .slice(0, limit);
}

/**
 * Every property of the report that is an object of counts (numbers, or lists counted by their
 * length: `created`'s ids), as a group; a target's `entries` are its companies or persons.
 */
function countGroups(report: Record<string, unknown>, target?: string): CountGroup[] {
  const groups: CountGroup[] = [];
  for (const [name, value] of Object.entries(report)) {
    if (coreKeys.has(name) || !isCountRecord(value)) continue;
    groups.push({
      name: name === 'entries' && target ? target : words(name),
      items: Object.entries(value).map(([label, n]) => ({
        label: words(label),
        value: Array.isArray(n) ? n.length : n,
      })),
    });
  }
  return groups;
}

/** The report's `creations` as lines: "company 9001 Acme (acme.com), row 4". */
function describeCreations(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value.map((item: unknown) => {
    const c = (typeof item === 'object' && item !== null ? item : {}) as Record<string, unknown>;
    const parts = [
      words(String(c['kind'] ?? 'record')),
      c['id'] === undefined ? undefined : String(c['id']),
      typeof c['text'] === 'string' ? `"${c['text']}"` : undefined,
      typeof c['fieldName'] === 'string' ? `of ${c['fieldName']}` : undefined,
      typeof c['name'] === 'string' ? c['name'] : undefined,
      typeof c['domain'] === 'string' ? `(${c['domain']})` : undefined,
      c['entityId'] === undefined ? undefined : `entity ${String(c['entityId'])}`,
      c['row'] === undefined ? undefined : `row ${String(c['row'])}`,
      c['overLimit'] === true ? '— held back by maxCreates' : undefined,
    ];
    return parts.filter((p) => p !== undefined).join(' ');
  });
}

/** Scalars and other values a newer report may add (kind, target, …), shown as text. */
function otherFacts(report: Record<string, unknown>): Array<{ label: string; value: string }> {
  const facts: Array<{ label: string; value: string }> = [];
  for (const [name, value] of Object.entries(report)) {
    if (coreKeys.has(name) || isCountRecord(value) || value === undefined || value === null) continue;
    if (name === 'sync' && typeof value === 'object') {
      facts.push({ label: 'run kind', value: describeSync(value as Record<string, unknown>) });
      continue;
    }
    // A list (of records) by its length; an object as JSON.
    const text = Array.isArray(value)
      ? String(value.length)
      : typeof value === 'object'
        ? JSON.stringify(value)
        : String(value);
    facts.push({ label: words(name), value: text.length > 200 ? `${text.slice(0, 199)}…` : text });
  }
  return facts;
}

/** "incremental (state-fresh): 9 rows skipped by the state, 2 entries flagged by the feed, 97 calls saved". */
function describeSync(sync: Record<string, unknown>): string {
  const kind = String(sync['kind'] ?? 'unknown');
  const reason = typeof sync['reason'] === 'string' ? ` (${sync['reason']})` : '';
  const parts = [
    [sync['rowsSkipped'], 'rows skipped by the state'],
    [sync['entriesFlagged'], 'entries flagged by the feed'],
    [sync['callsSaved'], 'calls saved against a live scan'],
  ]
    .filter(([n]) => typeof n === 'number')
    .map(([n, what]) => `${n} ${what}`);
  return `${kind}${reason}${parts.length > 0 ? `: ${parts.join(', ')}` : ''}`;
}

/** `warnings` as a count or a list (of texts, or objects with a message or reason). */
function readWarnings(value: unknown): RunView['warnings'] {
  if (typeof value === 'number') return value > 0 ? { count: value, items: [] } : undefined;
  if (!Array.isArray(value)) return undefined;
  if (value.length === 0) return undefined;
  const items = value.map((item: unknown) => {
    if (typeof item === 'string') return item;
    const record = (item ?? {}) as Record<string, unknown>;
    const text = record['message'] ?? record['reason'];
    return typeof text === 'string' ? text : JSON.stringify(item);
  });
  return { count: value.length, items };
}

/** "limiter wait 1.2 s", or nothing when it would read "0.0 s". */
function limiterWaitFact(ms: number): Array<{ label: string; value: string }> {
  return ms >= 50 ? [{ label: 'limiter wait', value: `${(ms / 1000).toFixed(1)} s` }] : [];
}

function isCountRecord(value: unknown): value is Record<string, number | unknown[]> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const values = Object.values(value);
  return values.length > 0 && values.every((v) => typeof v === 'number' || Array.isArray(v));
}

/** "rateLimited" → "rate limited", "skippedByState" → "skipped by state". */
export function words(key: string): string {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .toLowerCase();
}

function lengthOf(value: unknown): number {
  return Array.isArray(value) ? value.length : 0;
}

function numberOr(value: unknown, fallback: number): number {
  return typeof value === 'number' ? value : fallback;
}

function optionalText<K extends string>(key: K, value: unknown): Partial<Record<K, string>> {
  return typeof value === 'string' && value !== '' ? ({ [key]: value } as Record<K, string>) : {};
}
