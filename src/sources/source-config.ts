import { z } from 'zod';

// The `source:` block of a mapping. These schemas are the single source of truth for the source
// configuration types. They live with the sources that read them; the mapping schema embeds them,
// so imports run mappings → sources and never back.

export const postgresSourceSchema = z.strictObject({
  type: z.literal('postgres'),
  /** postgres:// connection URL (use ${VAR} for credentials). */
  url: z.string().min(1, 'expected a postgres:// connection URL'),
  query: z.string().min(1, 'expected an SQL query'),
});

export const snowflakeSourceSchema = z
  .strictObject({
    type: z.literal('snowflake'),
    /** Account identifier, e.g. "myorg-myaccount". */
    account: z.string().min(1),
    username: z.string().min(1),
    /** PEM private key text for key-pair (JWT) auth. */
    privateKey: z.string().min(1).optional(),
    /** Path to a PEM private key file for key-pair (JWT) auth. */
    privateKeyPath: z.string().min(1).optional(),
    privateKeyPassphrase: z.string().optional(),
    password: z.string().min(1).optional(),
    warehouse: z.string().optional(),
    database: z.string().optional(),
    schema: z.string().optional(),
    role: z.string().optional(),
    query: z.string().min(1, 'expected an SQL query'),
    /** Override of the Snowflake host URL (tests, private link); default https://<account>.snowflakecomputing.com. */
    accessUrl: z.url().optional(),
  })
  .refine((s) => [s.privateKey, s.privateKeyPath, s.password].filter((v) => v !== undefined).length === 1, {
    message: 'expected exactly one of privateKey, privateKeyPath or password',
  });

export const duckdbSourceSchema = z.strictObject({
  type: z.literal('duckdb'),
  /** DuckDB database file; default an in-memory database. */
  path: z.string().min(1).optional(),
  query: z.string().min(1, 'expected an SQL query'),
});

export const sourceConfigSchema = z.discriminatedUnion('type', [
  postgresSourceSchema,
  snowflakeSourceSchema,
  duckdbSourceSchema,
]);

export type PostgresSourceConfig = z.infer<typeof postgresSourceSchema>;
export type SnowflakeSourceConfig = z.infer<typeof snowflakeSourceSchema>;
export type DuckdbSourceConfig = z.infer<typeof duckdbSourceSchema>;
export type SourceConfig = z.infer<typeof sourceConfigSchema>;
