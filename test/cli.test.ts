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
    await expect(run(process.execPath, [cli, 'stauts'])).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringMatching(
        /^affinity-sync: unknown command "stauts"; did you mean "status"\?\n\naffinity-sync — /,
      ),
    });
  });

  it('with no arguments prints the help on stderr and exits 2; --help exits 0', async () => {
    await expect(run(process.execPath, [cli])).rejects.toMatchObject({
      code: 2,
      stdout: '',
      stderr: expect.stringContaining('Usage: affinity-sync <command> [options]'),
    });
    const { stdout } = await run(process.execPath, [cli, '--help']);
    expect(stdout).toContain('Usage: affinity-sync <command> [options]');
  });

  it('an unknown option says what was meant: the nearest option, else the usage lists them', async () => {
    await expect(run(process.execPath, [cli, 'backfill', 'portfolio', '--wiat'])).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringMatching(
        /^affinity-sync backfill: Unknown option '--wiat'; did you mean --wait\?\n\nUsage: /,
      ),
    });
    await expect(run(process.execPath, [cli, 'run', 'x', '--dryrun'])).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringMatching(
        /^affinity-sync run: Unknown option '--dryrun'; did you mean --dry-run\?\n/,
      ),
    });
    await expect(run(process.execPath, [cli, 'status', '--bogus'])).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringMatching(
        /^affinity-sync status: Unknown option '--bogus'\n\nUsage: affinity-sync status .*\n {2}--limit N /s,
      ),
    });
    await expect(run(process.execPath, [cli, 'worker', '--port', '1'])).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringMatching(
        /^affinity-sync worker: Unknown option '--port' \(this command takes no options\)\n/,
      ),
    });
  });

  it('every command’s --help lists its environment variables, exit codes and an example', async () => {
    const { stdout: help } = await run(process.execPath, [cli, '--help']);
    const names = [...help.matchAll(/^ {2}([a-z-]+) {2,}/gm)].map((m) => m[1]!);
    expect(names.length).toBeGreaterThanOrEqual(8);
    for (const name of names) {
      const { stdout } = await run(process.execPath, [cli, name, '--help']);
      expect(stdout, name).toMatch(new RegExp(`^Usage: affinity-sync ${name}\\b`));
      expect(stdout, name).toMatch(/\nEnvironment: \S/);
      expect(stdout, name).toMatch(/\nExit codes: 0 /);
      expect(stdout, name).toMatch(
        new RegExp(`\\nExample[^\\n]*:\\n {2}(\\S+=\\S+ )*affinity-sync ${name}\\b`),
      );
    }
  });
});
