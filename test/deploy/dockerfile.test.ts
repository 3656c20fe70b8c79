import { execFile, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { globalArgs, type Instruction, parseStages, type Stage } from './parse-dockerfile.js';

// No Docker engine runs where the tests run: these checks read the Dockerfile as text and run the
// parts that can run without one (the HEALTHCHECK command, the file references).

const root = join(import.meta.dirname, '..', '..');
const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
const stages = parseStages(dockerfile);
const runtime = stages.at(-1) as Stage;
const ignored = readFileSync(join(root, '.dockerignore'), 'utf8')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l !== '' && !l.startsWith('#'));
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  bin: Record<string, string>;
  engines: { node: string };
};

function only(stage: Stage, keyword: string): Instruction {
  const found = stage.instructions.filter((i) => i.keyword === keyword);
  expect(found, `${keyword} in stage ${stage.name ?? stage.image}`).toHaveLength(1);
  return found[0]!;
}

function resolveImage(image: string): string {
  return image.replace(
    /\$\{(\w+)\}/g,
    (_, name: string) => globalArgs(dockerfile).get(name) ?? `\${${name}}`,
  );
}

/** True when `.dockerignore` keeps `path` (relative to the context) out of the build context. */
function isIgnored(path: string): boolean {
  return ignored.some((pattern) => {
    const regex = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')}(/|$)`);
    return regex.test(path);
  });
}

describe('Dockerfile', () => {
  it('has a build stage and a runtime stage on a current Node LTS slim image', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const minimum = Number(/\d+/.exec(pkg.engines.node)?.[0]);
    for (const stage of stages) {
      const image = resolveImage(stage.image);
      const major = Number(/^node:(\d+)-slim$/.exec(image)?.[1]);
      expect(image, 'a node:<major>-slim image').toMatch(/^node:\d+-slim$/);
      expect(major % 2, 'LTS majors are even').toBe(0);
      expect(major).toBeGreaterThanOrEqual(Math.max(minimum, 22));
    }
    expect(stages[0]!.name).toBeDefined();
  });

  it('builds with dev dependencies and ships production dependencies only', () => {
    const buildRuns = stages[0]!.instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args);
    expect(buildRuns.some((r) => /npm ci\b/.test(r) && r.includes('--ignore-scripts'))).toBe(true);
    expect(buildRuns.some((r) => r.includes('npm run build'))).toBe(true);
    const runtimeRuns = runtime.instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args);
    // `prepare` runs the build, which needs dev dependencies: --ignore-scripts keeps it out.
    expect(
      runtimeRuns.some(
        (r) => /npm ci\b/.test(r) && r.includes('--omit=dev') && r.includes('--ignore-scripts'),
      ),
    ).toBe(true);
    expect(runtimeRuns.join('\n')).not.toContain('npm run build');
    const fromBuild = runtime.instructions.filter(
      (i) => i.keyword === 'COPY' && i.args.startsWith('--from='),
    );
    expect(fromBuild.map((i) => i.args)).toContain(`--from=${stages[0]!.name} /app/dist ./dist`);
  });

  it('runs as a non-root user with ENTRYPOINT affinity-sync and CMD worker', () => {
    const user = only(runtime, 'USER');
    expect(user.args).not.toMatch(/^(root|0)(:|$)/);
    const entrypoint = only(runtime, 'ENTRYPOINT');
    const cmd = only(runtime, 'CMD');
    expect(JSON.parse(entrypoint.args)).toEqual(['affinity-sync']);
    expect(JSON.parse(cmd.args)).toEqual(['worker']);
    expect(user.line).toBeLessThan(entrypoint.line);
    // The bin link points at the file package.json declares as the bin, made executable.
    const link = runtime.instructions.find(
      (i) => i.keyword === 'RUN' && i.args.includes('/usr/local/bin/affinity-sync'),
    );
    expect(link?.args).toContain(`ln -s /app/${pkg.bin['affinity-sync']} /usr/local/bin/affinity-sync`);
    expect(link?.args).toMatch(new RegExp(`chmod 0?755 ${pkg.bin['affinity-sync']!.replaceAll('.', '\\.')}`));
    expect(readFileSync(join(root, 'src/cli/main.ts'), 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(
      true,
    );
  });

  it('copies only files that exist and that .dockerignore lets into the context', () => {
    for (const stage of stages) {
      for (const copy of stage.instructions.filter(
        (i) => i.keyword === 'COPY' && !i.args.startsWith('--from='),
      )) {
        const parts = copy.args.split(/\s+/).filter((p) => !p.startsWith('--'));
        for (const source of parts.slice(0, -1)) {
          if (source === '.') continue;
          expect(existsSync(join(root, source)), `COPY ${source} (line ${copy.line}) exists`).toBe(true);
          expect(isIgnored(source), `COPY ${source} (line ${copy.line}) is not in .dockerignore`).toBe(false);
        }
      }
    }
    for (const needed of [
      'package.json',
      'package-lock.json',
      'tsconfig.json',
      'tsconfig.build.json',
      'src',
    ]) {
      expect(isIgnored(needed), `${needed} reaches the build`).toBe(false);
    }
    for (const kept of ['node_modules', 'dist', '.git', '.env', 'test']) {
      expect(isIgnored(kept), `${kept} stays out of the build context`).toBe(true);
    }
  });

  it('compiles without test/, which .dockerignore keeps out', () => {
    // tsconfig.build.json compiles src, jobs and bench; none of them may import from test/.
    const offenders: string[] = [];
    const walk = (dir: string): void => {
      if (!existsSync(dir)) return;
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path);
        else if (path.endsWith('.ts') && /from '(\.\.\/)+test\//.test(readFileSync(path, 'utf8'))) {
          offenders.push(relative(root, path));
        }
      }
    };
    for (const dir of ['src', 'jobs', 'bench']) walk(join(root, dir));
    expect(offenders).toEqual([]);
  });

  describe('HEALTHCHECK', () => {
    let server: Server;
    let status = 200;
    let port = 0;
    const run = promisify(execFile);

    beforeAll(async () => {
      server = createServer((req, res) => {
        res.statusCode = req.url === '/livez' ? status : 404;
        res.end();
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      port = (server.address() as AddressInfo).port;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    const healthcheck = () => {
      const instruction = only(runtime, 'HEALTHCHECK');
      const json = instruction.args.slice(instruction.args.indexOf('CMD') + 3).trim();
      const argv = JSON.parse(json) as string[];
      expect(argv[0]).toBe('node');
      return argv;
    };

    it('asks /livez (no Redis: an outage must not restart the worker), not /readyz', () => {
      const script = healthcheck().join(' ');
      expect(script).toContain("'/livez'");
      expect(script).not.toMatch(/readyz|healthz/);
    });

    it('exits 0 when /livez answers 200 on WORKER_HTTP_PORT', async () => {
      status = 200;
      const [, ...args] = healthcheck();
      await expect(
        run(process.execPath, args, { env: { WORKER_HTTP_PORT: String(port) } }),
      ).resolves.toBeDefined();
    });

    it('exits 1 when /livez answers 503 or nothing listens', async () => {
      status = 503;
      const [, ...args] = healthcheck();
      await expect(
        run(process.execPath, args, { env: { WORKER_HTTP_PORT: String(port) } }),
      ).rejects.toMatchObject({
        code: 1,
      });
      await expect(run(process.execPath, args, { env: { WORKER_HTTP_PORT: '1' } })).rejects.toMatchObject({
        code: 1,
      });
    });
  });

  // hadolint is not packaged for Debian or npm; dockerfilelint is, and is a dev dependency.
  it('passes dockerfilelint', () => {
    const lint = join(root, 'node_modules', '.bin', 'dockerfilelint');
    const result = spawnSync(lint, ['-o', 'json', join(root, 'Dockerfile')], { encoding: 'utf8' });
    const report = JSON.parse(result.stdout) as { totalIssues: number; files: { issues: unknown[] }[] };
    expect(report.files.flatMap((f) => f.issues)).toEqual([]);
    expect(report.totalIssues).toBe(0);
  });
});
