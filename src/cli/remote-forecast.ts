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
  check: Pick<RemoteCheck, 'fields' | 'listFieldCount' | 'destination'>,
  allowance: QuotaAllowance | undefined,
  warnShare: number,
): string[] {
  const fieldPages = Math.max(1, Math.ceil((check.listFieldCount ?? 0) / fieldsPerPage));
  const dropdowns = check.fields.filter(needsOptions).length;
  const reads = fieldPages + dropdowns;
  const s = (n: number) => (n === 1 ? '' : 's');
  // A list is read page by page; companies / persons by the ids the rows reach, after a search per new key.
  const rest =
    check.destination.kind === 'list'
      ? '+ 1 per 100 list entries, then writes 1 per changed entry'
      : '+ 1 per 100 matched records and a search per domain or e-mail not seen before, then writes 1 per changed record';
  const lines = [
    `  calls    a real run reads ${reads} (${fieldPages} field page${s(fieldPages)}, ${dropdowns} dropdown option list${s(dropdowns)}) ` +
      `${rest} (per 100 changed fields); \`run --dry-run\` counts them exactly`,
    `  quota    ${allowanceText(allowance)}`,
  ];
  // At least one page of list entries is read.
  const warning = quotaForecast({ reads: reads + 1, writes: 0 }, allowance, warnShare, true).warning;
  if (warning !== undefined) lines.push(`  warning  quota: ${warning}`);
  return lines;
}
