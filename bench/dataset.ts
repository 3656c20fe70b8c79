import { portfolioFields, portfolioListId } from '../src/simulator/generate.js';
import type { Fixture } from '../src/simulator/server.js';

// The benchmark data: entity i's values follow one formula, so the simulator's fixture and the
// warehouse table (built by SQL from the same formula) agree except where a row is meant to differ.

/** The list the benchmark writes to (the generator's Portfolio list and fields). */
export const benchListId = portfolioListId;

/** Stage options in id order (field-104's options 10401…). */
export const stageNames = ['Seed', 'Series A', 'Series B', 'Series C', 'Growth'] as const;

/** Warehouse column → field name, as the benchmark mappings write them. */
export const benchFields: Record<string, string> = {
  arr: 'ARR',
  headcount: 'Headcount',
  notes: 'Sector Notes',
  stage: 'Stage',
  last_funding: 'Last Funding Date',
};

/** Calendar date of entity i's last funding: 2020-01-01 plus (i mod 1000) days. */
function fundingDate(i: number): string {
  return new Date(Date.UTC(2020, 0, 1) + (i % 1000) * 86_400_000).toISOString().slice(0, 10);
}

/** First list entry id; entry of entity i is `entryIdBase + i`. */
export const entryIdBase = 1_000_000;

/**
 * A simulator fixture with companies 1..entries on the Portfolio list, one entry each, every mapped
 * field filled with entity i's current value; `trackChanges` turns change tracking on for list fields.
 */
export function benchFixture(entries: number, options: { trackChanges?: boolean } = {}): Fixture {
  const companies: Array<{ id: number; name: string; domain: string; domains: string[] }> = [];
  const listEntries: Array<{ id: number; entityId: number; values: Record<string, unknown> }> = [];
  for (let i = 1; i <= entries; i++) {
    const domain = `company${i}.example.com`;
    companies.push({ id: i, name: `Company ${i}`, domain, domains: [domain] });
    listEntries.push({
      id: entryIdBase + i,
      entityId: i,
      values: {
        'field-101': i * 1000,
        'field-102': (i % 500) + 1,
        'field-103': `note ${i % 7}`,
        'field-104': { dropdownOptionId: 10401 + (i % 5) },
        'field-106': `${fundingDate(i)}T00:00:00Z`,
      },
    });
  }
  return {
    companies,
    lists: [
      {
        id: benchListId,
        name: 'Portfolio',
        type: 'company',
        // Incremental scenarios turn change tracking on for the list's fields (the feed serves only those).
        fields: options.trackChanges
          ? portfolioFields.map((f) => (f.type === 'list' ? { ...f, trackChanges: true } : f))
          : portfolioFields,
        entries: listEntries,
      },
    ],
  };
}

/**
 * SQL creating `table` with rows for companies 1..rows: the fixture's values, except ARR + 1 on
 * every row whose company_id is a multiple of `changedEvery` (20 → 5% changed, 1 → all). Domains
 * are written messy (scheme, www., upper case, path) so the domain rule normalizes them.
 */
export function warehouseSql(table: string, rows: number, changedEvery: number): string {
  const stages = stageNames.map((s) => `'${s}'`).join(', ');
  return `create table ${table} as
select i as company_id,
       'https://www.Company' || i || '.example.com/about' as domain,
       i::bigint * 1000 + case when i % ${changedEvery} = 0 then 1 else 0 end as arr,
       (i % 500) + 1 as headcount,
       'note ' || (i % 7) as notes,
       (array[${stages}])[(i % 5) + 1] as stage,
       date '2020-01-01' + (i % 1000) as last_funding
from generate_series(1, ${rows}) as i`;
}

/** Entries the engine must write: matched rows (company_id ≤ entries) whose ARR differs. */
export function expectedChanged(entries: number, rows: number, changedEvery: number): number {
  return Math.floor(Math.min(entries, rows) / changedEvery);
}
