/**
 * A value as a source hands it over. Precision is never lost: int8 / numeric / NUMBER arrive as
 * decimal strings (or bigint), DATE columns as `YYYY-MM-DD` strings (a calendar date, no zone),
 * timestamps as Date, JSON as parsed values.
 */
export type SourceValue =
  | string
  | number
  | bigint
  | boolean
  | Date
  | null
  | SourceValue[]
  | { [key: string]: SourceValue };

export type Row = Record<string, SourceValue>;

/** Broad type of a result column, enough to tell whether it can convert to a field's valueType. */
export type ColumnKind = 'number' | 'text' | 'date' | 'timestamp' | 'boolean' | 'json' | 'array' | 'unknown';

export interface ColumnInfo {
  name: string;
  kind: ColumnKind;
  /** The driver's own type name, for messages (e.g. "int8", "NUMBER(38,0)", "DECIMAL(18,3)"). */
  nativeType: string;
}

/**
 * A warehouse query, streamed. `rows()` may be iterated once; breaking out of the loop or an error
 * closes the connection. `describe()` returns the result columns without reading rows.
 */
export interface Source {
  describe(): Promise<ColumnInfo[]>;
  rows(): AsyncIterable<Row>;
  close(): Promise<void>;
}

/** A source failure, with the cause in words a person can act on (never a password or key). */
export class SourceError extends Error {
  override readonly name = 'SourceError';
  constructor(
    message: string,
    readonly sourceType: 'postgres' | 'snowflake' | 'duckdb',
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
