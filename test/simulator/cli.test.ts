import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { command } from '../../src/cli/commands/simulator.js';

// The `affinity-sync simulator` command as a user runs it (from source through tsx, so no build is needed).

const root = join(import.meta.dirname, '..', '..');
const args = ['--import', 'tsx', join(root, 'src', 'cli', 'main.ts'), 'simulator'];
const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

/** Starts the command and resolves with its URL once it prints it. */
function startCli(extra: string[]): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  const child = spawn(process.execPath, [...args, ...extra], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  let err = '';
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (match?.[1] && out.includes('Ctrl-C')) resolve({ child, url: match[1], output: () => out });
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    child.on('exit', (code) => reject(new Error(`simulator exited ${code} before listening: ${err}`)));
  });
}

describe('affinity-sync simulator', () => {
  it('starts, prints the URL, list ids and AFFINITY_BASE_URL, answers, and stops on SIGTERM', async () => {
    const { child, url, output } = await startCli([
      '--port',
      '0',
      '--companies',
      '7',
      '--key',
      'cli-key',
      '--limit',
      '50',
    ]);
    expect(output()).toContain('list 1001 "Portfolio"');
    expect(output()).toContain(`export AFFINITY_BASE_URL=${url}`);
    expect(output()).not.toContain('cli-key');
    const res = await fetch(`${url}/v2/lists/1001/list-entries?limit=5`, {
      headers: { authorization: 'Bearer cli-key' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-ratelimit-limit-user')).toBe('50');
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(output()).toContain('Simulator stopped.');
  });

  it.each([
    [['--port', 'abc'], '--port must be an integer from 0 to 65535; got "abc"'],
    [['--error-rate', '1.5'], '--error-rate must be a number from 0 to 1; got "1.5"'],
    [['--fixture', 'a.json', '--companies', '3'], 'give either --fixture or --companies, not both'],
    [['--frobnicate'], "Unknown option '--frobnicate'"],
  ])('refuses bad flags %j with exit 2', async (flags, message) => {
    const written = captureStderr();
    expect(await command.run(flags)).toBe(2);
    expect(written()).toBe(
      `affinity-sync simulator: ${message}\n\nRun \`affinity-sync simulator --help\` for the options.\n`,
    );
  });

  it('reports a missing fixture file with exit 2', async () => {
    const written = captureStderr();
    expect(await command.run(['--fixture', '/nonexistent/f.json'])).toBe(2);
    expect(written()).toContain('cannot read fixture /nonexistent/f.json: ENOENT');
  });
});

function captureStderr(): () => string {
  let text = '';
  const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    text += String(chunk);
    return true;
  });
  return () => {
    spy.mockRestore();
    return text;
  };
}
