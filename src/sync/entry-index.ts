import { personEmailsSchema } from '../affinity/entity-schemas.js';
import type { FieldValueRead, ListEntry } from '../affinity/schemas.js';
import { normalizeDomain } from './domain.js';
import { normalizeEmail } from './email.js';

/** One list entry as the sync needs it: ids, and the current value of each mapped field. */
export interface IndexedEntry {
  listEntryId: number;
  entityId: number;
  entityName?: string;
  /** Current values by field id, as Affinity returned them. */
  values: Map<string, FieldValueRead>;
}

export type DomainLookup =
  | { kind: 'hit'; entries: IndexedEntry[] }
  | { kind: 'ambiguous'; entityIds: number[] }
  | { kind: 'miss' };

// Most keys lead to one entry: keep it bare and only grow an array for the rare second one.
type Slot = IndexedEntry | IndexedEntry[];

/**
 * The list, scanned once: entity id → entries (an entity can be on a list more than once),
 * normalized domain (`entity.domain` and every `entity.domains`) → entries, normalized e-mail
 * address (a person's `primaryEmailAddress` and every `emailAddresses`) → entries, list entry
 * id → entry. Keeps only ids, name and field values of each entry, so 100,000 entries fit comfortably.
 */
export class EntryIndex {
  readonly #byListEntryId = new Map<number, IndexedEntry>();
  readonly #byEntityId = new Map<number, Slot>();
  readonly #byDomain = new Map<string, Slot>();
  readonly #byEmail = new Map<string, Slot>();

  /** Adds an entry; adding the same list entry again refreshes its name and values. */
  add(entry: ListEntry): void {
    const values = new Map<string, FieldValueRead>();
    for (const field of entry.entity.fields) values.set(field.id, field.value);
    const existing = this.#byListEntryId.get(entry.id);
    if (existing !== undefined) {
      existing.values = values;
      if (entry.entity.name !== undefined) existing.entityName = entry.entity.name;
      return;
    }
    const indexed: IndexedEntry = { listEntryId: entry.id, entityId: entry.entity.id, values };
    if (entry.entity.name !== undefined) indexed.entityName = entry.entity.name;
    this.#byListEntryId.set(entry.id, indexed);
    addTo(this.#byEntityId, entry.entity.id, indexed);
    for (const domain of domainsOf(entry)) addTo(this.#byDomain, domain, indexed);
    if (entry.type === 'person') for (const email of emailsOf(entry)) addTo(this.#byEmail, email, indexed);
  }

  byEntityId(id: number): IndexedEntry[] {
    return entriesOf(this.#byEntityId.get(id));
  }

  byListEntryId(id: number): IndexedEntry | undefined {
    return this.#byListEntryId.get(id);
  }

  /**
   * Entries whose entity has this domain (normalized here too). Ambiguous when it leads to two
   * different entities; one entity on the list twice is a hit with both entries.
   */
  byDomain(domain: string): DomainLookup {
    const normalized = normalizeDomain(domain);
    return normalized === null ? { kind: 'miss' } : lookup(this.#byDomain.get(normalized));
  }

  /**
   * Entries whose person has this address (trimmed, case-insensitive). Ambiguous when two
   * different persons have it; one person on the list twice is a hit with both entries.
   */
  byEmail(email: string): DomainLookup {
    const normalized = normalizeEmail(email);
    return normalized === null ? { kind: 'miss' } : lookup(this.#byEmail.get(normalized));
  }

  /** Every indexed entry, in the order added. */
  entries(): IterableIterator<IndexedEntry> {
    return this.#byListEntryId.values();
  }

  get size(): number {
    return this.#byListEntryId.size;
  }
}

function domainsOf(entry: ListEntry): Set<string> {
  const raws = new Set(entry.entity.domains);
  if (entry.entity.domain != null) raws.add(entry.entity.domain);
  const domains = new Set<string>();
  for (const raw of raws) {
    const domain = normalizeDomain(raw);
    if (domain !== null) domains.add(domain);
  }
  return domains;
}

function emailsOf(entry: ListEntry): Set<string> {
  const parsed = personEmailsSchema.safeParse(entry.entity);
  const emails = new Set<string>();
  if (!parsed.success) return emails;
  for (const raw of [parsed.data.primaryEmailAddress, ...(parsed.data.emailAddresses ?? [])]) {
    const email = raw == null ? null : normalizeEmail(raw);
    if (email !== null) emails.add(email);
  }
  return emails;
}

function lookup(slot: Slot | undefined): DomainLookup {
  const entries = entriesOf(slot);
  if (entries.length === 0) return { kind: 'miss' };
  const entityIds = [...new Set(entries.map((e) => e.entityId))];
  if (entityIds.length > 1) return { kind: 'ambiguous', entityIds: entityIds.sort((a, b) => a - b) };
  return { kind: 'hit', entries };
}

function addTo<K>(map: Map<K, Slot>, key: K, entry: IndexedEntry): void {
  const slot = map.get(key);
  if (slot === undefined) map.set(key, entry);
  else if (Array.isArray(slot)) slot.push(entry);
  else map.set(key, [slot, entry]);
}

function entriesOf(slot: Slot | undefined): IndexedEntry[] {
  if (slot === undefined) return [];
  return Array.isArray(slot) ? slot.slice() : [slot];
}
