import { EnvError } from '../config/env.js';
import { scrub } from '../log/secrets.js';
import { ConfigError } from '../mappings/config-error.js';
import { errorMessage } from '../util/error-message.js';
import { ExitError } from './command.js';

/**
 * Prints an error that ended a command and returns its exit code: 2 for configuration problems
 * (nothing was sent), the code an ExitError carries, 1 otherwise (an unreachable Redis included).
 */
export function reportFailure(commandName: string, error: unknown): number {
  if (error instanceof ConfigError || error instanceof EnvError) {
    process.stderr.write(`${scrub(error.message)}\n`);
    return 2;
  }
  const message = errorMessage(error);
  process.stderr.write(`affinity-sync ${commandName}: ${scrub(message)}\n`);
  return error instanceof ExitError ? error.exitCode : 1;
}
