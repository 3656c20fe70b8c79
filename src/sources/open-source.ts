import { DuckdbSource } from './duckdb-source.js';
import { PostgresSource } from './postgres-source.js';
import { SnowflakeSource } from './snowflake-source.js';
import type { Source } from './source.js';
import type { SourceConfig } from './source-config.js';
import type { SourceOptions } from './source-options.js';

/** The Source for a mapping's `source:` block. Nothing connects until describe() or rows(). */
export function openSource(config: SourceConfig, options: SourceOptions = {}): Source {
  switch (config.type) {
    case 'postgres':
      return new PostgresSource(config, options);
    case 'snowflake':
      return new SnowflakeSource(config, options);
    case 'duckdb':
      return new DuckdbSource(config, options);
    default: {
      const never: never = config;
      throw new Error(`unknown source type ${JSON.stringify(never)}`);
    }
  }
}
