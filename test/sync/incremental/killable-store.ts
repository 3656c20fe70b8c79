import { z } from 'zod';
import { MemoryStateStore } from '../../../src/state/memory-state-store.js';
import type { StateMap, StateStore } from '../../../src/state/state-store.js';

/**
 * A state store that outlives runs in one process (durable, like Redis), seen by each run through
 * its own view; `kill()` on a view drops every later write of that run, as SIGKILL would.
 */
export class SurvivingStore {
  readonly #memory = new MemoryStateStore();

  view(): StateStore & { kill(): void } {
    let killed = false;
    const memory = this.#memory;
    return {
      durable: true,
      kill: () => {
        killed = true;
      },
      map<V>(name: string, schema: z.ZodType<V>): StateMap<V> {
        const inner = memory.map(name, schema);
        const unlessKilled =
          <A extends unknown[]>(write: (...args: A) => Promise<void>) =>
          async (...args: A) => {
            if (!killed) await write(...args);
          };
        return {
          getMany: (keys) => inner.getMany(keys),
          entries: () => inner.entries(),
          size: () => inner.size(),
          setMany: unlessKilled((entries: Iterable<readonly [string, V]>) => inner.setMany([...entries])),
          deleteMany: unlessKilled((keys: readonly string[]) => inner.deleteMany(keys)),
          clear: unlessKilled(() => inner.clear()),
        };
      },
      close: async () => undefined,
    };
  }

  /** Every map's entries, for comparing state before and after a dry run. */
  async snapshot(names: readonly string[]): Promise<Record<string, Record<string, unknown>>> {
    const out: Record<string, Record<string, unknown>> = {};
    for (const name of names) {
      const map = this.#memory.map(name, z.unknown());
      const entries: Record<string, unknown> = {};
      for await (const [key, value] of map.entries()) entries[key] = value;
      out[name] = entries;
    }
    return out;
  }
}
