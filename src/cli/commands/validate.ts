import type { AllowanceWatch, QuotaAllowance } from '../../affinity/allowance-watch.js';
import type { AffinityClient } from '../../affinity/client.js';
import { scrub } from '../../log/secrets.js';
import { type ConfigProblem, formatProblem, type PathProblem } from '../../mappings/config-error.js';
import { type CheckedFile, checkMappingPath } from '../../mappings/load-mapping.js';
import { rulesFor } from '../../mappings/match-rules.js';
import { formatPlan } from '../../mappings/plan-table.js';
import { checkRemote, type RemoteCheck, type RemoteCheckDeps } from '../../mappings/remote-check.js';
import { errorMessage } from '../../util/error-message.js';
import type { Command } from '../command.js';
import { parseOptions } from '../parse-options.js';
import { remoteForecastLines } from '../remote-forecast.js';

const usage = [
  'Usage: affinity-sync validate [file|folder] [--remote]',
  '',
  'Checks mapping files: every *.yaml / *.yml of the folder (default $MAPPINGS_DIR or ./mappings),',
  'or one file. Offline by default. Prints "ok <file> (<name>)" per valid file and every problem as',
  'file:line:column path: message. Exit 0 when all are valid, 2 otherwise.',
  '',
  'Options:',
  '  --remote   also ask Affinity (AFFINITY_API_KEY, AFFINITY_BASE_URL) that the list exists and each',
  '             field resolves and is writable (for target: companies | persons, among their own',
  "             fields), that each match rule applies to the list's type, and describe the query",
  "             (no rows read) to check each column's type converts to its field's; then print the",
  '             resolved plan, the calls a real run would spend and the monthly allowance left',
  '             (QUOTA_WARN_SHARE warns)',
  '',
  'Environment: MAPPINGS_DIR and the variables the mappings reference; with --remote also',
  'AFFINITY_API_KEY (required), AFFINITY_BASE_URL, LOG_LEVEL, QUOTA_WARN_SHARE.',
  'Exit codes: 0 every file valid, 2 a problem (or bad arguments).',
  '',
  'Example:',
  '  affinity-sync validate mappings/ --remote',
].join('\n');

/** Where validate writes; the CLI passes the process streams, tests collect the text. */
export interface ValidateIo {
  env: NodeJS.ProcessEnv;
  out(text: string): void;
  err(text: string): void;
}

export const command: Command = {
  name: 'validate',
  summary: 'Check mapping files (offline; --remote asks Affinity)',
  usage,
  run: (argv) =>
    validate(argv, {
      env: process.env,
      out: (text) => process.stdout.write(text),
      err: (text) => process.stderr.write(scrub(text)),
    }),
};

/** `affinity-sync validate`; returns the exit code. */
export async function validate(argv: string[], io: ValidateIo): Promise<number> {
  let parsed: ReturnType<typeof parseArguments>;
  try {
    parsed = parseArguments(argv);
  } catch (error) {
    io.err(`affinity-sync validate: ${errorMessage(error)}\n\n${usage}\n`);
    return 2;
  }
  const target = parsed.positionals[0] ?? io.env['MAPPINGS_DIR'] ?? 'mappings';
  const checked = await checkMappingPath(target, io.env);
  if (checked.length === 0) {
    io.err(`${target} has no mapping files (*.yaml, *.yml)\n`);
    return 2;
  }
  const remote = parsed.values.remote ? await remoteDeps(io) : undefined;
  if (remote === null) return 2;
  let invalid = 0;
  let problemCount = 0;
  for (const file of checked) {
    const problems = [...file.problems];
    let plan: string | undefined;
    if (file.mapping !== undefined && remote !== undefined) {
      const result = await checkRemote(file.mapping, remote);
      problems.push(...place(file, result.problems));
      problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
      for (const note of place(file, result.notes)) io.err(`note ${formatProblem(note)}\n`);
      if (result.problems.length === 0) {
        const forecast = remoteForecastLines(result, remote.allowance(), remote.warnShare);
        plan = `${destinationLine(result)}\n${indent(formatPlan(result.fields))}\n${forecast.join('\n')}\n`;
      }
    }
    if (problems.length === 0) {
      io.out(`ok ${file.file} (${file.mapping!.name})\n${plan ?? ''}`);
      continue;
    }
    invalid += 1;
    problemCount += problems.length;
    for (const problem of problems) io.err(`${formatProblem(problem)}\n`);
  }
  if (invalid === 0) return 0;
  io.err(
    `${problemCount} problem${problemCount === 1 ? '' : 's'} in ${invalid} of ${checked.length} mapping file${checked.length === 1 ? '' : 's'}\n`,
  );
  return 2;
}

function parseArguments(argv: string[]) {
  const parsed = parseOptions({
    args: argv,
    options: { remote: { type: 'boolean', default: false } },
    allowPositionals: true,
  });
  if (parsed.positionals.length > 1)
    throw new Error(`expected one file or folder, found ${parsed.positionals.length}`);
  return parsed;
}

function place(file: CheckedFile, problems: PathProblem[]): ConfigProblem[] {
  return problems.map((p) => ({ file: file.file, ...file.locate?.(p.path), ...p }));
}

// `list 7 "Portfolio" (company)`, or `target companies (their own fields), matched by entityId / domain`.
function destinationLine(result: RemoteCheck): string {
  const { destination, list } = result;
  if (destination.kind === 'list') {
    return `  list ${destination.listId}${list ? ` "${list.name}" (${list.type})` : ''}`;
  }
  const rules = rulesFor({ target: destination.kind }).join(' / ');
  return `  target ${destination.kind} (their own fields), matched by ${rules}`;
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
}

/** What --remote checks with, plus the monthly allowance the responses report (for the forecast). */
type RemoteDeps = RemoteCheckDeps & { allowance: () => QuotaAllowance | undefined; warnShare: number };

// The Affinity client and source drivers load only for --remote; null after printing why not.
async function remoteDeps(io: ValidateIo): Promise<RemoteDeps | null> {
  const { EnvError, readEnv, requireApiKey } = await import('../../config/env.js');
  let client: AffinityClient;
  let watch: AllowanceWatch;
  let warnShare: number;
  try {
    const env = readEnv(io.env);
    const apiKey = requireApiKey(env);
    warnShare = env.QUOTA_WARN_SHARE;
    const { registerSecret } = await import('../../log/secrets.js');
    registerSecret(apiKey);
    const { AffinityClient } = await import('../../affinity/client.js');
    const { AllowanceWatch } = await import('../../affinity/allowance-watch.js');
    const { PassThroughLimiter } = await import('../../affinity/pass-through-limiter.js');
    watch = new AllowanceWatch(new PassThroughLimiter());
    client = new AffinityClient({ apiKey, baseUrl: env.AFFINITY_BASE_URL, maxRetries: 2, limiter: watch });
  } catch (error) {
    if (!(error instanceof EnvError)) throw error;
    io.err(`affinity-sync validate --remote: ${error.message}\n`);
    return null;
  }
  const { openSource } = await import('../../sources/open-source.js');
  const { createLogger } = await import('../../log/logger.js');
  const logger = createLogger({ level: io.env['LOG_LEVEL'] ?? 'warn' });
  return {
    allowance: () => watch.allowance(),
    warnShare,
    getList: (id) => client.getList(id),
    getListFields: (id) => client.getListFields(id),
    getEntityFields: (kind) => client.getEntityFields(kind),
    openSource: (mapping) => openSource(mapping.source, { logger, mappingName: mapping.name }),
  };
}
