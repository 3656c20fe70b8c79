import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { ConfigError } from '../mappings/config-error.js';

/**
 * Checks, before the first request, that `--report FILE` can be written (an existing writable file,
 * or a new one in an existing writable folder); throws ConfigError (exit 2) naming the path.
 */
export async function checkReportPath(file: string): Promise<void> {
  const problem = await reportPathProblem(file);
  if (problem !== undefined) {
    throw new ConfigError([
      { file, path: '', message: `--report cannot be written: ${problem}; nothing was sent` },
    ]);
  }
}

async function reportPathProblem(file: string): Promise<string | undefined> {
  const existing = await stat(file).catch(() => undefined);
  if (existing?.isDirectory()) return 'it is a folder; name a file in it';
  if (existing !== undefined) {
    return (await writable(file)) ? undefined : 'the file is not writable by this user';
  }
  const folder = dirname(resolve(file));
  const parent = await stat(folder).catch(() => undefined);
  if (parent === undefined) return `the folder ${folder} does not exist; create it or choose another path`;
  if (!parent.isDirectory()) return `${folder} is not a folder`;
  return (await writable(folder)) ? undefined : `the folder ${folder} is not writable by this user`;
}

async function writable(path: string): Promise<boolean> {
  try {
    await access(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}
