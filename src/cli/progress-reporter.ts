import type { DestinationStream } from 'pino';
import type { Logger } from '../log/logger.js';
import type { SyncProgress } from '../sync/engine.js';

/** Erases the current terminal line and returns to its start. */
const clearLine = '\r\x1b[2K';

export interface ProgressReporter {
  update(progress: SyncProgress): void;
  /** Erases the progress line (TTY); call before printing the summary. */
  finish(): void;
  /**
   * On a TTY, where the logger writes (createLogger's `destination`): each log line clears the
   * progress line first and redraws it after, so the two never share a line. Undefined otherwise
   * (logs go straight to stderr, progress is itself a log line).
   */
  destination?: DestinationStream;
}

/**
 * Shows a run's progress: a single redrawn line on a TTY (rows, entries, calls, requests per
 * minute, ETA), otherwise a structured log line at a steady interval; nothing when `quiet`.
 */
export function progressReporter(options: {
  stream: NodeJS.WriteStream;
  /** For the non-TTY progress lines; a function when the logger is made after the reporter. */
  logger: Logger | (() => Logger);
  /** Log interval when not a TTY, ms. @defaultValue 10000 */
  intervalMs?: number;
  /** No progress at all (`run --quiet`). @defaultValue false */
  quiet?: boolean;
}): ProgressReporter {
  const { stream } = options;
  const tty = stream.isTTY === true;
  const interval = tty ? 250 : (options.intervalMs ?? 10_000);
  const logger = () => (typeof options.logger === 'function' ? options.logger() : options.logger);
  let last = 0;
  // The text on the progress line now; undefined when nothing is drawn.
  let drawn: string | undefined;
  if (options.quiet) return { update: () => undefined, finish: () => undefined };
  const reporter: ProgressReporter = {
    update(p) {
      const now = Date.now();
      if (now - last < interval && p.phase !== 'done') return;
      last = now;
      const minutes = Math.max((now - p.startedAt) / 60_000, 1 / 600);
      const perMinute = Math.round(p.calls / minutes);
      const left = p.entriesToWrite - p.entriesWritten;
      const writeRate = p.entriesWritten / minutes;
      const eta = p.phase === 'writing' && writeRate > 0 ? Math.round((left / writeRate) * 60) : undefined;
      if (tty) {
        drawn =
          `${p.phase}: ${p.rowsRead} rows, ${p.entriesScanned} entries scanned, ` +
          `${p.entriesWritten}/${p.entriesToWrite} written, ${p.calls} calls (${perMinute}/min)` +
          (eta === undefined ? '' : `, ETA ${eta}s`);
        stream.write(`${clearLine}${drawn}`);
      } else {
        logger().info({ progress: { ...p, requestsPerMinute: perMinute, etaSeconds: eta } }, 'progress');
      }
    },
    finish() {
      if (drawn !== undefined) stream.write(clearLine);
      drawn = undefined;
    },
  };
  if (tty) {
    reporter.destination = {
      write(line: string) {
        // One write: the cleared line, the log line (it ends in a newline), the progress again.
        stream.write(drawn === undefined ? line : `${clearLine}${line}${drawn}`);
      },
    };
  }
  return reporter;
}
