/** What kind of read a run made and what it saved: the report's `sync` section. */
export interface SyncInfo {
  /** live: a full scan keeping no state; reconcile: a full scan rebuilding it; incremental: state + feed. */
  kind: 'live' | 'reconcile' | 'incremental';
  /** Why this kind (run-kind.ts): e.g. "mapping-live", "first-run", "state-expired", "cheaper-to-scan". */
  reason?: string;
  /** The reason in words. */
  detail?: string;
  /** Matched rows whose entries were known from the state, unchanged and needed no read: they cost nothing. */
  rowsSkipped: number;
  /** Entries someone else changed in Affinity since the watermark (the feed's foreign changes). */
  entriesFlagged: number;
  /** Entries read again because the feed flagged them or their kept values were unknown. */
  entriesReread: number;
  /** Pages of GET /v2/field-value-changes read. */
  feedPages: number;
  /** Changes in the feed made by this API key's user (this sync's own writes), skipped. */
  ownChangesSkipped: number;
  /** Calls a live scan of the list costs (one per 100 entries). */
  liveScanCalls: number;
  /** Calls this run spent learning the current values (whoami, change tracking, feed, re-reads or scan). */
  readCalls: number;
  /** liveScanCalls − readCalls: what reading this way saved against a live run (negative: it cost more). */
  callsSaved: number;
  /** When the next reconcile is due at the latest (incremental mappings with kept state). */
  nextReconcileBy?: string;
}

/** A live run's info: a scan of `entries`, costing exactly what a live scan costs. */
export function liveInfo(entries: number, reason: string, detail?: string): SyncInfo {
  const liveScanCalls = Math.max(1, Math.ceil(entries / 100));
  return {
    kind: 'live',
    reason,
    ...(detail === undefined ? {} : { detail }),
    rowsSkipped: 0,
    entriesFlagged: 0,
    entriesReread: 0,
    feedPages: 0,
    ownChangesSkipped: 0,
    liveScanCalls,
    readCalls: liveScanCalls,
    callsSaved: 0,
  };
}
