import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type CheckedFile, checkMappingsDir } from '../mappings/load-mapping.js';

/** A checked mapping file and the hash of the text that was checked. */
export interface CheckedVersion extends CheckedFile {
  /** SHA-256 of the file's text, first 12 hex digits; absent when it could not be read. */
  hash?: string;
}

/** Reads of a folder being written while it is checked, before the last result is taken as it is. */
const attempts = 3;

/**
 * Checks every mapping file of `dir` (checkMappingsDir: all problems, unique names) and hashes each
 * file's text. Files are hashed before and after the check; when one changed in between, the folder
 * is read again, so a hash names the text that was validated.
 */
export async function readMappings(
  dir: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<CheckedVersion[]> {
  for (let attempt = 1; ; attempt++) {
    const names = await readdir(dir).catch(() => [] as string[]);
    const before = new Map(
      await Promise.all(
        names.map(async (name) => [join(dir, name), await hashFile(join(dir, name))] as const),
      ),
    );
    const checked = await checkMappingsDir(dir, env);
    const after = await Promise.all(checked.map((c) => hashFile(c.file)));
    const stable = checked.every((c, i) => after[i] === undefined || before.get(c.file) === after[i]);
    if (stable || attempt === attempts) {
      return checked.map((c, i) => {
        const hash = after[i];
        return hash === undefined ? c : { ...c, hash };
      });
    }
  }
}

/** First 12 hex digits of the SHA-256 of a file's bytes; undefined when it cannot be read. */
export async function hashFile(file: string): Promise<string | undefined> {
  try {
    return createHash('sha256')
      .update(await readFile(file))
      .digest('hex')
      .slice(0, 12);
  } catch {
    return undefined;
  }
}
