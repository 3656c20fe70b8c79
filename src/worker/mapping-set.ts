import { type ConfigProblem, formatProblem } from '../mappings/config-error.js';
import type { LoadedMapping } from '../mappings/load-mapping.js';
import type { Mapping } from '../mappings/mapping-schema.js';
import type { CheckedVersion } from './read-mappings.js';

/** One valid version of a mapping: what a job runs. */
export interface MappingVersion {
  loaded: LoadedMapping;
  /** SHA-256 of the file's text, first 12 hex digits (recorded in each run's history). */
  hash: string;
}

/** A mapping file as the worker holds it: the version it runs (if any) and what is wrong now. */
export interface FileState {
  file: string;
  /** The version running from this file: the current text, or its last valid text when invalid. */
  version?: MappingVersion;
  /** Problems of the file as it is now; empty when the current text is the running version. */
  problems: ConfigProblem[];
  /** Hash of the file's current text (undefined when unreadable). */
  textHash?: string;
}

/** What a reload changed, for the log and the schedulers. */
export type MappingChange =
  | { kind: 'added'; name: string; hash: string; file: string }
  | { kind: 'updated'; name: string; hash: string; previousHash: string; file: string }
  | { kind: 'removed'; name: string; hash: string; file: string }
  | { kind: 'valid-again'; name: string; hash: string; file: string }
  | { kind: 'invalid'; file: string; problems: string[]; kept?: { name: string; hash: string } };

/**
 * Folds a new read of the mappings folder into the files held (pure): a valid file replaces its
 * version; an invalid one keeps its last valid version and reports its problems; a file gone
 * takes its mapping with it. An unreadable folder (`dir` itself has a problem) changes nothing
 * but is reported. Two files may not run under one name: the later file loses its version.
 */
export function reconcileMappings(
  previous: ReadonlyMap<string, FileState>,
  checked: readonly CheckedVersion[],
  dir: string,
): { files: Map<string, FileState>; changes: MappingChange[] } {
  const folderProblem = checked.find((c) => c.file === dir && c.problems.length > 0);
  if (folderProblem) {
    return {
      files: new Map(previous),
      changes: [{ kind: 'invalid', file: dir, problems: folderProblem.problems.map(formatProblem) }],
    };
  }
  const files = new Map<string, FileState>();
  const claimed = new Map<string, string>();
  const changes: MappingChange[] = [];
  for (const c of checked) {
    const before = previous.get(c.file);
    const state = nextState(c, before);
    const name = state.version?.loaded.mapping.name;
    const owner = name === undefined ? undefined : claimed.get(name);
    if (name !== undefined && owner !== undefined) {
      const problem: ConfigProblem = {
        file: c.file,
        path: 'name',
        message: `"${name}" is also the name of ${owner}; names must be unique in the mappings folder`,
      };
      const { version: _lost, ...rest } = state;
      files.set(c.file, { ...rest, problems: [...state.problems, problem] });
    } else {
      if (name !== undefined) claimed.set(name, c.file);
      files.set(c.file, state);
    }
  }
  for (const [file, state] of files) changes.push(...fileChanges(previous.get(file), state));
  for (const [file, state] of previous) {
    if (!files.has(file) && state.version) changes.push(removed(state.version, file));
  }
  return { files, changes };
}

function nextState(checked: CheckedVersion, before: FileState | undefined): FileState {
  const textHash = checked.hash === undefined ? {} : { textHash: checked.hash };
  if (checked.mapping && checked.hash !== undefined && checked.problems.length === 0) {
    const loaded: LoadedMapping = {
      mapping: checked.mapping,
      file: checked.file,
      ...(checked.locate ? { locate: checked.locate } : {}),
    };
    return { file: checked.file, version: { loaded, hash: checked.hash }, problems: [], ...textHash };
  }
  return {
    file: checked.file,
    ...(before?.version ? { version: before.version } : {}),
    problems: checked.problems,
    ...textHash,
  };
}

function fileChanges(before: FileState | undefined, after: FileState): MappingChange[] {
  const changes: MappingChange[] = [];
  const was = before?.version;
  const now = after.version;
  if (was && (!now || now.loaded.mapping.name !== was.loaded.mapping.name)) {
    changes.push(removed(was, after.file));
  }
  if (now && (!was || now.loaded.mapping.name !== was.loaded.mapping.name)) {
    changes.push({ kind: 'added', name: now.loaded.mapping.name, hash: now.hash, file: after.file });
  } else if (now && was && now.hash !== was.hash) {
    changes.push({
      kind: 'updated',
      name: now.loaded.mapping.name,
      hash: now.hash,
      previousHash: was.hash,
      file: after.file,
    });
  }
  if (
    now &&
    was &&
    now.hash === was.hash &&
    (before?.problems.length ?? 0) > 0 &&
    after.problems.length === 0
  ) {
    changes.push({ kind: 'valid-again', name: now.loaded.mapping.name, hash: now.hash, file: after.file });
  }
  const problems = after.problems.map(formatProblem);
  const sameProblems =
    before !== undefined &&
    before.textHash === after.textHash &&
    before.problems.map(formatProblem).join('\n') === problems.join('\n');
  if (problems.length > 0 && !sameProblems) {
    changes.push({
      kind: 'invalid',
      file: after.file,
      problems,
      ...(now ? { kept: { name: now.loaded.mapping.name, hash: now.hash } } : {}),
    });
  }
  return changes;
}

function removed(version: MappingVersion, file: string): MappingChange {
  return { kind: 'removed', name: version.loaded.mapping.name, hash: version.hash, file };
}

/** The versions running, by mapping name. */
export function runningVersions(files: ReadonlyMap<string, FileState>): Map<string, MappingVersion> {
  const byName = new Map<string, MappingVersion>();
  for (const state of files.values()) {
    if (state.version) byName.set(state.version.loaded.mapping.name, state.version);
  }
  return byName;
}

/** Schedulers to create or update (new or changed schedule) and to remove (mapping gone or unscheduled). */
export function schedulerChanges(
  before: ReadonlyMap<string, MappingVersion>,
  after: ReadonlyMap<string, MappingVersion>,
): { upsert: Mapping[]; remove: string[] } {
  const upsert: Mapping[] = [];
  const remove: string[] = [];
  for (const [name, version] of after) {
    const schedule = version.loaded.mapping.schedule;
    const previous = before.get(name)?.loaded.mapping.schedule;
    if (!schedule) {
      if (previous) remove.push(name);
    } else if (!previous || previous.cron !== schedule.cron || previous.timezone !== schedule.timezone) {
      upsert.push(version.loaded.mapping);
    }
  }
  for (const [name, version] of before) {
    if (!after.has(name) && version.loaded.mapping.schedule) remove.push(name);
  }
  return { upsert, remove };
}
