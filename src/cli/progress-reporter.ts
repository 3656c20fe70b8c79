import type { Logger } from '../log/logger.js';
import type { SyncProgress } from '../sync/engine.js';

/**
 * Shows a run's progress: a single redrawn line on a TTY (rows, entries, calls, requests per
 * minute, ETA), otherwise a structured log line at a steady interval.
 */
export function progressReporter(options: {
  stream: NodeJS.WriteStream;
  logger: Logger;
  /** Log interval when not a TTY, ms. @defaultValue 10000 */
  intervalMs?: number;
}): { update: (p: SyncProgress) => void; finish: () => void } {
  const tty = options.stream.isTTY === true;
  const interval = tty ? 250 : (options.intervalMs ?? 10_000);
  let last = 0;
  let drawn = false;
  return {
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
        const text =
          `${p.phase}: ${p.rowsRead} rows, ${p.entriesScanned} entries scanned, ` +
          `${p.entriesWritten}/${p.entriesToWrite} written, ${p.calls} calls (${perMinute}/min)` +
          (eta === undefined ? '' : `, ETA ${eta}s`);
        options.stream.write(`\r\x1b[2K${text}`);
        drawn = true;
      } else {
        options.logger.info(
          { progress: { ...p, requestsPerMinute: perMinute, etaSeconds: eta } },
          'progress',
        );
      }
    },
    finish() {
      if (drawn) options.stream.write('\r\x1b[2K');
    },
  };
}
