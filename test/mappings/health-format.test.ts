import { describe, expect, it } from 'vitest';
import { checkMappingText } from '../../src/mappings/load-mapping.js';
import { mappingText as m, problemsOf } from './support.js';

// The `tolerate:` and `expect:` blocks: what they normalize to, and one pinned message per invalid shape.

const withBlock = (block: string) => m({ mode: block });
const limit = 'expected a whole number like 5 or a percentage like "2%" (0% to 100%)';

describe('tolerate and expect in a mapping', () => {
  it('normalizes counts and percentages; both blocks are optional', () => {
    const checked = checkMappingText(
      withBlock(
        'tolerate:\n  rejectedValues: 5\n  failedEntries: "2.5%"\nexpect:\n  minRows: 1\n  minMatchedShare: 0.9\n',
      ),
      'x.yaml',
      {},
    );
    expect(checked.problems).toEqual([]);
    expect(checked.mapping?.tolerate).toEqual({
      rejectedValues: { count: 5 },
      failedEntries: { percent: 2.5 },
    });
    expect(checked.mapping?.expect).toEqual({ minRows: 1, minMatchedShare: 0.9 });
    const plain = checkMappingText(m(), 'x.yaml', {}).mapping;
    expect(plain?.tolerate).toBeUndefined();
    expect(plain?.expect).toBeUndefined();
  });

  it.each([
    [
      'a negative count',
      'tolerate:\n  rejectedValues: -1\n',
      `12:19 tolerate.rejectedValues: ${limit}, found the number -1`,
    ],
    [
      'a fractional count',
      'tolerate:\n  failedEntries: 1.5\n',
      `12:18 tolerate.failedEntries: ${limit}, found the number 1.5`,
    ],
    [
      'a percentage over 100',
      'tolerate:\n  rejectedValues: "120%"\n',
      `12:19 tolerate.rejectedValues: ${limit}, found "120%"`,
    ],
    [
      'text that is no percentage',
      'tolerate:\n  rejectedValues: five\n',
      `12:19 tolerate.rejectedValues: ${limit}, found "five"`,
    ],
    [
      'an unknown key in tolerate',
      'tolerate:\n  failed: 1\n',
      '12:3 tolerate.failed: unknown key "failed"; expected one of rejectedValues, failedEntries',
    ],
    [
      'tolerate not a mapping',
      'tolerate: 3\n',
      '11:11 tolerate: expected a mapping with rejectedValues and/or failedEntries, found the number 3',
    ],
    [
      'a negative minRows',
      'expect:\n  minRows: -2\n',
      '12:12 expect.minRows: expected a whole number of rows like 1, found the number -2',
    ],
    [
      'minRows as text',
      'expect:\n  minRows: "x"\n',
      '12:12 expect.minRows: expected a whole number of rows like 1, found "x"',
    ],
    [
      'a share above 1',
      'expect:\n  minMatchedShare: 1.5\n',
      '12:20 expect.minMatchedShare: expected a share from 0 to 1 like 0.9, found the number 1.5',
    ],
    [
      'a share written as a percentage',
      'expect:\n  minMatchedShare: 90%\n',
      '12:20 expect.minMatchedShare: expected a share from 0 to 1 like 0.9, found "90%"',
    ],
    [
      'an unknown key in expect',
      'expect:\n  rows: 1\n',
      '12:3 expect.rows: unknown key "rows"; expected one of minRows, minMatchedShare',
    ],
  ])('%s', (_what, block, message) => {
    expect(problemsOf(withBlock(block))).toEqual([`mappings/test.yaml:${message}`]);
  });
});
