import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { registerSecret } from '../log/secrets.js';
import { errorMessage } from '../util/error-message.js';
import { ConfigError, type ConfigProblem, type PathProblem } from './config-error.js';
import type { Mapping } from './mapping-schema.js';
import { parseMapping, pathSegments } from './parse-mapping.js';
import { parseMappingDocument, positionProblems } from './yaml-document.js';

export interface LoadedMapping {
  mapping: Mapping;
  /** The file as given (e.g. `mappings/portfolio.yaml`), for messages. */
  file: string;
  /** Line and column of a path (`fields.arr`), for problems found when the run asks Affinity. */
  locate?: (path: string) => { line: number; column: number };
}

function loaded(checked: CheckedFile & { mapping: Mapping }): LoadedMapping {
  return {
    mapping: checked.mapping,
    file: checked.file,
    ...(checked.locate ? { locate: checked.locate } : {}),
  };
}

/** One file's outcome: the mapping when valid, every problem otherwise. */
export interface CheckedFile {
  file: string;
  mapping?: Mapping;
  problems: ConfigProblem[];
  /** The `name` the file declares, when it is text (even if the file has other problems). */
  name?: string;
  /** Where `name` is written (for the duplicate-name problem). */
  nameAt?: { line: number; column: number };
  /** Line and column of a path (`fields.arr`) in the file, for problems found later (validate --remote). */
  locate?: (path: string) => { line: number; column: number };
}

const yamlFile = /\.ya?ml$/i;

/** Checks mapping text: YAML syntax, `${VAR}` interpolation from `env`, then the schema. */
export function checkMappingText(
  text: string,
  file: string,
  env: NodeJS.ProcessEnv = process.env,
): CheckedFile {
  const document = parseMappingDocument(text, env);
  const declared = (document.data as { name?: unknown } | null | undefined)?.name;
  const name = typeof declared === 'string' ? declared : undefined;
  const locate = (path: string) => document.locate(pathSegments(path));
  const named = { locate, ...(name === undefined ? {} : { name, nameAt: document.locate(['name']) }) };
  const withFile = (problems: PathProblem[]): ConfigProblem[] => problems.map((p) => ({ file, ...p }));
  if (document.data === undefined && document.problems.length > 0) {
    return { file, problems: withFile(document.problems) }; // no node positions to offer
  }
  const parsed = parseMapping(document.data, document.interpolated);
  // A value whose variable is missing is reported once, as missing, not again as malformed.
  const envPaths = new Set(document.problems.map((p) => p.path));
  const schemaProblems = positionProblems(document, parsed.problems).filter((p) => !envPaths.has(p.path));
  const problems = withFile(
    [...document.problems, ...schemaProblems].sort((a, b) => a.line - b.line || a.column - b.column),
  );
  if (parsed.mapping === undefined || problems.length > 0) return { file, problems, ...named };
  registerSourceSecrets(parsed.mapping);
  return { file, mapping: parsed.mapping, problems: [], ...named };
}

/** Reads and checks one mapping file; throws ConfigError listing every problem. */
export async function loadMappingFile(
  file: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<LoadedMapping> {
  const checked = await checkMappingFile(file, env);
  if (checked.mapping === undefined) throw new ConfigError(checked.problems);
  return loaded({ ...checked, mapping: checked.mapping, file });
}

/**
 * Reads and checks every *.yaml / *.yml in `dir` (not recursive); names must be unique. Throws one
 * ConfigError with the problems of all files.
 */
export async function loadMappingsDir(
  dir: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<LoadedMapping[]> {
  const checked = await checkMappingsDir(dir, env);
  const problems = checked.flatMap((c) => c.problems);
  if (problems.length > 0) throw new ConfigError(problems);
  return checked.map((c) => loaded({ ...c, mapping: c.mapping! }));
}

/**
 * A mapping by file path, or by `name` among the files of `mappingsDir`. Only the named mapping has
 * to be valid: a broken neighbour does not stop it.
 */
export async function findMapping(
  fileOrName: string,
  mappingsDir: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<LoadedMapping> {
  if (/[\\/]/.test(fileOrName) || yamlFile.test(fileOrName)) return loadMappingFile(fileOrName, env);
  const checked = await checkMappingsDir(mappingsDir, env);
  const named = checked.filter((c) => c.name === fileOrName);
  const [only] = named;
  if (named.length === 1 && only?.mapping !== undefined) return loaded({ ...only, mapping: only.mapping });
  if (named.length > 0) throw new ConfigError(named.flatMap((c) => c.problems));
  const unnamed = checked.filter((c) => c.name === undefined).flatMap((c) => c.problems);
  const names = checked.flatMap((c) => (c.name === undefined ? [] : [c.name]));
  throw new ConfigError([
    {
      file: mappingsDir,
      path: '',
      message: `no mapping named "${fileOrName}" (${names.length === 0 ? 'the folder has none' : `found: ${names.join(', ')}`})`,
    },
    ...unnamed,
  ]);
}

/** Checks one file, never throwing: an unreadable file is a problem like any other. */
export async function checkMappingFile(
  file: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<CheckedFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    return { file, problems: [{ file, path: '', message: readFailure(error, 'file') }] };
  }
  return checkMappingText(text, file, env);
}

/** Checks every mapping file of `dir` and that their names are unique; never throws. */
export async function checkMappingsDir(
  dir: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<CheckedFile[]> {
  let entries: string[];
  try {
    entries = (await readdir(dir)).filter((entry) => yamlFile.test(entry)).sort();
  } catch (error) {
    return [{ file: dir, problems: [{ file: dir, path: '', message: readFailure(error, 'folder') }] }];
  }
  const checked = await Promise.all(entries.map((entry) => checkMappingFile(join(dir, entry), env)));
  const firstFile = new Map<string, string>();
  return checked.map((c) => {
    if (c.name === undefined) return c;
    const first = firstFile.get(c.name);
    if (first === undefined) {
      firstFile.set(c.name, c.file);
      return c;
    }
    const { mapping: _dropped, ...rest } = c;
    return {
      ...rest,
      problems: [
        ...c.problems,
        {
          file: c.file,
          ...c.nameAt,
          path: 'name',
          message: `"${c.name}" is also the name of ${first}; names must be unique in the mappings folder`,
        },
      ],
    };
  });
}

/** Checks a file or every file of a folder (what `validate` reads). */
export async function checkMappingPath(
  target: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<CheckedFile[]> {
  const info = await stat(target).catch(() => undefined);
  if (info === undefined)
    return [{ file: target, problems: [{ file: target, path: '', message: 'no such file or folder' }] }];
  if (info.isDirectory()) return checkMappingsDir(target, env);
  return [await checkMappingFile(target, env)];
}

function readFailure(error: unknown, what: 'file' | 'folder'): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return `no such ${what}`;
  if (code === 'EISDIR') return 'is a folder, expected a mapping file';
  if (code === 'ENOTDIR') return 'is not a folder';
  if (code === 'EACCES') return `cannot read the ${what} (permission denied)`;
  return `cannot read the ${what}: ${errorMessage(error)}`;
}

// Passwords and keys read from the file (usually through ${VAR}) are scrubbed from every log line.
function registerSourceSecrets(mapping: Mapping): void {
  const source = mapping.source;
  switch (source.type) {
    case 'postgres':
      try {
        registerSecret(decodeURIComponent(new URL(source.url).password));
      } catch {
        // Not a URL the parser reads; the driver will say so, without echoing it.
      }
      break;
    case 'snowflake':
      registerSecret(source.password);
      registerSecret(source.privateKey);
      registerSecret(source.privateKeyPassphrase);
      break;
    case 'duckdb':
      break;
    default: {
      const never: never = source;
      throw new Error(`unknown source type ${String(never)}`);
    }
  }
}
