import type { Logger } from '../log/logger.js';
import { scrubDeep } from '../log/secrets.js';

/** One field value a run wrote (a dry run: would write). Values are capped (shown-value-cap.ts). */
export interface Change {
  entryId: number;
  entityId: number;
  entityName?: string;
  fieldId: string;
  fieldName: string;
  /** The value Affinity held, as a person reads it (option texts, calendar dates, ids). */
  before: unknown;
  /** The value written, read the same way. */
  after: unknown;
  /** The `data` sent in the PATCH body for this field. */
  sent: unknown;
}

/** Most changes a report keeps; the rest are counted in `changesOmitted` (a sink gets them all). */
export const changeCap = 1000;

/** Receives every change of a run, uncapped and scrubbed, one written entry at a time. */
export type ChangeSink = (changes: readonly Change[]) => void;

/** Accumulates a run's changes up to the cap, counting the rest, and hands every one to the sink. */
export class ChangeLog {
  readonly items: Change[] = [];
  omitted = 0;
  #sinkFailed = false;

  constructor(
    private readonly sink: ChangeSink | undefined,
    private readonly log: Logger,
  ) {}

  /** The changes of one entry. */
  record(changes: Change[]): void {
    if (changes.length === 0) return;
    const room = Math.max(0, changeCap - this.items.length);
    this.items.push(...changes.slice(0, room));
    this.omitted += Math.max(0, changes.length - room);
    this.#deliver(changes);
  }

  #deliver(changes: Change[]): void {
    if (this.sink === undefined) return;
    try {
      this.sink(scrubDeep(changes));
    } catch (error) {
      // A sink is a side channel: its failure must never fail or stop the sync.
      if (!this.#sinkFailed)
        this.log.warn({ err: error }, 'the change sink failed; the report still lists changes');
      this.#sinkFailed = true;
    }
  }
}
