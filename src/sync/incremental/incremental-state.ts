import { z } from 'zod';
import { personEmailsSchema } from '../../affinity/entity-schemas.js';
import { fieldValueReadSchema, type ListEntry } from '../../affinity/schemas.js';
import type { StateMap, StateStore } from '../../state/state-store.js';

// The state an incremental mapping keeps between runs, in two maps of the StateStore:
//   incremental:<mapping>:entries  list entry id → EntryState (every entry of the list at the last
//                                  reconcile: identity for matching rows — entity id, domains,
//                                  e-mail addresses — and the values last known
//                                  to be in Affinity for the mapped fields, or null = unknown)
//   incremental:<mapping>:meta     "meta" → IncrementalMeta (list, field-set hash, watermark,
//                                  last reconcile, tracked fields, the key's user)
// The row key → entries index is rebuilt from the entries' identities at each run (through the
// same EntryIndex a scan fills), so it follows the match rules of the run, not of the last one.

export const entryStateSchema = z.object({
  /** The list entry's type: "company", "person" or "opportunity". */
  type: z.string(),
  entityId: z.number().int(),
  name: z.string().optional(),
  domain: z.string().nullable(),
  domains: z.array(z.string()),
  /** A person's addresses, for rules matching by e-mail. */
  primaryEmailAddress: z.string().nullable().optional(),
  emailAddresses: z.array(z.string()).optional(),
  /** Values last known to be in Affinity, by field id; null when a write was sent and not confirmed. */
  values: z.record(z.string(), fieldValueReadSchema).nullable(),
});
export type EntryState = z.infer<typeof entryStateSchema>;

export const watermarkSchema = z.object({
  /** The latest `changedAt` the feed returned (Affinity's clock), or the reconcile's start (ours, minus a margin). */
  changedAt: z.string(),
  /** [change id, changedAt in ms] of changes already handled near the watermark, skipped when read again. */
  seen: z.array(z.tuple([z.number().int(), z.number()])),
});
export type Watermark = z.infer<typeof watermarkSchema>;

export const metaSchema = z.object({
  version: z.literal(1),
  listId: z.number().int(),
  /** Hash of the list and the mapped fields (fields-hash.ts): a change forces a reconcile. */
  fieldsHash: z.string(),
  /** When the last reconcile (a full read that rebuilt the entries) started. */
  reconciledAt: z.string(),
  watermark: watermarkSchema,
  /** Mapped fields that tracked changes when the watermark was set: the feed covers only those. */
  tracked: z.array(z.string()),
  /** The API key's user at the last run: its own changes are not read as someone else's. */
  userId: z.number().int(),
});
export type IncrementalMeta = z.infer<typeof metaSchema>;

const metaKey = 'meta';

/** The incremental state of one mapping on a StateStore; every write is one the caller confirmed. */
export class IncrementalState {
  readonly durable: boolean;
  readonly #entries: StateMap<EntryState>;
  readonly #meta: StateMap<IncrementalMeta>;

  constructor(store: StateStore, mappingName: string) {
    this.durable = store.durable;
    this.#entries = store.map(`incremental:${mappingName}:entries`, entryStateSchema);
    this.#meta = store.map(`incremental:${mappingName}:meta`, metaSchema);
  }

  async meta(): Promise<IncrementalMeta | undefined> {
    return (await this.#meta.getMany([metaKey])).get(metaKey);
  }

  saveMeta(meta: IncrementalMeta): Promise<void> {
    return this.#meta.setMany([[metaKey, meta]]);
  }

  /** A reconcile starts by forgetting the meta: if it is killed, the next run reconciles again. */
  forgetMeta(): Promise<void> {
    return this.#meta.deleteMany([metaKey]);
  }

  async entries(): Promise<Map<number, EntryState>> {
    const entries = new Map<number, EntryState>();
    for await (const [key, value] of this.#entries.entries()) entries.set(Number(key), value);
    return entries;
  }

  saveEntries(entries: Iterable<readonly [number, EntryState]>): Promise<void> {
    return this.#entries.setMany([...entries].map(([id, state]) => [String(id), state] as const));
  }

  deleteEntries(ids: readonly number[]): Promise<void> {
    return this.#entries.deleteMany(ids.map(String));
  }

  /** Replaces every entry (a reconcile: entries gone from the list go too). */
  async replaceEntries(entries: Iterable<readonly [number, EntryState]>): Promise<void> {
    await this.#entries.clear();
    await this.saveEntries(entries);
  }
}

/** An entry as read from Affinity (scan or re-read) → its state, keeping only the mapped fields. */
export function entryStateOf(entry: ListEntry, fieldIds: ReadonlySet<string>): EntryState {
  const values: Record<string, z.infer<typeof fieldValueReadSchema>> = {};
  for (const field of entry.entity.fields) if (fieldIds.has(field.id)) values[field.id] = field.value;
  const emails = personEmailsSchema.safeParse(entry.entity);
  const primary = emails.success ? emails.data.primaryEmailAddress : undefined;
  const all = emails.success ? emails.data.emailAddresses : undefined;
  return {
    type: entry.type,
    entityId: entry.entity.id,
    ...(entry.entity.name === undefined ? {} : { name: entry.entity.name }),
    domain: entry.entity.domain ?? null,
    domains: entry.entity.domains ?? [],
    ...(primary === undefined ? {} : { primaryEmailAddress: primary }),
    ...(all === undefined || all === null ? {} : { emailAddresses: all }),
    values,
  };
}

/**
 * A kept entry in the shape a scan returns it, so the index (and the row key → entries lookups)
 * are built exactly as for a live run. Unknown values (null) come out as no fields.
 */
export function listEntryOf(listEntryId: number, listId: number, state: EntryState): ListEntry {
  const fields = Object.entries(state.values ?? {}).map(([id, value]) => ({
    id,
    name: id,
    type: 'list',
    value,
  }));
  return {
    id: listEntryId,
    type: state.type,
    listId,
    createdAt: '',
    creatorId: null,
    entity: {
      id: state.entityId,
      ...(state.name === undefined ? {} : { name: state.name }),
      domain: state.domain,
      domains: state.domains,
      ...(state.primaryEmailAddress === undefined ? {} : { primaryEmailAddress: state.primaryEmailAddress }),
      ...(state.emailAddresses === undefined ? {} : { emailAddresses: state.emailAddresses }),
      fields,
    },
  };
}
