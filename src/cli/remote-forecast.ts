import type { QuotaAllowance } from '../affinity/allowance-watch.js';
import type { RemoteCheck } from '../mappings/remote-check.js';
import { needsOptions } from '../sync/phases/resolve-fields.js';
import { allowanceText, quotaForecast } from '../sync/quota-forecast.js';

/** Fields per page of GET …/fields (the most Affinity serves, as the client asks). */
const fieldsPerPage = 100;

/**
 * What `validate --remote` can say of a real run's calls without reading the list (pure): the
 * reads it knows (field pages, one option list per dropdown field, as the resolve phase does),
 * the per-entry rest, and the monthly allowance left, warning when even the known reads are more
 * than `warnShare` of it. The exact count is a dry run's.
 */
export function remoteForecastLines(
  check: Pick<RemoteCheck, 'fields' | 'listFieldCount'>,
  allowance: QuotaAllowance | undefined,
  warnShare: number,
): string[] {
  const fieldPages = Math.max(1, Math.ceil((check.listFieldCount ?? 0) / fieldsPerPage));
  const dropdowns = check.fields.filter(needsOptions).length;
  const reads = fieldPages + dropdowns;
  const s = (n: number) => (n === 1 ? '' : 's');
  const lines = [
    `  calls    a real run reads ${reads} (${fieldPages} field page${s(fieldPages)}, ${dropdowns} dropdown option list${s(dropdowns)}) ` +
      '+ 1 per 100 list entries, then writes 1 per changed entry (per 100 changed fields); `run --dry-run` counts them exactly',
    `  quota    ${allowanceText(allowance)}`,
  ];
  // At least one page of list entries is read.
  const warning = quotaForecast({ reads: reads + 1, writes: 0 }, allowance, warnShare, true).warning;
  if (warning !== undefined) lines.push(`  warning  quota: ${warning}`);
  return lines;
}
