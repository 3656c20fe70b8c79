import type { FieldUpdate } from '../../affinity/field-value.js';
import type { Logger } from '../../log/logger.js';
import type { EntryState, IncrementalMeta, IncrementalState } from './incremental-state.js';
import {
  type StateWrites,
  statesAfterWrite,
  statesBeforeWrite,
  touchedEntries,
} from './state-after-write.js';

/** What the session wraps: the destination's write of one record (Target.writeRecord). */
interface Writer {
  writeRecord(recordId: number, updates: FieldUpdate[]): Promise<void>;
}

/**
 * The kept state of one run, written only as facts are confirmed: around each entry's writes
 * (unknown before the first request, the written values after the last one succeeded) and, when
 * the run finished, the meta with the new watermark. Without a store (live runs, dry runs) every
 * method does nothing.
 */
export class StateSession {
  readonly #state: IncrementalState | null;
  readonly #current: Map<number, EntryState>;
  readonly #listFields: ReadonlySet<string>;
  readonly #log: Logger;
  #byEntity: Map<number, number[]> | undefined;
  #pending: Promise<void> = Promise.resolve();
  #failure: unknown;

  /**
   * @param state where to write; null writes nothing
   * @param current every entry as this run knows it (kept, re-read or scanned)
   * @param listFields mapped fields that belong to the list entry (the others live on the company)
   * @param meta the meta to save when the run finishes
   */
  constructor(
    state: IncrementalState | null,
    current: Map<number, EntryState>,
    listFields: ReadonlySet<string>,
    private readonly meta: IncrementalMeta | null,
    log: Logger,
  ) {
    this.#state = state;
    this.#current = current;
    this.#listFields = listFields;
    this.#log = log;
  }

  /**
   * `target` with the state kept around each entry's writes. `planned` is every update each entry
   * gets this run (one or more requests of ≤100): its state is written after the last one.
   */
  tracking<T extends Writer>(target: T, planned: ReadonlyMap<number, readonly FieldUpdate[]>): T {
    if (this.#state === null) return target;
    const remaining = new Map([...planned].map(([id, updates]) => [id, updates.length]));
    const started = new Set<number>();
    return {
      ...target,
      writeRecord: async (entryId: number, updates: FieldUpdate[]) => {
        const all = planned.get(entryId) ?? updates;
        const touched = this.#touched(entryId, all);
        if (!started.has(entryId)) {
          started.add(entryId);
          // Awaited: the request must not leave before its entries are marked unknown.
          await this.#save(statesBeforeWrite(touched, this.#current));
        }
        try {
          await target.writeRecord(entryId, updates);
        } catch (error) {
          // A failed request may have been applied: what it touches stays unknown, even where a sibling's write lands later.
          const unknown = statesBeforeWrite(touched, this.#current);
          for (const [id, state] of unknown) this.#current.set(id, state);
          this.#queue(unknown);
          throw error;
        }
        const left = (remaining.get(entryId) ?? updates.length) - updates.length;
        remaining.set(entryId, left);
        if (left > 0) return;
        const after = statesAfterWrite('written', entryId, touched, all, {
          current: this.#current,
          isListField: (id) => this.#listFields.has(id),
        });
        for (const [id, state] of after) this.#current.set(id, state);
        // Not awaited by the request: a run killed before it lands leaves the entry unknown, which is safe.
        this.#queue(after);
      },
    };
  }

  /** Waits for the state writes in flight; when the run finished, saves the meta (the watermark moves). */
  async finish(finished: boolean): Promise<void> {
    await this.#pending;
    if (this.#failure !== undefined) throw this.#failure;
    if (!finished || this.#state === null || this.meta === null) return;
    await this.#state.saveMeta(this.meta);
    this.#log.info({ watermark: this.meta.watermark.changedAt }, 'incremental state saved');
  }

  #touched(entryId: number, updates: readonly FieldUpdate[]): number[] {
    return touchedEntries(entryId, updates, {
      isListField: (id) => this.#listFields.has(id),
      entityOf: (id) => this.#current.get(id)?.entityId,
      entriesOfEntity: (entityId) => this.#entriesOf(entityId),
    });
  }

  #entriesOf(entityId: number): readonly number[] {
    if (this.#byEntity === undefined) {
      this.#byEntity = new Map();
      for (const [id, state] of this.#current) {
        this.#byEntity.set(state.entityId, [...(this.#byEntity.get(state.entityId) ?? []), id]);
      }
    }
    return this.#byEntity.get(entityId) ?? [];
  }

  async #save(writes: StateWrites): Promise<void> {
    if (this.#state !== null && writes.length > 0) await this.#state.saveEntries(writes);
  }

  #queue(writes: StateWrites): void {
    this.#pending = this.#pending
      .then(() => this.#save(writes))
      .catch((error: unknown) => {
        this.#failure ??= error;
      });
  }
}
