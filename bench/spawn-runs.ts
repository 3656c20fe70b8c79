import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { ChildRunConfig, ChildRunResult } from './child-run.js';

// From dist/ the child is plain JavaScript; from the sources (the smoke test) it runs through tsx.
const fromSources = import.meta.url.endsWith('.ts');
const childPath = fileURLToPath(new URL(fromSources ? './child-run.ts' : './child-run.js', import.meta.url));
const childArgs = fromSources ? ['--import', 'tsx', childPath] : [childPath];

/** Children still running, so an interrupted benchmark can end them. */
const running = new Set<ChildProcess>();

/** Ends every child this module started and that is still running. */
export function killRunningChildren(): void {
  for (const child of running) child.kill('SIGTERM');
}

/**
 * Starts one child-run process per config, waits until each is ready (mapping loaded, limiter
 * connected), lets them all go at once, and returns their results in order. A child that fails
 * rejects with its exit code and the end of its stderr.
 */
export async function spawnRuns(configs: ChildRunConfig[]): Promise<ChildRunResult[]> {
  const children: ChildProcess[] = [];
  const ready: Array<Promise<void>> = [];
  const results: Array<Promise<ChildRunResult>> = [];
  configs.forEach((config, i) => {
    const child = spawn(process.execPath, [...childArgs, JSON.stringify(config)], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    running.add(child);
    children.push(child);
    let stderr = '';
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-4000);
    });
    let markReady: () => void = () => {};
    let failReady: (error: Error) => void = () => {};
    ready.push(
      new Promise((resolve, reject) => {
        markReady = resolve;
        failReady = reject;
      }),
    );
    const closed = once(child, 'close');
    const result = (async () => {
      let last = '';
      for await (const line of createInterface({ input: child.stdout! })) {
        if (line === 'ready') markReady();
        else if (line.startsWith('{')) last = line;
      }
      const [code] = (await closed) as [number | null];
      running.delete(child);
      if (code !== 0 || !last) {
        const error = new Error(
          `bench child ${i} (${config.mappingFile}) exited with code ${String(code)}:\n${stderr}`,
        );
        failReady(error);
        throw error;
      }
      return JSON.parse(last) as ChildRunResult;
    })();
    // Handled by Promise.all below; this keeps an early failure from counting as unhandled meanwhile.
    result.catch(() => undefined);
    results.push(result);
  });
  try {
    await Promise.all(ready);
  } catch (error) {
    for (const child of children) child.kill('SIGTERM');
    await Promise.allSettled(results);
    throw error;
  }
  for (const child of children) child.stdin!.end('go\n');
  return Promise.all(results);
}
