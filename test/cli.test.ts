import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const cli = join(import.meta.dirname, '..', 'dist', 'src', 'cli', 'main.js');

describe('affinity-sync CLI', () => {
  it('prints help listing every command', async () => {
    const { stdout } = await run(process.execPath, [cli, '--help']);
    for (const name of [
      'run',
      'run-all',
      'validate',
      'schema',
      'worker',
      'backfill',
      'status',
      'history',
      'simulator',
    ]) {
      expect(stdout).toContain(`  ${name}`);
    }
  });

  it('rejects bad arguments with the reason and the command usage, exit 2', async () => {
    await expect(
      run(process.execPath, [cli, 'run', 'portfolio', '--mode', 'sideways']),
    ).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringMatching(
        /^affinity-sync run: --mode must be diff or overwrite, not "sideways"\n\nUsage: affinity-sync run </,
      ),
    });
    await expect(run(process.execPath, [cli, 'status', '--bogus'])).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringMatching(
        /^affinity-sync status: Unknown option '--bogus'.*\n\nUsage: affinity-sync status/s,
      ),
    });
  });

  it('rejects an unknown command with exit 2', async () => {
    await expect(run(process.execPath, [cli, 'frobnicate'])).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining('unknown command "frobnicate"'),
    });
  });
});
