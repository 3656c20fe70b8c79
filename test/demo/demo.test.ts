import { describe, expect, it } from 'vitest';
import { runDemo } from '../../src/demo/run-demo.js';
import { silentLogger } from '../../src/log/logger.js';

// `npm run demo` in-process: the working directory is the repository root, as under npm.

describe('npm run demo', () => {
  it('writes on the first run, nothing on the second, and reports the planted problems', async () => {
    let output = '';
    const result = await runDemo({ write: (text) => (output += text), logger: silentLogger });

    expect(result.exitCode, output).toBe(0);
    expect(result.first.rows).toEqual({
      read: 33,
      matched: 32,
      unmatched: 1,
      ambiguous: 0,
      duplicate: 1,
      rejected: 1,
    });
    expect(result.first.entries.updated).toBeGreaterThan(0);
    expect(result.patches.first).toBe(result.first.calls.write);
    expect(result.second.entries.updated).toBe(0);
    expect(result.second.calls.write).toBe(0);
    expect(result.patches.second).toBe(0);
    expect(result.second.fields.unchanged).toBe(result.first.fields.written + result.first.fields.unchanged);

    // The planted problems by code (their messages are pinned in test/sync).
    const unmatched = result.first.problems.find((p) => p.key === 'domain=quietfield-robotics.example');
    expect(unmatched?.code).toBe('unmatched');
    const rejected = result.first.problems.find((p) => p.column === 'stage');
    expect(rejected?.code).toBe('rejected-value');
    expect(rejected?.reason).toMatch(/^"Series Z" /);
    expect(result.first.problems.filter((p) => p.code === 'duplicate-row')).toHaveLength(
      result.first.rows.duplicate,
    );
    // Issue 15.3: the dry run's forecast is what run 1 spends, within ±1%.
    const forecast = result.dry.forecast!;
    expect(forecast.total).toBe(forecast.reads + forecast.writes);
    expect(Math.abs(result.first.calls.total - forecast.total)).toBeLessThanOrEqual(forecast.total * 0.01);
    expect(forecast.writes).toBe(result.first.calls.write);
    expect(result.dry.calls.write).toBe(0);
    expect(output).toContain(
      `  forecast a real run: ${forecast.total} calls (${forecast.reads} read, ${forecast.writes} write); no monthly quota reported (unlimited)`,
    );
    expect(output).toContain(
      `The dry run forecast ${forecast.total} calls; run 1 spent ${result.first.calls.total} (`,
    );
    expect(output).toContain('Run 1: the warehouse differs from Affinity');
    expect(output).toContain('Run 2: same data again');
    expect(output).toMatch(/Demo passed: run 1 updated \d+ entries in \d+ PATCH calls; run 2 sent none\./);
    expect(output).not.toContain('simulator-key');
  });
});
