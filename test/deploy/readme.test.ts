import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { envSchema } from '../../src/config/env.js';

// The README's Configuration, Commands and Deployment sections must follow the code they describe.

const root = join(import.meta.dirname, '..', '..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');

function section(title: string): string {
  const start = readme.indexOf(`\n## ${title}\n`);
  expect(start, `README has ## ${title}`).toBeGreaterThan(-1);
  const end = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, end < 0 ? undefined : end);
}

/** Rows of the first Markdown table in `text`, as cells. */
function tableRows(text: string): string[][] {
  return text
    .split('\n')
    .filter((line) => line.startsWith('| ') && !line.startsWith('| ---'))
    .slice(1)
    .map((line) =>
      line
        .split(/(?<!\\)\|/)
        .slice(1, -1)
        .map((cell) => cell.trim()),
    );
}

describe('README', () => {
  it('Configuration lists every environment variable the code reads, with its default', () => {
    const rows = tableRows(section('Configuration'));
    const documented = new Map(rows.map(([name, fallback]) => [name!.replaceAll('`', ''), fallback!]));
    const names = Object.keys(envSchema.shape);
    expect([...documented.keys()].sort()).toEqual([...names].sort());
    const defaults = envSchema.parse({}) as Record<string, unknown>;
    for (const name of names) {
      const value = defaults[name];
      if (value === undefined) expect(documented.get(name), name).toMatch(/^unset/);
      else expect(documented.get(name), name).toBe(`\`${String(value)}\``);
    }
  });

  it('Commands lists every CLI command', () => {
    const main = readFileSync(join(root, 'src', 'cli', 'main.ts'), 'utf8');
    const commands = [...main.matchAll(/^ {2}'?([a-z-]+)'?: \{/gm)].map((m) => m[1]);
    expect(commands.length).toBeGreaterThan(5);
    const text = section('Commands');
    for (const name of commands) expect(text, name).toContain(`\`affinity-sync ${name}`);
  });

  it('Deployment shows the Kubernetes manifests of deploy/kubernetes as they are, using the image’s entrypoint commands', () => {
    const text = section('Deployment');
    const blocks = [...text.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!);
    const manifests = ['cronjob-run-all.yaml', 'worker-deployment.yaml'].map((file) =>
      readFileSync(join(root, 'deploy', 'kubernetes', file), 'utf8'),
    );
    // The files (checked by test/deploy/kubernetes.test.ts) and the README cannot drift apart.
    expect(blocks.slice(0, 2)).toEqual(manifests);
    const kinds = blocks.slice(0, 2).flatMap((block) =>
      parseAllDocuments(block).map((doc) => {
        expect(doc.errors).toEqual([]);
        return doc.toJS() as { kind: string };
      }),
    );
    expect(kinds.map((k) => k.kind)).toEqual(['CronJob', 'Deployment', 'Service']);
    expect(blocks[0]).toContain('args: ["run-all"]');
    expect(blocks[1]).toContain('args: ["worker"]');
    expect(blocks[1]).toContain('path: /livez');
    expect(blocks[1]).toContain('path: /readyz');
  });

  it('Run after dbt: every affinity-sync command it shows exists with those options; the webhook route exists', () => {
    const text = section('Deployment');
    const start = text.indexOf('\n### Run after dbt\n');
    expect(start).toBeGreaterThan(-1);
    const recipes = text.slice(start);
    const code = [...recipes.matchAll(/```(?:sh|python|yaml)\n([\s\S]*?)```/g)].map((m) => m[1]!);
    expect(code.length).toBe(3);
    // The GitHub Actions step is YAML.
    expect(parseAllDocuments(code[2]!)[0]?.errors).toEqual([]);
    const calls = code.flatMap((block) => [...block.matchAll(/affinity-sync:?[\d.]* (backfill [^\n"]+)/g)]);
    expect(calls.length).toBe(3);
    const cli = join(root, 'dist', 'src', 'cli', 'main.js');
    const usage = spawnSync(process.execPath, [cli, 'backfill', '--help'], { encoding: 'utf8' }).stdout;
    for (const call of calls) {
      const args = call[1]!.trim().split(/\s+/);
      expect(args[0]).toBe('backfill');
      for (const flag of args.filter((a) => a.startsWith('--'))) expect(usage, flag).toContain(`  ${flag}`);
      expect(args).toContain('--wait');
    }
    const app = readFileSync(join(root, 'src', 'http', 'create-app.ts'), 'utf8');
    expect(recipes).toContain('/webhooks/dbt-cloud?mapping=');
    expect(app).toContain("app.post('/webhooks/dbt-cloud'");
    expect(recipes).toContain('DBT_CLOUD_WEBHOOK_SECRET');
  });
});
