/** The answer to one creation asked of the budget. */
export type BudgetAnswer = 'granted' | 'again' | 'exhausted';

/**
 * maxCreates for one run (pure): each distinct key (an entity to add, a domain to create, an
 * option text) is granted once while room is left; asking again for a granted key costs nothing.
 * Grants are not given back when a create fails, so a bad join cannot keep calling past the cap.
 */
export class CreateBudget {
  readonly #granted = new Set<string>();
  #refused = 0;

  constructor(readonly max: number) {
    if (!Number.isInteger(max) || max < 0)
      throw new RangeError(`maxCreates must be a whole number ≥ 0, got ${max}`);
  }

  take(key: string): BudgetAnswer {
    if (this.#granted.has(key)) return 'again';
    if (this.#granted.size >= this.max) {
      this.#refused += 1;
      return 'exhausted';
    }
    this.#granted.add(key);
    return 'granted';
  }

  /** Creations granted so far. */
  get used(): number {
    return this.#granted.size;
  }

  /** Asks refused because the budget was spent (the same key refused twice counts twice). */
  get refused(): number {
    return this.#refused;
  }
}
