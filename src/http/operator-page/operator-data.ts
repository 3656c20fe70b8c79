import type { Queue } from 'bullmq';
import type { HistoryEntry, HistoryStore } from '../../queue/history-store.js';
import { type MappingStatus, readStatus } from '../../queue/read-status.js';
import type { InvalidMappingFile, PublishedMapping, WorkerRegistry } from '../../queue/worker-registry.js';
import { registerResultsSecret } from '../../results/open-run-sink.js';
import {
  omittedChanges,
  omittedProblems,
  reportChangesPage,
  reportProblemsPage,
} from '../../results/report-pages.js';
import {
  closeResults,
  connectResults,
  describeResultsError,
  nameResultsStore,
} from '../../results/results-connection.js';
import { ResultsReader } from '../../results/results-reader.js';
import type { StoredRun } from '../../results/stored-run.js';
import { errorMessage } from '../../util/error-message.js';
import { mappingFacts } from './mapping-facts.js';
import type { MappingView, OverviewView, RunDetailView } from './operator-view.js';
import type { RunOffsets } from './render-run.js';
import { mergeRuns, runViewFromHistory, runViewFromStored } from './run-view.js';

/** Where the operator page reads from: the worker's own mappings, Redis, the results store. */
export interface OperatorSources {
  workerId: string;
  queue: Queue;
  history: HistoryStore;
  registry: WorkerRegistry;
  /** The versions this worker runs and the files it cannot load as they are. */
  loaded: () => { mappings: PublishedMapping[]; invalid: InvalidMappingFile[] };
  /** The parsed mapping of that name (read defensively for where it writes). */
  mapping: (name: string) => unknown;
  /** False while Redis is out of reach: its reads are skipped instead of waiting. */
  redisUp: () => boolean;
  /** RESULTS_DATABASE_URL and RESULTS_SCHEMA, when set. */
  results?: { url: string; schema: string } | undefined;
}

/** What the operator routes ask for. */
export interface OperatorData {
  overview: () => Promise<OverviewView>;
  /** One run with a page of its changes and of its problems; undefined when no store has it. */
  run: (
    mapping: string,
    runId: string,
    offsets: RunOffsets,
    limit: number,
  ) => Promise<RunDetailView | undefined>;
}

/** Runs listed per mapping on the front page. */
export const runsShown = 5;
/** How long one read of Redis or of the results store may take, ms. */
const readTimeoutMs = 4000;

export function operatorData(sources: OperatorSources): OperatorData {
  if (sources.results) registerResultsSecret(sources.results.url);
  return {
    overview: () => gatherOverview(sources),
    run: (mapping, runId, offsets, limit) => gatherRun(sources, mapping, runId, offsets, limit),
  };
}

async function gatherOverview(sources: OperatorSources): Promise<OverviewView> {
  const { mappings, invalid } = sources.loaded();
  const names = mappings.map((m) => m.name).sort();
  const notes: string[] = [];
  const statuses = await readRedisStatus(sources, names, notes);
  const stored = await withResults(sources, notes, async (reader) => {
    const byName = new Map<string, StoredRun[]>();
    for (const name of names) byName.set(name, await reader.recentRuns(name, runsShown));
    return byName;
  });
  const views = [...mappings]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((m) => mappingView(sources, m, statuses.get(m.name), stored.value?.get(m.name) ?? [], invalid));
  return {
    workerId: sources.workerId,
    mappings: views,
    unloadable: invalid.filter((f) => !f.running),
    source: sources.results ? 'results-store' : 'redis-history',
    notes,
    busy: views.some(
      (v) => v.running.length > 0 || v.queued.length > 0 || v.runs.some((r) => r.status === 'running'),
    ),
  };
}

function mappingView(
  sources: OperatorSources,
  published: PublishedMapping,
  status: MappingStatus | undefined,
  stored: readonly StoredRun[],
  invalid: readonly InvalidMappingFile[],
): MappingView {
  const problems = invalid.filter((f) => f.running?.name === published.name).flatMap((f) => f.problems);
  const schedule = status?.schedule ?? published.schedule;
  return {
    name: published.name,
    file: published.file,
    hash: published.hash,
    facts: mappingFacts(sources.mapping(published.name)),
    ...(schedule ? { schedule } : {}),
    running: status?.running ?? [],
    queued: status?.queued ?? [],
    otherVersions: (status?.loaded?.versions ?? []).filter((v) => v !== published.hash),
    ...(problems.length > 0 ? { invalid: problems } : {}),
    runs: mergeRuns(stored, status?.runs ?? [], runsShown),
  };
}

/** Schedules (next times), jobs, recent runs and the fleet's versions; nothing while Redis is down. */
async function readRedisStatus(
  sources: OperatorSources,
  names: string[],
  notes: string[],
): Promise<Map<string, MappingStatus>> {
  if (!sources.redisUp()) {
    notes.push(redisDown);
    return new Map();
  }
  try {
    const read = async () => {
      const workers = await sources.registry.live();
      return readStatus(sources.queue, sources.history, { names, limit: runsShown, workers });
    };
    const statuses = await withTimeout(read(), readTimeoutMs);
    return new Map(statuses.map((s) => [s.mapping, s]));
  } catch (error) {
    notes.push(
      `Redis did not answer (${errorMessage(error)}): next runs, jobs and the run history are not shown.`,
    );
    return new Map();
  }
}

const redisDown =
  'Redis is out of reach: next runs, jobs and the run history are not shown, and no run can be queued now.';

async function gatherRun(
  sources: OperatorSources,
  mapping: string,
  runId: string,
  offsets: RunOffsets,
  limit: number,
): Promise<RunDetailView | undefined> {
  const notes: string[] = [];
  const entry = await findHistoryEntry(sources, mapping, runId, notes);
  const stored = await withResults(sources, notes, async (reader) => {
    const run = await reader.findRun(mapping, runId);
    if (!run) return undefined;
    const changes = await reader.changes(runId, offsets.changes, limit);
    const problems = await reader.problems(runId, offsets.problems, limit);
    return { run, changes, problems };
  });
  if (stored.value) {
    const { changes, problems } = stored.value;
    const run = entry
      ? { ...runViewFromHistory(entry), changes: changes.total, problems: problems.total }
      : runViewFromStored(stored.value.run);
    return {
      mapping,
      run,
      source: 'results-store',
      changes: { page: changes },
      problems: { page: problems },
      limit,
      notes,
    };
  }
  if (!entry) return undefined;
  if (stored.read)
    notes.push(
      'The results store has no record of this run: its changes and problems below are what the Redis run history keeps.',
    );
  const report = entry.report;
  const omittedC = omittedChanges(report);
  const omittedP = omittedProblems(report);
  return {
    mapping,
    run: runViewFromHistory(entry),
    source: 'redis-history',
    changes: {
      page: reportChangesPage(report, offsets.changes, limit),
      ...(omittedC ? { omission: omittedC } : {}),
    },
    problems: {
      page: reportProblemsPage(report, offsets.problems, limit),
      ...(omittedP ? { omission: omittedP } : {}),
    },
    limit,
    notes,
  };
}

async function findHistoryEntry(
  sources: OperatorSources,
  mapping: string,
  runId: string,
  notes: string[],
): Promise<HistoryEntry | undefined> {
  if (!sources.redisUp()) {
    notes.push(redisDown);
    return undefined;
  }
  try {
    const entries = await withTimeout(sources.history.recent(mapping), readTimeoutMs);
    return entries.find((e) => e.report.runId === runId);
  } catch (error) {
    notes.push(`Redis did not answer (${errorMessage(error)}): the run history is not shown.`);
    return undefined;
  }
}

/**
 * `read` on one connection to the results store. `read: false` when there is none or it failed (a
 * note says why); `value` undefined also while no run has created its tables.
 */
async function withResults<T>(
  sources: OperatorSources,
  notes: string[],
  read: (reader: ResultsReader) => Promise<T | undefined>,
): Promise<{ read: boolean; value?: T | undefined }> {
  const results = sources.results;
  if (!results) return { read: false };
  const timeouts = { connectTimeoutMs: readTimeoutMs, statementTimeoutMs: readTimeoutMs };
  let client: Awaited<ReturnType<typeof connectResults>> | undefined;
  try {
    client = await connectResults(results.url, timeouts, () => undefined);
    const reader = new ResultsReader(client, results.schema);
    if (!(await reader.exists())) return { read: true };
    return { read: true, value: await read(reader) };
  } catch (error) {
    notes.push(
      `${nameResultsStore(results.url, results.schema)}: ${describeResultsError(error)}. Shown instead: what the Redis run history holds.`,
    );
    return { read: false };
  } finally {
    await closeResults(client);
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms / 1000} s`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
