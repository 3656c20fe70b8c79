// What a run created (or, dry, would create): the report's `created` and `creations`.

/** One record created, like a `changes` entry: what it is, where it came from, its new id. */
export interface Creation {
  kind: 'list-entry' | 'company' | 'dropdown-option';
  /** The new id; absent in a dry run, which creates nothing. */
  id?: number;
  /** How the id was learned: the create's answer, or the check after a lost answer. */
  via?: 'response' | 'check';
  /** A dry run's record past maxCreates: the real run would leave it for a later run. */
  overLimit?: true;
  /** The row (first of those naming it) and its key, for entries and companies. */
  row?: number;
  key?: string;
  listId?: number;
  /** list-entry: the entity added; company: the new company's id is `id`. */
  entityId?: number;
  name?: string;
  domain?: string;
  /** dropdown-option: the field and the option's text. */
  fieldId?: string;
  fieldName?: string;
  text?: string;
}

/** The report's `created`: ids made in this run, and what was held back. */
export interface CreatedSummary {
  entries: number[];
  companies: number[];
  options: number[];
  /** Creations wanted but not made because maxCreates was reached (each row is also a problem). */
  overLimit: number;
  /** Creations tried that did not happen (each is also a problem). */
  failed: number;
}
