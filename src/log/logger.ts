import { type DestinationStream, type Logger, pino } from 'pino';
import { scrub } from './secrets.js';

export type { Logger } from 'pino';

/** Paths that may hold credentials; pino replaces them before serializing. */
const redactPaths = [
  'apiKey',
  'password',
  'privateKey',
  'privateKeyPassphrase',
  'authorization',
  'headers.authorization',
  '*.apiKey',
  '*.password',
  '*.privateKey',
  '*.privateKeyPassphrase',
  '*.authorization',
];

/**
 * The one logger factory. JSON lines on stderr (stdout carries reports), level from LOG_LEVEL
 * (default info), credentials redacted by path and every registered secret scrubbed by value.
 */
export function createLogger(options: { level?: string; destination?: DestinationStream } = {}): Logger {
  const destination = options.destination ?? pino.destination({ dest: 2, sync: true });
  const scrubbing: DestinationStream = { write: (line: string) => destination.write(scrub(line)) };
  return pino(
    {
      level: options.level ?? process.env['LOG_LEVEL'] ?? 'info',
      base: { app: 'affinity-sync' },
      redact: { paths: redactPaths, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    scrubbing,
  );
}

/** A logger that drops everything (library default when the caller passes none). */
export const silentLogger: Logger = pino({ level: 'silent' });
