import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FixtureError, loadFixtureFile, parseFixture } from '../../src/simulator/fixture.js';
import { generateFixture, portfolioListId } from '../../src/simulator/generate.js';
import { startSimulator } from '../../src/simulator/server.js';
import { api } from './support.js';

const dir = await mkdtemp(join(tmpdir(), 'sim-fixture-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('generateFixture', () => {
  it('is deterministic for a seed and differs across seeds', () => {
    expect(generateFixture({ companies: 200, seed: 9 })).toEqual(
      generateFixture({ companies: 200, seed: 9 }),
    );
    expect(generateFixture({ companies: 200, seed: 9 })).not.toEqual(
      generateFixture({ companies: 200, seed: 10 }),
    );
  });

  it('makes realistic unique companies, some with a second domain, some on the list twice, values partly filled', () => {
    const fixture = generateFixture({ companies: 2000, seed: 1 });
    const companies = fixture.companies;
    expect(companies).toHaveLength(2000);
    expect(new Set(companies.map((c) => c.name)).size).toBe(2000);
    const domains = companies.flatMap((c) => c.domains ?? []);
    expect(new Set(domains).size).toBe(domains.length);
    for (const c of companies) {
      expect(c.name).toMatch(/^[A-Z][a-z]+ [A-Z][a-z]+/);
      expect(c.domain).toMatch(/^[a-z0-9]+\.(com|io|ai|co|dev)$/);
      expect(c.domains?.[0]).toBe(c.domain);
    }
    const withAlternate = companies.filter((c) => (c.domains?.length ?? 0) > 1).length;
    expect(withAlternate / 2000).toBeGreaterThan(0.06);
    expect(withAlternate / 2000).toBeLessThan(0.14);

    const list = fixture.lists[0];
    expect(list?.id).toBe(portfolioListId);
    const entries = list?.entries ?? [];
    const twice = entries.length - 2000;
    expect(twice).toBeGreaterThan(15);
    expect(twice).toBeLessThan(70);
    expect(new Set(entries.map((e) => e.entityId)).size).toBe(2000);

    const types = list?.fields.map((f) => `${f.type}:${f.valueType}`);
    expect(types).toEqual(
      expect.arrayContaining([
        'list:number',
        'list:text',
        'list:dropdown',
        'list:ranked-dropdown',
        'list:datetime',
        'list:location',
        'list:dropdown-multi',
        'list:number-multi',
        'list:person',
        'list:company',
        'enriched:text',
        'relationship-intelligence:interaction',
      ]),
    );
    expect(list?.fields.find((f) => f.name === 'Stage')?.dropdownOptions?.map((o) => o.text)).toEqual([
      'Seed',
      'Series A',
      'Series B',
      'Series C',
      'Growth',
    ]);
    const filledArr = entries.filter((e) => e.values['field-101'] !== undefined).length / entries.length;
    expect(filledArr).toBeGreaterThan(0.4);
    expect(filledArr).toBeLessThan(0.8);
  });

  it('serves 100,000 companies; a page costs the same at any depth', async () => {
    const sim = await startSimulator({ companies: 100_000 });
    try {
      const list = sim.state.lists.get(portfolioListId);
      expect(list?.entries.length).toBeGreaterThan(101_000);
      const { get } = api(sim);
      const first = (await (await get('/v2/lists/1001/list-entries?fieldTypes=list')).json()) as {
        data: unknown[];
        pagination: { nextUrl: string };
      };
      expect(first.data).toHaveLength(100);
      // Jump deep with a cursor of the same form: the cursor is an offset, so the page is a slice.
      const deep = new URL(first.pagination.nextUrl);
      deep.searchParams.set('cursor', Buffer.from('after:101900').toString('base64url'));
      const last = (await (await get(deep.toString())).json()) as {
        data: { id: number }[];
        pagination: { nextUrl: null };
      };
      expect(last.data.length).toBe((list?.entries.length ?? 0) - 101_900);
      expect(last.pagination.nextUrl).toBeNull();
    } finally {
      await sim.close();
    }
  }, 60_000);
});

describe('fixtures', () => {
  it('names every structural problem and where it is', () => {
    const bad = {
      companies: [{ id: 1, name: 'A' }],
      lists: [
        {
          id: 5,
          name: 'L',
          type: 'deal',
          fields: [{ id: 'field-1', name: 'X', type: 'list', valueType: 'numbr' }],
        },
      ],
    };
    expect(() => parseFixture(bad, 'fixture deals.json')).toThrow(
      new FixtureError(
        'fixture deals.json is not a valid simulator fixture:\n' +
          '✖ Invalid option: expected one of "company"|"person"|"opportunity"\n  → at lists[0].type\n' +
          '✖ Invalid option: expected one of "person"|"person-multi"|"company"|"company-multi"|"filterable-text"|"filterable-text-multi"|"number"|"number-multi"|"datetime"|"location"|"location-multi"|"text"|"ranked-dropdown"|"dropdown"|"dropdown-multi"|"formula-number"|"interaction"\n  → at lists[0].fields[0].valueType',
      ),
    );
  });

  it('names unknown companies and fields referenced by entries', () => {
    const bad = {
      companies: [{ id: 1, name: 'A' }],
      lists: [
        { id: 5, name: 'L', type: 'company', entries: [{ id: 1, entityId: 2, values: { 'field-9': 1 } }] },
      ],
    };
    expect(() => parseFixture(bad)).toThrow(
      'fixture is not a valid simulator fixture:\n' +
        '✖ company 2 is not in "companies"\n  → at lists[0].entries[0].entityId\n' +
        '✖ "field-9" is not a field of list 5\n  → at lists[0].entries[0].values["field-9"]',
    );
  });

  it('names a value that does not fit its field', async () => {
    const fixture = {
      companies: [{ id: 1, name: 'A' }],
      lists: [
        {
          id: 5,
          name: 'L',
          type: 'company' as const,
          fields: [
            {
              id: 'field-1',
              name: 'Stage',
              type: 'list' as const,
              valueType: 'dropdown' as const,
              dropdownOptions: [{ id: 3, text: 'Seed' }],
            },
          ],
          entries: [{ id: 1, entityId: 1, values: { 'field-1': { dropdownOptionId: 4 } } }],
        },
      ],
    };
    await expect(startSimulator({ fixture })).rejects.toThrow(
      'fixture: lists[0].entries[0].values["field-1"]: field "Stage" (field-1, dropdown) expects the id of one of its dropdown options (3); got {"dropdownOptionId":4}',
    );
  });

  it('loads a file, round-trips a state dump, and reports bad JSON with the path', async () => {
    const sim = await startSimulator({ companies: 20 });
    const dump = sim.state.dump();
    await sim.close();
    const path = join(dir, 'dump.json');
    await writeFile(path, JSON.stringify(dump));
    const loaded = await loadFixtureFile(path);
    const again = await startSimulator({ fixture: loaded });
    expect(again.state.dump()).toEqual(dump);
    await again.close();
    const broken = join(dir, 'broken.json');
    await writeFile(broken, '{"companies": [');
    await expect(loadFixtureFile(broken)).rejects.toThrow(`fixture ${broken} is not valid JSON:`);
  });
});

describe('README', () => {
  it('documents a fixture example that loads', async () => {
    const { readFile } = await import('node:fs/promises');
    const readme = await readFile(join(import.meta.dirname, '..', '..', 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('### Fixture format'));
    const json = /```json\n([\s\S]*?)```/.exec(section)?.[1];
    const sim = await startSimulator({ fixture: parseFixture(JSON.parse(json ?? 'null'), 'README example') });
    expect(sim.state.lists.get(2001)?.entries).toHaveLength(3);
    await sim.close();
  });
});
