import type { FieldValueUpdate } from '../affinity/field-value.js';
import { optionKey } from './convert-value.js';

/** Longest option text Affinity takes (2026-07-15 document). */
export const maxOptionText = 255;

interface Wanted {
  fieldId: string;
  text: string;
  provisionalId: number;
  /** Set once the option exists (real id) or could not be made (reason). */
  outcome?: { id: number } | { reason: string };
}

/** One option text to create for a field. */
export interface OptionToCreate {
  fieldId: string;
  text: string;
  provisionalId: number;
}

/**
 * Option texts that `options: create` fields name but do not have (pure). Each distinct text
 * (compared as options are: trimmed, case-insensitive) gets one provisional negative id, so rows
 * convert and diff as usual while the rows are read; after the options are made, `realize`
 * swaps in the real ids — one option per text however many rows name it.
 */
export class OptionCreations {
  readonly #byField = new Map<string, Map<string, Wanted>>();
  readonly #byId = new Map<number, Wanted>();
  #next = -1;

  /** The provisional id of `text` on `fieldId`, or why it cannot be an option. */
  provisional(fieldId: string, text: string): number | { reason: string } {
    const trimmed = text.trim();
    if (trimmed.length > maxOptionText) {
      return {
        reason: `an option text has at most ${maxOptionText} characters; this one has ${trimmed.length}`,
      };
    }
    let texts = this.#byField.get(fieldId);
    if (texts === undefined) {
      texts = new Map();
      this.#byField.set(fieldId, texts);
    }
    const key = optionKey(trimmed);
    const known = texts.get(key);
    if (known !== undefined) return known.provisionalId;
    const wanted: Wanted = { fieldId, text: trimmed, provisionalId: this.#next };
    this.#next -= 1;
    texts.set(key, wanted);
    this.#byId.set(wanted.provisionalId, wanted);
    return wanted.provisionalId;
  }

  /** Every text to create, in the order rows first named them. */
  wanted(): OptionToCreate[] {
    return [...this.#byId.values()].map(({ fieldId, text, provisionalId }) => ({
      fieldId,
      text,
      provisionalId,
    }));
  }

  get size(): number {
    return this.#byId.size;
  }

  /** The text behind a provisional id (for dry-run display), or undefined. */
  textOf(provisionalId: number): string | undefined {
    return this.#byId.get(provisionalId)?.text;
  }

  /** Records what became of one wanted text: its real id, or why it was not made. */
  settle(provisionalId: number, outcome: { id: number } | { reason: string }): void {
    const wanted = this.#byId.get(provisionalId);
    if (wanted === undefined) throw new Error(`no option text has the provisional id ${provisionalId}`);
    wanted.outcome = outcome;
  }

  /** The update with real option ids, or why it cannot be sent (an option it names was not made). */
  realize(update: FieldValueUpdate): { ok: true; update: FieldValueUpdate } | { ok: false; reason: string } {
    const swap = (id: number): number | { reason: string } => {
      if (id > 0) return id;
      const wanted = this.#byId.get(id);
      const outcome = wanted?.outcome;
      if (wanted === undefined || outcome === undefined) return { reason: `option ${id} was never settled` };
      return 'id' in outcome
        ? outcome.id
        : { reason: `option "${wanted.text}" was not created: ${outcome.reason}` };
    };
    switch (update.type) {
      case 'dropdown':
      case 'ranked-dropdown': {
        if (update.data === null) return { ok: true, update };
        const id = swap(update.data.dropdownOptionId);
        if (typeof id !== 'number') return { ok: false, reason: id.reason };
        return { ok: true, update: { ...update, data: { dropdownOptionId: id } } };
      }
      case 'dropdown-multi': {
        if (update.data === null) return { ok: true, update };
        const ids: Array<{ dropdownOptionId: number }> = [];
        for (const item of update.data) {
          const id = swap(item.dropdownOptionId);
          if (typeof id !== 'number') return { ok: false, reason: id.reason };
          ids.push({ dropdownOptionId: id });
        }
        return { ok: true, update: { ...update, data: ids } };
      }
      default:
        return { ok: true, update };
    }
  }
}
