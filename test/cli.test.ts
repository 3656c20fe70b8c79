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
      'simulator',
    ]) {
      expect(stdout).toContain(`  ${name}`);
    }
  });

  it('rejects an unknown command with exit 2', async () => {
    await expect(run(process.execPath, [cli, 'frobnicate'])).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining('unknown command "frobnicate"'),
    });
  });
});
