import type { FieldValueChange } from '../../affinity/change-schemas.js';
import type { Watermark } from './incremental-state.js';

// Which changes of GET /v2/field-value-changes a run reads, and what they mean (pure).
//
// The query starts `overlapMs` before the watermark, so a change that becomes visible in the feed a
// little after its `changedAt` is still read; changes already handled there are skipped by id. A
// reconcile sets the watermark from our own clock, `reconcileMarginMs` before its scan started, to
// allow for skew between our clock and Affinity's.

/** How far before the watermark the feed is read again. */
export const overlapMs = 5 * 60_000;
/** How far before a reconcile's scan its watermark is put. */
export const reconcileMarginMs = 10 * 60_000;

/** A feed query value: an instant to the second, rounded down (the query then covers a little more). */
function instantText(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** Field ids as filter values: bare when they can be, else quoted with escapes. */
function filterValue(text: string): string {
  return /^[A-Za-z0-9._:-]+$/.test(text) ? text : `"${text.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

/** `(field.id=a | field.id=b) & changedAt>=T`: the mapped fields' changes since the watermark, less the overlap. */
export function feedFilter(fieldIds: readonly string[], watermark: Watermark): string {
  const fields = fieldIds.map((id) => `field.id=${filterValue(id)}`);
  const since = `changedAt>=${instantText(Date.parse(watermark.changedAt) - overlapMs)}`;
  return fields.length === 1 ? `${fields[0]} & ${since}` : `(${fields.join(' | ')}) & ${since}`;
}

/** The watermark a reconcile leaves: its scan's start, less the clock margin; nothing seen yet. */
export function reconcileWatermark(scanStartedAt: number): Watermark {
  return { changedAt: new Date(scanStartedAt - reconcileMarginMs).toISOString(), seen: [] };
}

/** One change by someone else, as far as finding its entries goes. */
export interface ForeignChange {
  fieldId: string;
  entityId: number;
  listEntryId: number | null;
  listId: number | null;
}

/**
 * Folds the feed's pages: changes by `ownUserId` (this sync's own writes) are skipped, changes
 * already handled (by id, near the old watermark) too; the rest are kept as foreign changes. The
 * watermark moves to the latest `changedAt` read, and remembers the ids near it.
 */
export class FeedFold {
  readonly foreign: ForeignChange[] = [];
  /** Distinct entries (or, without an entry, entities) the foreign changes name. */
  readonly touched = new Set<string>();
  own = 0;
  alreadySeen = 0;
  pages = 0;
  readonly #seen: Map<number, number>;
  #latest: number;

  constructor(
    watermark: Watermark,
    private readonly ownUserId: number,
  ) {
    this.#seen = new Map(watermark.seen);
    this.#latest = Date.parse(watermark.changedAt);
  }

  add(page: readonly FieldValueChange[]): void {
    this.pages += 1;
    for (const change of page) {
      const at = Date.parse(change.changedAt);
      if (this.#seen.has(change.id)) {
        this.alreadySeen += 1;
        continue;
      }
      this.#seen.set(change.id, Number.isNaN(at) ? this.#latest : at);
      if (at > this.#latest) this.#latest = at;
      if (change.changer?.id === this.ownUserId) {
        this.own += 1;
        continue;
      }
      this.foreign.push({
        fieldId: change.field.id,
        entityId: change.entity.id,
        listEntryId: change.listEntry?.id ?? null,
        listId: change.listEntry?.listId ?? null,
      });
      this.touched.add(change.listEntry ? `e${change.listEntry.id}` : `c${change.entity.id}`);
    }
  }

  /** The watermark for the next run, once every page was read. */
  next(): Watermark {
    const keepFrom = this.#latest - overlapMs - 1000;
    const seen = [...this.#seen].filter(([, at]) => at >= keepFrom);
    return { changedAt: new Date(this.#latest).toISOString(), seen };
  }
}

/**
 * The entries foreign changes touch (pure): a list field's change names its entry; a change of a
 * field kept on the company (global) touches every entry of that company. Entries the state does
 * not know (added to the list since the reconcile) are returned apart: they are read whole.
 */
export function flaggedEntries(
  changes: readonly ForeignChange[],
  context: {
    listId: number;
    listFieldIds: ReadonlySet<string>;
    known: (listEntryId: number) => boolean;
    entriesOfEntity: (entityId: number) => readonly number[];
  },
): { known: Set<number>; unknown: Set<number> } {
  const known = new Set<number>();
  const unknown = new Set<number>();
  for (const change of changes) {
    const onThisList =
      change.listEntryId !== null && (change.listId === null || change.listId === context.listId);
    if (onThisList && change.listEntryId !== null) {
      if (context.known(change.listEntryId)) known.add(change.listEntryId);
      else unknown.add(change.listEntryId);
    }
    if (!context.listFieldIds.has(change.fieldId) || !onThisList) {
      for (const id of context.entriesOfEntity(change.entityId)) known.add(id);
    }
  }
  return { known, unknown };
}
