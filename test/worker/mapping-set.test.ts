import { describe, expect, it } from 'vitest';
import { mappingSchema } from '../../src/mappings/mapping-schema.js';
import {
  type FileState,
  reconcileMappings,
  runningVersions,
  schedulerChanges,
} from '../../src/worker/mapping-set.js';
import type { CheckedVersion } from '../../src/worker/read-mappings.js';

// The pure decisions behind live reloads: what runs after a new read of the folder.

const dir = '/m';
const valid = (file: string, name: string, hash: string, cron?: string): CheckedVersion => ({
  file: `${dir}/${file}`,
  name,
  hash,
  problems: [],
  mapping: mappingSchema.parse({
    name,
    ...(cron ? { schedule: { cron } } : {}),
    source: { type: 'duckdb', query: 'select 1 as id' },
    list: 1,
    match: [{ column: 'id', by: 'entityId' }],
    fields: { id: 'Id' },
  }),
});
const invalid = (file: string, hash: string, message = 'unknown key "bogus"'): CheckedVersion => ({
  file: `${dir}/${file}`,
  hash,
  problems: [{ file: `${dir}/${file}`, line: 9, column: 1, path: 'bogus', message }],
});

function read(previous: ReadonlyMap<string, FileState>, checked: CheckedVersion[]) {
  return reconcileMappings(previous, checked, dir);
}

describe('reconcileMappings', () => {
  const start = read(new Map(), [valid('a.yaml', 'a', 'h1', '0 3 * * *'), valid('b.yaml', 'b', 'h2')]);

  it('first read: every valid file runs, each an "added" change', () => {
    expect([...runningVersions(start.files).keys()]).toEqual(['a', 'b']);
    expect(start.changes.map((c) => c.kind)).toEqual(['added', 'added']);
  });

  it('a valid edit replaces the version; an unchanged file changes nothing', () => {
    const next = read(start.files, [valid('a.yaml', 'a', 'h1b', '0 3 * * *'), valid('b.yaml', 'b', 'h2')]);
    expect(next.changes).toEqual([
      { kind: 'updated', name: 'a', hash: 'h1b', previousHash: 'h1', file: '/m/a.yaml' },
    ]);
    expect(runningVersions(next.files).get('a')?.hash).toBe('h1b');
  });

  it('an invalid edit keeps the last valid version running and reports it once', () => {
    const broken = read(start.files, [invalid('a.yaml', 'h1x'), valid('b.yaml', 'b', 'h2')]);
    expect(broken.changes).toEqual([
      {
        kind: 'invalid',
        file: '/m/a.yaml',
        problems: ['/m/a.yaml:9:1 bogus: unknown key "bogus"'],
        kept: { name: 'a', hash: 'h1' },
      },
    ]);
    expect(runningVersions(broken.files).get('a')?.hash).toBe('h1');
    // Read again unchanged (SIGHUP): nothing new to say.
    expect(read(broken.files, [invalid('a.yaml', 'h1x'), valid('b.yaml', 'b', 'h2')]).changes).toEqual([]);
    // Fixed back to the running text: valid again; to another text: updated.
    const fixed = read(broken.files, [valid('a.yaml', 'a', 'h1', '0 3 * * *'), valid('b.yaml', 'b', 'h2')]);
    expect(fixed.changes).toEqual([{ kind: 'valid-again', name: 'a', hash: 'h1', file: '/m/a.yaml' }]);
    expect(fixed.files.get('/m/a.yaml')?.problems).toEqual([]);
  });

  it('a new invalid file runs nothing; a removed file takes its mapping away', () => {
    const next = read(start.files, [valid('a.yaml', 'a', 'h1', '0 3 * * *'), invalid('c.yaml', 'h3')]);
    expect(next.changes).toEqual([
      { kind: 'invalid', file: '/m/c.yaml', problems: ['/m/c.yaml:9:1 bogus: unknown key "bogus"'] },
      { kind: 'removed', name: 'b', hash: 'h2', file: '/m/b.yaml' },
    ]);
    expect([...runningVersions(next.files).keys()]).toEqual(['a']);
  });

  it('a renamed mapping is the old name removed and the new one added', () => {
    const next = read(start.files, [valid('a.yaml', 'a2', 'h9'), valid('b.yaml', 'b', 'h2')]);
    expect(next.changes.map((c) => [c.kind, 'name' in c ? c.name : c.file])).toEqual([
      ['removed', 'a'],
      ['added', 'a2'],
    ]);
  });

  it('two files may not run under one name: the later one loses its version', () => {
    // b.yaml's text is broken and keeps running "b"; c.yaml now claims "b" too.
    const broken = read(start.files, [valid('a.yaml', 'a', 'h1'), invalid('b.yaml', 'h2x')]);
    const clash = read(broken.files, [
      valid('a.yaml', 'a', 'h1'),
      invalid('b.yaml', 'h2x'),
      valid('c.yaml', 'b', 'h4'),
    ]);
    expect(runningVersions(clash.files).get('b')?.hash).toBe('h2');
    expect(clash.files.get('/m/c.yaml')?.problems.map((p) => p.message)).toEqual([
      '"b" is also the name of /m/b.yaml; names must be unique in the mappings folder',
    ]);
  });

  it('an unreadable folder changes nothing and says so', () => {
    const gone = read(start.files, [
      { file: dir, problems: [{ file: dir, path: '', message: 'no such folder' }] },
    ]);
    expect(gone.changes).toEqual([{ kind: 'invalid', file: dir, problems: ['/m: no such folder'] }]);
    expect([...runningVersions(gone.files).keys()]).toEqual(['a', 'b']);
  });
});

describe('schedulerChanges', () => {
  it('upserts new and changed schedules, removes those gone or unscheduled, leaves the rest', () => {
    const before = runningVersions(
      read(new Map(), [
        valid('a.yaml', 'a', '1', '0 3 * * *'),
        valid('b.yaml', 'b', '2', '0 4 * * *'),
        valid('c.yaml', 'c', '3', '0 5 * * *'),
        valid('d.yaml', 'd', '4', '0 6 * * *'),
      ]).files,
    );
    const after = runningVersions(
      read(new Map(), [
        valid('a.yaml', 'a', '1b', '0 3 * * *'),
        valid('b.yaml', 'b', '2b', '30 4 * * *'),
        valid('c.yaml', 'c', '3b'),
        valid('e.yaml', 'e', '5', '0 7 * * *'),
      ]).files,
    );
    const changes = schedulerChanges(before, after);
    expect(changes.upsert.map((m) => m.name)).toEqual(['b', 'e']);
    expect(changes.remove).toEqual(['c', 'd']);
  });
});
