import { CronExpressionParser } from 'cron-parser';
import { describe, expect, it } from 'vitest';
import { cronProblem } from '../../src/mappings/cron.js';

// cron-parser is what BullMQ schedules with: whatever the mapping check accepts, it must read.
const valid = [
  '0 2 * * *',
  '*/15 * * * *',
  '0 9-17/2 * * MON-FRI',
  '30 6 1,15 * *',
  '0 0 L * *',
  '0 0 * * 5L',
  '0 0 * * 1#2',
  '0 0 ? * sun',
  '0 0 1 jan,jul *',
  '0 0 * * 7',
  '15 0 2 * * *',
  '  0   2 * * *  ',
];

describe('cron expressions', () => {
  it.each(valid)('accepts %j (and so does cron-parser)', (expression) => {
    expect(cronProblem(expression)).toBeNull();
    expect(() => CronExpressionParser.parse(expression.trim())).not.toThrow();
  });

  it.each([
    [
      '0 2 * *',
      'expected a cron expression of 5 fields (minute hour day-of-month month day-of-week) or 6 (a second first), found 4 fields in "0 2 * *"',
    ],
    [
      '',
      'expected a cron expression of 5 fields (minute hour day-of-month month day-of-week) or 6 (a second first), found 0 fields in ""',
    ],
    ['60 * * * *', 'minute "60" in "60 * * * *": out of range 0-59'],
    ['0 0 0 * *', 'day of month "0" in "0 0 0 * *": out of range 1-31'],
    ['0 0 * 13 *', 'month "13" in "0 0 * 13 *": out of range 1-12 or JAN-DEC'],
    ['0 0 * * 8', 'day of week "8" in "0 0 * * 8": out of range 0-7 or SUN-SAT'],
    ['0 0 * * 1#6', 'day of week "1#6" in "0 0 * * 1#6": the week after "#" must be 1 to 5'],
    [
      '0 0 L * L#2',
      'day of week "L#2" in "0 0 L * L#2": expected a number in 0-7 or SUN-SAT, *, a range, a step or a list',
    ],
    ['1,,2 * * * *', 'minute "" in "1,,2 * * * *": empty list item'],
    ['*/5/2 * * * *', 'minute "*/5/2" in "*/5/2 * * * *": more than one "/" step'],
    ['1-2-3 * * * *', 'minute "1-2-3" in "1-2-3 * * * *": expected a value or a range like 1-5 in 0-59'],
    ['70 0 2 * * *', 'second "70" in "70 0 2 * * *": out of range 0-59'],
    ['0 L * * *', 'hour "L" in "0 L * * *": expected a number in 0-23, *, a range, a step or a list'],
  ])('rejects %j', (expression, message) => {
    expect(cronProblem(expression)).toBe(message);
  });
});
