import { readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadJobHandlers } from '../../src/worker/job-handlers.js';
import { repoRoot } from '../support/cli-command.js';

describe('job handlers (graphile-worker style: the file name is the job name)', () => {
  it('finds every file of jobs/ by name', async () => {
    const handlers = await loadJobHandlers();
    expect([...handlers.keys()]).toEqual(['scheduled-sync', 'sync-mapping']);
    expect(readdirSync(join(repoRoot, 'jobs')).sort()).toEqual(['scheduled-sync.ts', 'sync-mapping.ts']);
    for (const handler of handlers.values()) expect(typeof handler.handle).toBe('function');
  });

  it('nothing in src/ imports jobs/, so jobs may use the worker without a cycle', () => {
    const offenders: string[] = [];
    const walk = (dir: string): void => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path);
        else if (/from '(\.\.\/)+jobs\//.test(readFileSync(path, 'utf8')))
          offenders.push(relative(repoRoot, path));
      }
    };
    walk(join(repoRoot, 'src'));
    expect(offenders).toEqual([]);
  });

  it('refuses a job file without handle() or whose declared name is not its file name', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'jobs-'));
    try {
      await writeFile(join(dir, 'no-handle.ts'), 'export const name = "no-handle";\n');
      await expect(loadJobHandlers(pathToFileURL(`${dir}/`))).rejects.toThrow(
        'jobs/no-handle.ts exports no handle(job, context, control) function',
      );
      await rm(join(dir, 'no-handle.ts'));
      await writeFile(
        join(dir, 'renamed.ts'),
        'export const name = "other";\nexport async function handle() {}\n',
      );
      await expect(loadJobHandlers(pathToFileURL(`${dir}/`))).rejects.toThrow(
        'jobs/renamed.ts says its job is "other"; the file name is the job name ("renamed")',
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
