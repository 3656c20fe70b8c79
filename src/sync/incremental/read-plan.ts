/** Entries one batched read (GET /v2/companies?ids=…) or one scan page covers. */
const perCall = 100;

export interface ReadPlan {
  strategy: 'reread' | 'scan';
  /** Calls the re-reads would cost. */
  rereadCalls: number;
  /** Calls a scan of the whole list costs (one per 100 entries). */
  scanCalls: number;
}

/**
 * Re-read the entries the feed flagged (and those whose state is unknown), or scan the list when
 * that costs fewer calls (pure). `batched`: every mapped field is on the company, so 100 entities
 * come back per call; list fields are read one entry per call.
 */
export function chooseReadPlan(input: {
  toRead: number;
  batchedEntities?: number;
  entries: number;
}): ReadPlan {
  const rereadCalls =
    input.batchedEntities === undefined ? input.toRead : Math.ceil(input.batchedEntities / perCall);
  const scanCalls = Math.max(1, Math.ceil(input.entries / perCall));
  return { strategy: rereadCalls <= scanCalls ? 'reread' : 'scan', rereadCalls, scanCalls };
}
