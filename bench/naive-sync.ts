import { setTimeout as delay } from 'node:timers/promises';
import type { FieldUpdate } from '../src/affinity/field-value.js';
import type { Row } from '../src/sources/source.js';
import { convertValue, type FieldTarget } from '../src/sync/convert-value.js';

// The baseline: the scheduled script Affinity's own guide describes. It looks up each row's list
// entry once (a scan of the list, without values), then sends one PATCH per row with every mapped
// field, one request at a time: no diff, no pacing; a 429 is honoured by waiting the reset the
// server reports. Field ids and dropdown options are hard-coded by the caller, as such a script
// would, which spares it the field reads our engine makes.

export interface NaiveSyncOptions {
  /** Affinity base URL, e.g. the simulator's. */
  baseUrl: string;
  apiKey: string;
  listId: number;
  /** Source rows, in order. */
  rows: Iterable<Row>;
  /** Column holding the company (entity) id. */
  entityColumn: string;
  /** Column → target field, with dropdown options where the field has them. */
  fields: Array<{ column: string; target: FieldTarget }>;
}

export interface NaiveSyncResult {
  reads: number;
  writes: number;
  /** 429 answers (each retried after the reset). */
  rateLimited: number;
  /** Rows whose PATCH was refused (other than 429), or that matched no entry. */
  failed: number;
  rowsWritten: number;
  /** Time of the list scan, ms. */
  scanMs: number;
  /** Time of the PATCHes, ms. */
  writeMs: number;
}

/** Runs the naive script once. */
export async function naiveSync(options: NaiveSyncOptions): Promise<NaiveSyncResult> {
  const result: NaiveSyncResult = {
    reads: 0,
    writes: 0,
    rateLimited: 0,
    failed: 0,
    rowsWritten: 0,
    scanMs: 0,
    writeMs: 0,
  };
  const headers = { authorization: `Bearer ${options.apiKey}`, 'content-type': 'application/json' };

  /** One request; on 429 waits the server's reset (else a minute) and sends it again. */
  async function send(url: string, init: RequestInit, kind: 'reads' | 'writes'): Promise<Response> {
    for (;;) {
      const response = await fetch(url, { ...init, headers });
      result[kind] += 1;
      if (response.status !== 429) return response;
      await response.arrayBuffer();
      result.rateLimited += 1;
      const reset = Number(response.headers.get('x-ratelimit-limit-user-reset'));
      await delay(Number.isFinite(reset) && reset > 0 ? reset * 1000 : 60_000);
    }
  }

  const scanStart = performance.now();
  const entryOf = new Map<string, number>();
  let next: string | null = `${options.baseUrl}/v2/lists/${options.listId}/list-entries?limit=100`;
  while (next) {
    const response = await send(next, { method: 'GET' }, 'reads');
    if (!response.ok) throw new Error(`naive script: GET list entries answered ${response.status}`);
    const page = (await response.json()) as {
      data: Array<{ id: number; entity: { id: number } }>;
      pagination: { nextUrl?: string | null };
    };
    for (const entry of page.data) entryOf.set(String(entry.entity.id), entry.id);
    next = page.pagination.nextUrl ?? null;
  }
  result.scanMs = performance.now() - scanStart;

  const writeStart = performance.now();
  for (const row of options.rows) {
    const entryId = entryOf.get(String(row[options.entityColumn]));
    if (entryId === undefined) {
      result.failed += 1;
      continue;
    }
    const updates: FieldUpdate[] = [];
    for (const { column, target } of options.fields) {
      const converted = convertValue(row[column] ?? null, target);
      if (converted.ok) updates.push({ id: target.fieldId, value: converted.value });
    }
    const url = `${options.baseUrl}/v2/lists/${options.listId}/list-entries/${entryId}/fields`;
    const response = await send(
      url,
      { method: 'PATCH', body: JSON.stringify({ operation: 'update-fields', updates }) },
      'writes',
    );
    await response.arrayBuffer();
    if (response.ok) result.rowsWritten += 1;
    else result.failed += 1;
  }
  result.writeMs = performance.now() - writeStart;
  return result;
}
