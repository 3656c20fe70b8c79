import { createLogger, type Logger } from '../../../src/log/logger.js';

/** A debug-level logger whose JSON lines are kept (raw and parsed) for assertions. */
export function capturedLogger(): {
  logger: Logger;
  lines: string[];
  entries: () => Record<string, unknown>[];
} {
  const lines: string[] = [];
  const logger = createLogger({ level: 'debug', destination: { write: (line: string) => lines.push(line) } });
  return { logger, lines, entries: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}
