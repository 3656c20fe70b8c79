import type { ColumnInfo, Row, Source } from '../../../src/sources/source.js';

/** A warehouse in memory: the rows of the moment, served as a Source (each open reads them afresh). */
export function memorySource(rows: readonly Row[], columns: readonly string[]): Source {
  return {
    describe: async (): Promise<ColumnInfo[]> =>
      columns.map((name) => ({ name, kind: 'unknown', nativeType: 'memory' })),
    async *rows() {
      for (const row of rows) yield { ...row };
    },
    close: async () => undefined,
  };
}
