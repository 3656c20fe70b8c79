import { type FSWatcher, watch } from 'node:fs';
import type { Logger } from '../log/logger.js';

/** Quiet time after the last file event before the folder is read, ms (editors write in steps). */
export const watchDebounceMs = 300;

/**
 * Calls `reload` when MAPPINGS_DIR changes (fs.watch on the folder, debounced: a save or a
 * Kubernetes ConfigMap swap is several events) and on SIGHUP. Returns a function that stops both.
 * When the folder cannot be watched (absent, or a filesystem without change events) it says so
 * once and SIGHUP still works.
 */
export function watchMappings(dir: string, logger: Logger, reload: (reason: string) => void): () => void {
  let timer: NodeJS.Timeout | undefined;
  const schedule = () => {
    clearTimeout(timer);
    timer = setTimeout(() => reload('file change'), watchDebounceMs);
  };
  const onHangup = () => {
    clearTimeout(timer);
    reload('SIGHUP');
  };
  process.on('SIGHUP', onHangup);
  let watcher: FSWatcher | undefined;
  const unwatchable = (error: unknown) =>
    logger.warn(
      { dir, err: error },
      'cannot watch MAPPINGS_DIR for changes; send SIGHUP to the worker to reload its mappings',
    );
  try {
    watcher = watch(dir, { persistent: false }, schedule);
    watcher.on('error', (error) => {
      unwatchable(error);
      watcher?.close();
    });
  } catch (error) {
    unwatchable(error);
  }
  return () => {
    clearTimeout(timer);
    process.off('SIGHUP', onHangup);
    watcher?.close();
  };
}
