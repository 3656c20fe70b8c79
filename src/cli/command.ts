import { errorMessage } from '../util/error-message.js';
/** One `affinity-sync <name>` subcommand. `run` returns the process exit code. */
export interface Command {
  name: string;
  summary: string;
  /** The `--help` text: usage, options, environment variables, exit codes and one example. */
  usage: string;
  run(argv: string[]): Promise<number>;
}

/** Bad command-line arguments: main prints the message and the command's usage, exit 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** A failure the command has already put in words: reportFailure prints it with this exit code. */
export class ExitError extends Error {
  override readonly name = 'ExitError';
  constructor(
    message: string,
    readonly exitCode: 1 | 2,
  ) {
    super(message);
  }
}

/** Runs an argument parser, turning its failures (parseArgs' or our own) into a UsageError. */
export function parseCommandLine<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    throw new UsageError(errorMessage(error));
  }
}
