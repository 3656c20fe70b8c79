import { type ParseArgsConfig, parseArgs } from 'node:util';
import { editDistance } from '../mappings/parse-mapping.js';

/** `parseArgs` (strict) whose unknown-option error says what was meant when an option is near (`did you mean --wait?`). */
export function parseOptions<T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const given = /Unknown option '([^']+)'/.exec((error as Error).message)?.[1];
    if (code !== 'ERR_PARSE_ARGS_UNKNOWN_OPTION' || given === undefined) throw error;
    throw Object.assign(
      new Error(`Unknown option '${given}'${optionHint(given, Object.keys(config.options ?? {}))}`),
      { code },
    );
  }
}

/**
 * "; did you mean --x?" for an option within 2 edits; " (this command takes no options)"; else
 * nothing (the usage printed after the message lists the options).
 */
export function optionHint(given: string, options: readonly string[]): string {
  const flags = [...options, 'help'].map((o) => `--${o}`);
  const near = closest(given.split('=')[0] ?? given, flags);
  if (near !== undefined) return `; did you mean ${near}?`;
  return options.length === 0 ? ' (this command takes no options)' : '';
}

/** The candidate nearest to `given`, if within 2 edits. */
export function closest(given: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of candidates) {
    const d = editDistance(given.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}
