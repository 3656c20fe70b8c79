import { generateFixture, portfolioListId } from '../simulator/generate.js';

// The sample warehouse rows behind the demo (data/portfolio-metrics.csv) and the compose warehouse
// (data/warehouse-seed.sql), derived from the simulator's generated portfolio so their ids and
// domains exist there. Same seed, same companies: the simulator must be started with these.

/** Seed of the simulator's generator for the demo and docker-compose. */
export const demoSeed = 7;
/** Companies the simulator generates for the demo and docker-compose. */
export const demoCompanies = 40;
/** The generated Portfolio list the example mappings write to. */
export const demoListId = portfolioListId;

/** One warehouse row; null is an empty CSV cell or SQL NULL. */
export interface DemoRow {
  company_id: number | null;
  domain: string | null;
  arr: number | null;
  headcount: number | null;
  stage: string | null;
  health: string | null;
  last_funding: string | null;
  notes: string | null;
}

export const demoColumns = [
  'company_id',
  'domain',
  'arr',
  'headcount',
  'stage',
  'health',
  'last_funding',
  'notes',
] as const satisfies readonly (keyof DemoRow)[];

const stages = ['Seed', 'Series A', 'Series B', 'Series C', 'Growth'];
const healths = ['Healthy', 'Watch', 'At Risk'];
const notes = [
  'Raised a bridge round; runway into next year.',
  'New CFO hired this quarter.',
  'Pilot with two enterprise customers.',
];

// Domains written the way warehouses hold them: the sync must normalize them to match.
const messyDomain: Record<number, (domain: string) => string> = {
  3: (d) => d.toUpperCase(),
  7: (d) => `https://www.${d}/about`,
  11: (d) => `${d}.`,
  15: (d) => `http://${d}:443/?utm_source=crm`,
};

/**
 * Rows for the first 30 generated companies (even ones matched by company id, odd ones by domain,
 * some domains messy), a third keeping Affinity's current ARR, plus three rows the report must
 * show: a domain no company has, a stage that is no option of the dropdown, and a second row for
 * a company already listed (the later row wins).
 */
export function demoRows(): DemoRow[] {
  const fixture = generateFixture({ companies: demoCompanies, seed: demoSeed });
  const list = fixture.lists.find((l) => l.id === demoListId);
  if (!list) throw new Error(`the generated fixture has no list ${demoListId}`);
  const rows: DemoRow[] = [];
  fixture.companies.slice(0, 30).forEach((company, i) => {
    const current = list.entries.find((e) => e.entityId === company.id)?.values ?? {};
    const currentArr = typeof current['field-101'] === 'number' ? current['field-101'] : null;
    const domain = company.domains?.at(-1) ?? company.domain ?? null;
    const byId = i % 2 === 0;
    const day = 1 + ((i * 7) % 28);
    rows.push({
      company_id: byId ? company.id : null,
      domain: byId || domain === null ? null : (messyDomain[i]?.(domain) ?? domain),
      arr: i % 3 === 0 && currentArr !== null ? currentArr : (i + 1) * 125_000,
      headcount: 12 + ((i * 37) % 400),
      stage: stages[i % stages.length] ?? null,
      health: i % 4 === 3 ? null : (healths[i % healths.length] ?? null),
      last_funding: `202${3 + (i % 3)}-${String(1 + (i % 12)).padStart(2, '0')}-${String(day).padStart(2, '0')}`,
      notes: i % 5 === 4 ? null : (notes[i % notes.length] ?? null),
    });
  });
  const late = fixture.companies[2];
  rows.push(
    {
      company_id: null,
      domain: 'quietfield-robotics.example',
      arr: 2_000_000,
      headcount: 18,
      stage: 'Seed',
      health: 'Healthy',
      last_funding: '2024-05-14',
      notes: null,
    },
    {
      company_id: fixture.companies[30]?.id ?? null,
      domain: null,
      arr: 990_000,
      headcount: 64,
      stage: 'Series Z',
      health: 'Watch',
      last_funding: '2024-02-29',
      notes: 'Stage typed by hand in the warehouse.',
    },
    {
      company_id: late?.id ?? null,
      domain: null,
      arr: 3_250_000,
      headcount: 140,
      stage: 'Series B',
      health: 'Healthy',
      last_funding: '2025-03-03',
      notes: 'Restated after the audit.',
    },
  );
  return rows;
}
