import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/mappings/config-error.js';
import { findMapping, loadMappingFile, loadMappingsDir } from '../../src/mappings/load-mapping.js';
import { mappingText as m } from './support.js';

let root: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'affinity-sync-mappings-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function folder(name: string, files: Record<string, string>): Promise<string> {
  const dir = join(root, name);
  await mkdir(dir);
  for (const [file, text] of Object.entries(files)) await writeFile(join(dir, file), text);
  return dir;
}

async function configError(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return (error as ConfigError).message.replaceAll(root, '<root>');
}

describe('loading mapping files', () => {
  it('loads every *.yaml and *.yml of a folder, ignoring other files', async () => {
    const dir = await folder('ok', {
      'a.yaml': m({ name: 'name: alpha\n' }),
      'b.yml': m({ name: 'name: beta\n' }),
      'mapping.schema.json': '{}',
      'notes.txt': 'not a mapping',
    });
    const loaded = await loadMappingsDir(dir, {});
    expect(loaded.map((l) => [l.file.replace(root, '<root>'), l.mapping.name])).toEqual([
      ['<root>/ok/a.yaml', 'alpha'],
      ['<root>/ok/b.yml', 'beta'],
    ]);
  });

  it('reports the problems of every file of the folder together', async () => {
    const dir = await folder('bad', {
      'a.yaml': m({ name: 'name: Alpha\n' }),
      'b.yaml': m({ mode: 'mode: fast\n' }),
      'c.yaml': m({ name: 'name: gamma\n' }),
      'd.yaml': 'name: [\n',
    });
    expect(await configError(loadMappingsDir(dir, {}))).toBe(
      [
        '<root>/bad/a.yaml:1:7 name: expected a name of lowercase letters, digits and dashes, like "portfolio-metrics", found "Alpha"',
        '<root>/bad/b.yaml:11:7 mode: expected diff or overwrite, found "fast"',
        '<root>/bad/d.yaml:2:1 YAML syntax error: Flow sequence in block collection must be sufficiently indented and end with a ]',
      ].join('\n'),
    );
  });

  it('rejects a name two files share, pointing at the second', async () => {
    const dir = await folder('dup', {
      'a.yaml': m({ name: 'name: portfolio\n' }),
      'b.yaml': m({ name: 'name: portfolio\n' }),
    });
    expect(await configError(loadMappingsDir(dir, {}))).toBe(
      '<root>/dup/b.yaml:1:7 name: "portfolio" is also the name of <root>/dup/a.yaml; names must be unique in the mappings folder',
    );
  });

  it('reports a missing folder or file', async () => {
    expect(await configError(loadMappingsDir(join(root, 'nowhere'), {}))).toBe(
      '<root>/nowhere: no such folder',
    );
    expect(await configError(loadMappingFile(join(root, 'nowhere.yaml'), {}))).toBe(
      '<root>/nowhere.yaml: no such file',
    );
  });

  it('finds a mapping by path or by name; a broken neighbour does not stop it', async () => {
    const dir = await folder('find', {
      'a.yaml': m({ name: 'name: alpha\n' }),
      'broken.yaml': m({ name: 'name: broken\n', mode: 'mode: fast\n' }),
    });
    expect((await findMapping('alpha', dir, {})).mapping.name).toBe('alpha');
    expect((await findMapping(join(dir, 'a.yaml'), dir, {})).mapping.name).toBe('alpha');
    expect(await configError(findMapping('broken', dir, {}))).toBe(
      '<root>/find/broken.yaml:11:7 mode: expected diff or overwrite, found "fast"',
    );
    expect(await configError(findMapping('gamma', dir, {}))).toBe(
      '<root>/find: no mapping named "gamma" (found: alpha, broken)',
    );
  });
});
