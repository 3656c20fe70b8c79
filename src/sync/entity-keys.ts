import type { EntityKind, EntityRecord } from '../affinity/entity-schemas.js';
import { normalizeDomain } from './domain.js';
import { normalizeEmail } from './email.js';

// What a warehouse key is matched against on a company or a person (pure).

/** A raw domain (company) or e-mail address (person) as lookups and caches key it, or null. */
export function entityKey(kind: EntityKind, raw: string): string | null {
  return kind === 'company' ? normalizeDomain(raw) : normalizeEmail(raw);
}

/** Every key a record answers to: a company's primary and other domains, a person's addresses. */
export function keysOf(kind: EntityKind, record: EntityRecord): Set<string> {
  const raws =
    kind === 'company'
      ? [record.domain, ...record.domains]
      : [record.primaryEmailAddress, ...record.emailAddresses];
  const keys = new Set<string>();
  for (const raw of raws) {
    const key = raw == null ? null : entityKey(kind, raw);
    if (key !== null) keys.add(key);
  }
  return keys;
}

/** Ids (ascending, each once) of the records that answer to exactly `key`; search hits that merely contain it are not. */
export function exactIds(kind: EntityKind, key: string, records: readonly EntityRecord[]): number[] {
  const ids = new Set<number>();
  for (const record of records) if (keysOf(kind, record).has(key)) ids.add(record.id);
  return [...ids].sort((a, b) => a - b);
}
