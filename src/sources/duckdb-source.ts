import {
  arrayFromArrayValue,
  arrayFromListValue,
  booleanFromValue,
  createDuckDBValueConverter,
  DuckDBConnection,
  DuckDBInstance,
  type DuckDBResult,
  type DuckDBType,
  DuckDBTypeId,
  type DuckDBValueConverter,
  dateFromTimestampMillisecondsValue,
  dateFromTimestampNanosecondsValue,
  dateFromTimestampSecondsValue,
  dateFromTimestampTZValue,
  dateFromTimestampValue,
  fromVariantValue,
  nullConverter,
  numberFromValue,
  objectArrayFromMapValue,
  objectFromStructValue,
  objectFromUnionValue,
  stringFromValue,
  unsupportedConverter,
} from '@duckdb/node-api';
import { SessionSource } from './session-source.js';
import type { ColumnInfo, ColumnKind, Row, SourceError, SourceValue } from './source.js';
import type { DuckdbSourceConfig } from './source-config.js';
import { causeText } from './source-failure.js';
import type { SourceOptions } from './source-options.js';

// Columns DuckDB tags with the JSON alias are parsed like postgres json; text that is not JSON stays text.
function parseJson(value: SourceValue): SourceValue {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value) as SourceValue;
  } catch {
    return value;
  }
}

/**
 * DuckDB values as SourceValues: 64/128-bit integers and DECIMAL as exact decimal strings, DATE as
 * YYYY-MM-DD, timestamps as Date, TIME / INTERVAL / BLOB as their SQL text.
 */
const convertersByTypeId: Record<DuckDBTypeId, DuckDBValueConverter<SourceValue> | undefined> = {
  [DuckDBTypeId.INVALID]: unsupportedConverter,
  [DuckDBTypeId.BOOLEAN]: booleanFromValue,
  [DuckDBTypeId.TINYINT]: numberFromValue,
  [DuckDBTypeId.SMALLINT]: numberFromValue,
  [DuckDBTypeId.INTEGER]: numberFromValue,
  [DuckDBTypeId.BIGINT]: stringFromValue,
  [DuckDBTypeId.UTINYINT]: numberFromValue,
  [DuckDBTypeId.USMALLINT]: numberFromValue,
  [DuckDBTypeId.UINTEGER]: numberFromValue,
  [DuckDBTypeId.UBIGINT]: stringFromValue,
  [DuckDBTypeId.FLOAT]: numberFromValue,
  [DuckDBTypeId.DOUBLE]: numberFromValue,
  [DuckDBTypeId.TIMESTAMP]: dateFromTimestampValue,
  [DuckDBTypeId.DATE]: stringFromValue,
  [DuckDBTypeId.TIME]: stringFromValue,
  [DuckDBTypeId.INTERVAL]: stringFromValue,
  [DuckDBTypeId.HUGEINT]: stringFromValue,
  [DuckDBTypeId.UHUGEINT]: stringFromValue,
  [DuckDBTypeId.VARCHAR]: stringFromValue,
  [DuckDBTypeId.BLOB]: stringFromValue,
  [DuckDBTypeId.DECIMAL]: stringFromValue,
  [DuckDBTypeId.TIMESTAMP_S]: dateFromTimestampSecondsValue,
  [DuckDBTypeId.TIMESTAMP_MS]: dateFromTimestampMillisecondsValue,
  [DuckDBTypeId.TIMESTAMP_NS]: dateFromTimestampNanosecondsValue,
  [DuckDBTypeId.ENUM]: stringFromValue,
  [DuckDBTypeId.LIST]: arrayFromListValue,
  [DuckDBTypeId.STRUCT]: objectFromStructValue,
  [DuckDBTypeId.MAP]: objectArrayFromMapValue,
  [DuckDBTypeId.ARRAY]: arrayFromArrayValue,
  [DuckDBTypeId.UUID]: stringFromValue,
  [DuckDBTypeId.UNION]: objectFromUnionValue,
  [DuckDBTypeId.BIT]: stringFromValue,
  [DuckDBTypeId.TIME_TZ]: stringFromValue,
  [DuckDBTypeId.TIMESTAMP_TZ]: dateFromTimestampTZValue,
  [DuckDBTypeId.ANY]: unsupportedConverter,
  [DuckDBTypeId.BIGNUM]: stringFromValue,
  [DuckDBTypeId.SQLNULL]: nullConverter,
  [DuckDBTypeId.STRING_LITERAL]: stringFromValue,
  [DuckDBTypeId.INTEGER_LITERAL]: stringFromValue,
  [DuckDBTypeId.TIME_NS]: stringFromValue,
  [DuckDBTypeId.GEOMETRY]: stringFromValue,
  [DuckDBTypeId.VARIANT]: fromVariantValue,
};

const toSourceValue = createDuckDBValueConverter(convertersByTypeId);

/** An embedded DuckDB query (in-memory or a database file), streamed one result chunk at a time. */
interface DuckdbSession {
  instance: DuckDBInstance;
  connection: DuckDBConnection;
}

export class DuckdbSource extends SessionSource<DuckdbSession> {
  constructor(
    private readonly config: DuckdbSourceConfig,
    options: SourceOptions = {},
  ) {
    super('duckdb', options);
  }

  async describe(): Promise<ColumnInfo[]> {
    const { connection } = await this.connect();
    try {
      // Preparing binds the query and fixes its result types without running it.
      const prepared = await connection.prepare(this.config.query);
      const columns: ColumnInfo[] = [];
      for (let i = 0; i < prepared.columnCount; i++) {
        columns.push(describeColumn(prepared.columnName(i), prepared.columnType(i)));
      }
      prepared.destroySync();
      return columns;
    } catch (error) {
      throw this.queryFailure(error);
    }
  }

  protected async *stream({ connection }: DuckdbSession): AsyncGenerator<Row> {
    let result: DuckDBResult;
    try {
      result = await connection.stream(this.config.query);
    } catch (error) {
      throw this.queryFailure(error);
    }
    const names = result.deduplicatedColumnNames();
    const json = names.map((_, i) => result.columnType(i).alias === 'JSON');
    for (;;) {
      let columns: SourceValue[][];
      let rowCount: number;
      try {
        // One chunk (≤ 2048 rows) in memory at a time; the next is fetched when the consumer asks.
        const chunk = await result.fetchChunk();
        if (!chunk || chunk.rowCount === 0) break;
        rowCount = chunk.rowCount;
        columns = names.map((_, i) => {
          const values = chunk.convertColumnValues(i, toSourceValue);
          return json[i] ? values.map(parseJson) : values;
        });
      } catch (error) {
        throw this.queryFailure(error);
      }
      for (let r = 0; r < rowCount; r++) {
        const row: Row = {};
        for (let c = 0; c < names.length; c++) row[names[c] as string] = columns[c]?.[r] ?? null;
        yield row;
      }
    }
  }

  protected async release({ instance, connection }: DuckdbSession): Promise<void> {
    connection.closeSync();
    instance.closeSync();
  }

  protected async open(): Promise<DuckdbSession> {
    const path = this.config.path ?? ':memory:';
    let instance: DuckDBInstance | undefined;
    try {
      // A file is opened read-only: a source never writes, a mistyped path fails instead of
      // creating an empty database, and other readers may hold the same file.
      instance =
        this.config.path === undefined
          ? await DuckDBInstance.create(':memory:')
          : await DuckDBInstance.create(path, { access_mode: 'READ_ONLY' });
      return { instance, connection: await DuckDBConnection.create(instance) };
    } catch (error) {
      instance?.closeSync();
      throw this.failure(`cannot open duckdb database ${JSON.stringify(path)}: ${causeText(error)}`, error);
    }
  }

  private queryFailure(error: unknown): SourceError {
    return this.failure(`duckdb query failed: ${causeText(error)}`, error);
  }
}
function describeColumn(name: string, type: DuckDBType): ColumnInfo {
  return { name, kind: columnKind(type), nativeType: type.alias ?? type.toString() };
}

function columnKind(type: DuckDBType): ColumnKind {
  if (type.alias === 'JSON') return 'json';
  switch (type.typeId) {
    case DuckDBTypeId.TINYINT:
    case DuckDBTypeId.SMALLINT:
    case DuckDBTypeId.INTEGER:
    case DuckDBTypeId.BIGINT:
    case DuckDBTypeId.UTINYINT:
    case DuckDBTypeId.USMALLINT:
    case DuckDBTypeId.UINTEGER:
    case DuckDBTypeId.UBIGINT:
    case DuckDBTypeId.HUGEINT:
    case DuckDBTypeId.UHUGEINT:
    case DuckDBTypeId.BIGNUM:
    case DuckDBTypeId.FLOAT:
    case DuckDBTypeId.DOUBLE:
    case DuckDBTypeId.DECIMAL:
      return 'number';
    case DuckDBTypeId.VARCHAR:
    case DuckDBTypeId.ENUM:
    case DuckDBTypeId.UUID:
    case DuckDBTypeId.TIME:
    case DuckDBTypeId.TIME_NS:
    case DuckDBTypeId.TIME_TZ:
    case DuckDBTypeId.INTERVAL:
      return 'text';
    case DuckDBTypeId.DATE:
      return 'date';
    case DuckDBTypeId.TIMESTAMP:
    case DuckDBTypeId.TIMESTAMP_S:
    case DuckDBTypeId.TIMESTAMP_MS:
    case DuckDBTypeId.TIMESTAMP_NS:
    case DuckDBTypeId.TIMESTAMP_TZ:
      return 'timestamp';
    case DuckDBTypeId.BOOLEAN:
      return 'boolean';
    case DuckDBTypeId.LIST:
    case DuckDBTypeId.ARRAY:
      return 'array';
    case DuckDBTypeId.STRUCT:
    case DuckDBTypeId.MAP:
    case DuckDBTypeId.UNION:
    case DuckDBTypeId.VARIANT:
      return 'json';
    default:
      return 'unknown';
  }
}
