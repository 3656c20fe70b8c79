import { readdir } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { JobHandler } from './job-context.js';

/** The jobs/ folder beside src/ (from the sources) or beside dist/src/ (from the build). */
const jobsFolder = new URL('../../jobs/', import.meta.url);
/** The sources run as .ts (tsx, vitest), the build as .js: job files have this module's extension. */
const extension = extname(fileURLToPath(import.meta.url));

/**
 * Every job kind the worker processes, by job name, found the way graphile-worker finds its tasks:
 * each file of jobs/ is one job, named after the file, exporting `handle`. Nothing in src/ imports
 * jobs/, so the jobs may use the worker's modules without an import cycle.
 */
export async function loadJobHandlers(folder: URL = jobsFolder): Promise<ReadonlyMap<string, JobHandler>> {
  const dir = fileURLToPath(folder);
  const files = (await readdir(dir))
    .filter((file) => file.endsWith(extension) && !file.endsWith(`.d${extension}`))
    .sort();
  const handlers = new Map<string, JobHandler>();
  for (const file of files) {
    const name = basename(file, extension);
    const module = (await import(pathToFileURL(`${dir}${file}`).href)) as Partial<JobHandler>;
    if (typeof module.handle !== 'function') {
      throw new Error(`jobs/${file} exports no handle(job, context, control) function`);
    }
    if (module.name !== undefined && module.name !== name) {
      throw new Error(
        `jobs/${file} says its job is "${module.name}"; the file name is the job name ("${name}")`,
      );
    }
    handlers.set(name, { name, handle: module.handle });
  }
  if (handlers.size === 0) throw new Error(`no job files (*${extension}) in ${dir}`);
  return handlers;
}
