import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** The repository root. */
export const repoRoot = join(import.meta.dirname, '..', '..');
const built = join(repoRoot, 'dist', 'src', 'cli', 'main.js');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * Node arguments that start `affinity-sync`: the built CLI when dist is newer than every source
 * file (fast start; `npm test` builds first), else the sources through tsx.
 */
export function cliArgs(): string[] {
  try {
    const sources = Math.max(newestMtime(join(repoRoot, 'src')), newestMtime(join(repoRoot, 'jobs')));
    if (statSync(built).mtimeMs > sources) return [built];
  } catch {
    // No build: run the sources.
  }
  return ['--import', 'tsx', join(repoRoot, 'src', 'cli', 'main.ts')];
}
