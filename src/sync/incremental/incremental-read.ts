import type { AffinityClient } from '../../affinity/client.js';
import type { ListEntry } from '../../affinity/schemas.js';
import type { ValueType } from '../../affinity/value-type.js';
import type { Logger } from '../../log/logger.js';
import type { Mapping } from '../../mappings/mapping-schema.js';
import { syncSettingsOf } from '../../mappings/sync-settings.js';
import { EntryIndex } from '../entry-index.js';
import { flaggedEntries, reconcileWatermark } from './feed-window.js';
import { untrackedFields } from './field-tracking.js';
import { fieldsHash } from './fields-hash.js';
import {
  type EntryState,
  entryStateOf,
  type IncrementalMeta,
  type IncrementalState,
  listEntryOf,
  type Watermark,
} from './incremental-state.js';
import { readFeed } from './read-feed.js';
import { chooseReadPlan } from './read-plan.js';
import { rereadEntries } from './reread.js';
import { chooseRunKind, type RunKind } from './run-kind.js';
import { StateSession } from './state-session.js';
import { liveInfo, type SyncInfo } from './sync-info.js';

/** A mapped field as the incremental read needs it. */
export interface ReadField {
  fieldId: string;
  valueType: ValueType;
  /** The field's `type` on the list: "list" fields belong to the entry, the others to the company. */
  kind: string;
}

export interface CurrentValuesInput {
  client: AffinityClient;
  /** Where incremental state lives; null when the run has no store at all. */
  state: IncrementalState | null;
  mapping: Mapping;
  /** The mapping's list (incremental sync reads lists only). */
  listId: number;
  fields: readonly ReadField[];
  mode: 'diff' | 'overwrite';
  /** `run --full`. */
  full: boolean;
  dryRun: boolean;
  /** A full read of the list (the target's), page by page. */
  scan: () => AsyncIterable<ListEntry[]>;
  log: Logger;
  /** Called between pages; true when the run was asked to stop. */
  checkpoint: (entriesKnown: number) => boolean;
  /** @defaultValue Date.now */
  now?: () => number;
}

export interface CurrentValues {
  /** What the rows are diffed against: every entry with its current values. */
  index: EntryIndex;
  /** Entries read from Affinity this run (scanned or re-read): rows reaching only others cost nothing. */
  readThisRun: ReadonlySet<number> | 'all';
  session: StateSession;
  info: SyncInfo;
}

/**
 * Counts the rows the state made free: matched, no write needed, and every entry they reached
 * known from the state (not read this run).
 */
export function countSkippedRows(
  values: CurrentValues,
): (entries: readonly { listEntryId: number }[], changed: boolean) => void {
  const { readThisRun } = values;
  return (entries, changed) => {
    if (changed || readThisRun === 'all') return;
    if (entries.every((e) => !readThisRun.has(e.listEntryId))) values.info.rowsSkipped += 1;
  };
}

/** Thrown when a stop was asked for between pages. */
export class ReadInterrupted extends Error {}

/**
 * The "read current values" phase with its two strategies: a live scan, or (sync: incremental)
 * the kept state plus the entries others changed since the watermark, re-read — or a reconcile
 * scan that rebuilds the state when run-kind.ts or read-plan.ts says so.
 */
export async function readCurrentValues(input: CurrentValuesInput): Promise<CurrentValues> {
  const callsBefore = input.client.calls.total;
  const finish = (values: Omit<CurrentValues, 'info'>, info: SyncInfo): CurrentValues => {
    const readCalls = input.client.calls.total - callsBefore;
    return { ...values, info: { ...info, readCalls, callsSaved: info.liveScanCalls - readCalls } };
  };
  const settings = syncSettingsOf(input.mapping);
  if (settings.sync === 'live') return finish(...(await liveScan(input, 'mapping-live')));
  if (input.state === null || !input.state.durable) {
    const detail =
      'sync: incremental keeps its state in Redis; REDIS_URL is not set, so this run read the whole list like sync: live';
    input.log.warn({ mapping: input.mapping.name }, detail);
    return finish(...(await liveScan(input, 'no-durable-state', detail)));
  }
  const state = input.state;
  const now = input.now ?? Date.now;
  const userId = (await input.client.whoami()).user.id;
  const tracking = await untrackedFields(input.client, input.listId, input.fields);
  if (tracking.note) input.log.warn({ mapping: input.mapping.name }, tracking.note);
  const context: Context = {
    input,
    state,
    userId,
    tracked: input.fields.map((f) => f.fieldId).filter((id) => !tracking.untracked.includes(id)),
    hash: fieldsHash(input.listId, input.fields),
    now,
  };
  const meta = await state.meta();
  const kind = chooseRunKind({
    sync: settings.sync,
    full: input.full,
    mode: input.mode,
    durable: state.durable,
    meta,
    now: now(),
    reconcileEveryMs: settings.reconcileEveryMs,
    listId: input.listId,
    fieldsHash: context.hash,
    fieldIds: input.fields.map((f) => f.fieldId),
    untracked: tracking.untracked,
    userId,
  });
  switch (kind.kind) {
    case 'live':
      return finish(...(await liveScan(input, kind.reason)));
    case 'reconcile':
      return finish(...(await reconcile(context, kind)));
    case 'incremental':
      // chooseRunKind answers incremental only with kept meta.
      return finish(...(await incremental(context, meta as IncrementalMeta)));
    default: {
      const never: never = kind;
      return never;
    }
  }
}

interface Context {
  input: CurrentValuesInput;
  state: IncrementalState;
  userId: number;
  tracked: string[];
  hash: string;
  now: () => number;
}

type Read = [Omit<CurrentValues, 'info'>, SyncInfo];

async function liveScan(input: CurrentValuesInput, reason: string, detail?: string): Promise<Read> {
  const index = new EntryIndex();
  for await (const page of input.scan()) {
    for (const entry of page) index.add(entry);
    if (input.checkpoint(index.size)) throw new ReadInterrupted('interrupted before writing');
  }
  const session = new StateSession(null, new Map(), new Set(), null, input.log);
  return [{ index, readThisRun: 'all', session }, liveInfo(index.size, reason, detail)];
}

/** A full scan that rebuilds the state; a reconcile killed anywhere is followed by another. */
async function reconcile(context: Context, kind: Extract<RunKind, { kind: 'reconcile' }>): Promise<Read> {
  const { input, state } = context;
  const writing = !input.dryRun;
  if (writing) await state.forgetMeta();
  const startedAt = context.now();
  const index = new EntryIndex();
  const current = new Map<number, EntryState>();
  const ids = fieldIdSet(input);
  for await (const page of input.scan()) {
    for (const entry of page) {
      index.add(entry);
      current.set(entry.id, entryStateOf(entry, ids));
    }
    if (input.checkpoint(index.size)) throw new ReadInterrupted('interrupted before writing');
  }
  if (writing) await state.replaceEntries(current);
  const meta = metaOf(context, reconcileWatermark(startedAt), new Date(startedAt).toISOString());
  const session = sessionOf(context, writing, current, meta);
  const info: SyncInfo = {
    ...liveInfo(index.size, kind.reason, kind.detail),
    kind: 'reconcile',
    nextReconcileBy: nextReconcile(context, meta.reconciledAt),
  };
  input.log.info({ entries: index.size, reason: kind.reason }, 'list scanned (reconcile)');
  return [{ index, readThisRun: 'all', session }, info];
}

/** Kept state, the feed since the watermark, and re-reads of what it flags (or a scan, if cheaper). */
async function incremental(context: Context, meta: IncrementalMeta): Promise<Read> {
  const { input, state } = context;
  const current = await state.entries();
  const found = await whatToRead(context, meta, current);
  const { fold, toRead, plan } = found;
  const feed = { entriesFlagged: found.flagged, feedPages: fold.pages, ownChangesSkipped: fold.own };
  if (found.overflow || plan.strategy === 'scan') {
    const detail = `${found.overflow ? 'more than ' : ''}${toRead.length} entries to re-read cost more than a scan (${plan.scanCalls} calls)`;
    const [values, info] = await reconcile(context, { kind: 'reconcile', reason: 'cheaper-to-scan', detail });
    return [values, { ...info, ...feed }];
  }
  const fieldIds = input.fields.map((f) => f.fieldId);
  const reread = await rereadEntries(input.client, {
    listId: input.listId,
    ids: toRead,
    fieldIds,
    batched: found.batched,
    known: current,
  });
  const index = applyRereads(input, current, reread);
  if (!input.dryRun) await saveRereads(state, current, reread);
  const next = metaOf(context, fold.next(), meta.reconciledAt);
  const info: SyncInfo = {
    kind: 'incremental',
    rowsSkipped: 0,
    ...feed,
    entriesReread: toRead.length,
    liveScanCalls: plan.scanCalls,
    readCalls: 0,
    callsSaved: 0,
    nextReconcileBy: nextReconcile(context, meta.reconciledAt),
  };
  input.log.info(
    { entries: index.size, flagged: info.entriesFlagged, reread: toRead.length },
    'current values from state and feed',
  );
  const session = sessionOf(context, !input.dryRun, current, next);
  return [{ index, readThisRun: new Set(toRead), session }, info];
}

/**
 * The feed since the watermark, the entries it flags, those whose kept values are unknown, and
 * whether re-reading them beats a scan. The feed is read no further once a scan is cheaper.
 */
async function whatToRead(context: Context, meta: IncrementalMeta, current: ReadonlyMap<number, EntryState>) {
  const { input } = context;
  const scanCalls = Math.max(1, Math.ceil(current.size / 100));
  const { fold, overflow } = await readFeed(input.client, {
    fieldIds: input.fields.map((f) => f.fieldId),
    watermark: meta.watermark,
    ownUserId: context.userId,
    limit: scanCalls,
  });
  const flagged = flaggedEntries(fold.foreign, {
    listId: input.listId,
    listFieldIds: new Set(input.fields.filter((f) => f.kind === 'list').map((f) => f.fieldId)),
    known: (id) => current.has(id),
    entriesOfEntity: entityLookup(current),
  });
  const unknown = [...current].filter(([, s]) => s.values === null).map(([id]) => id);
  const toRead = [...new Set([...flagged.known, ...flagged.unknown, ...unknown])];
  // Every mapped field on the company (or person): 100 entities a call; new entries are read one by one.
  const batched = input.fields.every((f) => f.kind !== 'list') && flagged.unknown.size === 0;
  const plan = chooseReadPlan({
    toRead: toRead.length,
    entries: current.size,
    ...(batched ? { batchedEntities: new Set(toRead.map((id) => current.get(id)?.entityId)).size } : {}),
  });
  return { fold, overflow, flagged: flagged.known.size + flagged.unknown.size, toRead, batched, plan };
}

/** The index from kept entries, with re-read ones replacing theirs (gone ones dropped); updates `current`. */
function applyRereads(
  input: CurrentValuesInput,
  current: Map<number, EntryState>,
  reread: ReadonlyMap<number, ListEntry | null>,
): EntryIndex {
  const ids = fieldIdSet(input);
  const index = new EntryIndex();
  for (const [id, entry] of reread) {
    if (entry === null) current.delete(id);
    else current.set(id, entryStateOf(entry, ids));
  }
  for (const [id, state] of current) index.add(listEntryOf(id, input.listId, state));
  return index;
}

/** Values just read are facts: kept at once (entries gone from the list are dropped). */
async function saveRereads(
  state: IncrementalState,
  current: ReadonlyMap<number, EntryState>,
  reread: ReadonlyMap<number, ListEntry | null>,
): Promise<void> {
  const read: Array<readonly [number, EntryState]> = [];
  const gone: number[] = [];
  for (const id of reread.keys()) {
    const entry = current.get(id);
    if (entry === undefined) gone.push(id);
    else read.push([id, entry]);
  }
  await state.saveEntries(read);
  if (gone.length > 0) await state.deleteEntries(gone);
}

function sessionOf(
  context: Context,
  writing: boolean,
  current: Map<number, EntryState>,
  meta: IncrementalMeta,
) {
  const listFields = new Set(context.input.fields.filter((f) => f.kind === 'list').map((f) => f.fieldId));
  return new StateSession(writing ? context.state : null, current, listFields, meta, context.input.log);
}

function metaOf(context: Context, watermark: Watermark, reconciledAt: string): IncrementalMeta {
  return {
    version: 1,
    listId: context.input.listId,
    fieldsHash: context.hash,
    reconciledAt,
    watermark,
    tracked: context.tracked,
    userId: context.userId,
  };
}

function nextReconcile(context: Context, reconciledAt: string): string {
  const every = syncSettingsOf(context.input.mapping).reconcileEveryMs;
  return new Date(Date.parse(reconciledAt) + every).toISOString();
}

function fieldIdSet(input: CurrentValuesInput): Set<string> {
  return new Set(input.fields.map((f) => f.fieldId));
}

function entityLookup(current: ReadonlyMap<number, EntryState>): (entityId: number) => number[] {
  let byEntity: Map<number, number[]> | undefined;
  return (entityId) => {
    if (byEntity === undefined) {
      byEntity = new Map();
      for (const [id, state] of current)
        byEntity.set(state.entityId, [...(byEntity.get(state.entityId) ?? []), id]);
    }
    return byEntity.get(entityId) ?? [];
  };
}
