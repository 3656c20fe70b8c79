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

  it('Deployment’s Kubernetes manifests are valid YAML using the image’s entrypoint commands', () => {
    const text = section('Deployment');
    const blocks = [...text.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!);
    expect(blocks.length).toBe(2);
    const kinds = blocks.flatMap((block) =>
      parseAllDocuments(block).map((doc) => {
        expect(doc.errors).toEqual([]);
        return doc.toJS() as { kind: string };
      }),
    );
    expect(kinds.map((k) => k.kind)).toEqual(['CronJob', 'Deployment']);
    expect(blocks[0]).toContain('args: ["run-all"]');
    expect(blocks[1]).toContain('args: ["worker"]');
    expect(blocks[1]).toContain('path: /healthz');
  });
});
