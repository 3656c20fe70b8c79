import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

// A function longer than this wants splitting into named steps (ARCHITECTURE.md "Design").
const maxLines = 80;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** Every function, method and arrow of a file with its first line and its length in lines. */
function functionLengths(file: string): Array<{ where: string; lines: number }> {
  const text = readFileSync(file, 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: Array<{ where: string; lines: number }> = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const start = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
      const end = source.getLineAndCharacterOfPosition(node.getEnd()).line;
      const name = node.name && ts.isIdentifier(node.name) ? node.name.text : '(anonymous)';
      found.push({ where: `${file}:${start + 1} ${name}`, lines: end - start + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

describe('function length', () => {
  it(`has no function in src/ or jobs/ longer than ${maxLines} lines`, () => {
    const long = ['src', 'jobs']
      .flatMap(sourceFiles)
      .flatMap(functionLengths)
      .filter((f) => f.lines > maxLines)
      .map((f) => `${f.where} (${f.lines} lines)`);
    expect(long).toEqual([]);
  });
});
