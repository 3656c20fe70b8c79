import type { InvalidMappingFile } from '../../queue/worker-registry.js';
import type { Omission } from '../../results/report-pages.js';
import type { Page, StoredChange, StoredProblemRow } from '../../results/results-reader.js';
import type { RunView } from './run-view.js';

// What the operator page shows, gathered (operator-data.ts) apart from rendering (render-*.ts).

/** One mapping this worker runs. */
export interface MappingView {
  name: string;
  file: string;
  /** The version this worker runs: SHA-256 of its file's text, first 12 hex digits. */
  hash: string;
  /** Where it writes and how it reads, as the mapping says (`list 1001`, `companies`, sync kind …). */
  facts: Array<{ label: string; value: string }>;
  schedule?: { cron: string; timezone: string; next?: string };
  /** Job ids of its runs now running / waiting. */
  running: string[];
  queued: string[];
  /** Versions other live workers run, when they differ from this worker's. */
  otherVersions: string[];
  /** Its file as it is now cannot be loaded: the problems (the version above keeps running). */
  invalid?: string[];
  /** Newest first. */
  runs: RunView[];
}

/** What the front page shows. */
export interface OverviewView {
  workerId: string;
  mappings: MappingView[];
  /** Files of which nothing runs (invalid from the start, or a name clash). */
  unloadable: InvalidMappingFile[];
  /** Where the runs come from. */
  source: 'results-store' | 'redis-history';
  /** What could not be read (Redis out of reach, results store failing), in a sentence each. */
  notes: string[];
  /** Whether a run is running or waiting (the page then refreshes itself). */
  busy: boolean;
}

/** A page of a run's changes or problems, and what the store it came from lacks. */
export interface PageView<T> {
  page: Page<T>;
  /** The Redis history keeps a sample: the run had more than the pages hold. */
  omission?: Omission;
}

/** One run with a page of its changes and one of its problems. */
export interface RunDetailView {
  mapping: string;
  run: RunView;
  source: 'results-store' | 'redis-history';
  changes: PageView<StoredChange>;
  problems: PageView<StoredProblemRow>;
  /** Rows per page. */
  limit: number;
  notes: string[];
}

/** The outcome of a "run now" shown at the top of the page (from the redirect's query). */
export type RunNotice =
  | { kind: 'queued' | 'folded' | 'follow-up'; mapping: string; jobId: string }
  | { kind: 'refused'; mapping: string; status: number };
