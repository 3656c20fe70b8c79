import type { Queue } from 'bullmq';
import type { Logger } from '../log/logger.js';
import { scrub } from '../log/secrets.js';
import { ConfigError, formatProblem } from '../mappings/config-error.js';
import { removeSchedulers, upsertSchedulers } from '../queue/sync-schedulers.js';
import type { InvalidMappingFile, PublishedMapping } from '../queue/worker-registry.js';
import {
  type FileState,
  type MappingChange,
  type MappingVersion,
  reconcileMappings,
  runningVersions,
  schedulerChanges,
} from './mapping-set.js';
import { readMappings } from './read-mappings.js';

/**
 * The mappings a worker runs, kept in step with MAPPINGS_DIR: `reload()` reads the folder again,
 * keeps the last valid version of a file that became invalid, and makes the job schedulers follow
 * (upsert a new or changed schedule, remove those of mappings gone). Reloads run one at a time;
 * one asked for while another runs is done once after it.
 */
export class MappingReloader {
  readonly #dir: string;
  readonly #env: NodeJS.ProcessEnv;
  readonly #logger: Logger;
  #files = new Map<string, FileState>();
  #running = new Map<string, MappingVersion>();
  /** The folder itself could not be read at the last reload (nothing changed then). */
  #folderProblems: InvalidMappingFile[] = [];
  #queue: Queue | undefined;
  #reloading: Promise<void> | undefined;
  #again = false;
  #onChange: () => void = () => undefined;

  constructor(dir: string, logger: Logger, env: NodeJS.ProcessEnv = process.env) {
    this.#dir = dir;
    this.#logger = logger;
    this.#env = env;
  }

  /** The first read: every file must be valid (ConfigError naming each problem otherwise). */
  async load(): Promise<void> {
    const checked = await readMappings(this.#dir, this.#env);
    const problems = checked.flatMap((c) => c.problems);
    if (problems.length > 0) throw new ConfigError(problems);
    this.#apply(reconcileMappings(new Map(), checked, this.#dir).files);
  }

  /** Schedulers follow later reloads once the worker has a queue; `onChange` runs after each change. */
  attach(queue: Queue, onChange: () => void): void {
    this.#queue = queue;
    this.#onChange = onChange;
  }

  /** The version of `name` a job starting now runs. */
  current(name: string): MappingVersion | undefined {
    return this.#running.get(name);
  }

  get running(): ReadonlyMap<string, MappingVersion> {
    return this.#running;
  }

  /** What the worker publishes: the versions it runs and the files it cannot load as they are. */
  published(): { mappings: PublishedMapping[]; invalid: InvalidMappingFile[] } {
    const mappings = [...this.#running.values()].map(({ loaded, hash }) => ({
      name: loaded.mapping.name,
      hash,
      file: loaded.file,
      ...(loaded.mapping.schedule
        ? { schedule: { cron: loaded.mapping.schedule.cron, timezone: loaded.mapping.schedule.timezone } }
        : {}),
    }));
    const invalid = [...this.#files.values()]
      .filter((f) => f.problems.length > 0)
      .map((f) => ({
        file: f.file,
        problems: f.problems.map((p) => scrub(formatProblem(p))),
        ...(f.version ? { running: { name: f.version.loaded.mapping.name, hash: f.version.hash } } : {}),
      }));
    return { mappings, invalid: [...invalid, ...this.#folderProblems] };
  }

  /** Reads the folder again (after a file event or SIGHUP); never throws. */
  reload(reason: string): Promise<void> {
    if (this.#reloading) {
      this.#again = true;
      return this.#reloading;
    }
    this.#reloading = (async () => {
      do {
        this.#again = false;
        await this.#reloadOnce(reason).catch((error: unknown) =>
          this.#logger.error(
            { err: error, dir: this.#dir },
            'mappings reload failed; the previous versions keep running',
          ),
        );
      } while (this.#again);
      this.#reloading = undefined;
    })();
    return this.#reloading;
  }

  async #reloadOnce(reason: string): Promise<void> {
    const checked = await readMappings(this.#dir, this.#env);
    const { files, changes } = reconcileMappings(this.#files, checked, this.#dir);
    const before = this.#running;
    this.#folderProblems = changes.flatMap((c) =>
      c.kind === 'invalid' && c.file === this.#dir ? [{ file: c.file, problems: c.problems }] : [],
    );
    this.#apply(files);
    for (const change of changes) this.#log(change, reason);
    const schedulers = schedulerChanges(before, this.#running);
    if (this.#queue && (schedulers.upsert.length > 0 || schedulers.remove.length > 0)) {
      await upsertSchedulers(this.#queue, schedulers.upsert);
      await removeSchedulers(this.#queue, schedulers.remove);
      this.#logger.info(
        { registered: schedulers.upsert.map((m) => m.name), removed: schedulers.remove },
        'job schedulers follow the mappings',
      );
    }
    if (changes.length > 0) this.#onChange();
  }

  #apply(files: Map<string, FileState>): void {
    this.#files = files;
    this.#running = runningVersions(files);
  }

  #log(change: MappingChange, reason: string): void {
    switch (change.kind) {
      case 'added':
        this.#logger.info(
          { mapping: change.name, hash: change.hash, file: change.file, reason },
          'mapping added',
        );
        return;
      case 'updated':
        this.#logger.info(
          {
            mapping: change.name,
            hash: change.hash,
            previousHash: change.previousHash,
            file: change.file,
            reason,
          },
          'mapping updated; the next run uses it',
        );
        return;
      case 'removed':
        this.#logger.info(
          { mapping: change.name, hash: change.hash, file: change.file, reason },
          'mapping removed',
        );
        return;
      case 'valid-again':
        this.#logger.info(
          { mapping: change.name, hash: change.hash, file: change.file, reason },
          'mapping file valid again (the version that was kept running)',
        );
        return;
      case 'invalid':
        this.#logger.error(
          { file: change.file, problems: change.problems.map(scrub), kept: change.kept, reason },
          change.kept
            ? `mapping file invalid; its last valid version (${change.kept.hash}) keeps running`
            : 'mapping file invalid; nothing of it runs',
        );
        return;
      default: {
        const never: never = change;
        throw new Error(`unknown mapping change ${String(never)}`);
      }
    }
  }
}
