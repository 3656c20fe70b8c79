import { getNextMillis } from 'bullmq';
import { CronExpressionParser } from 'cron-parser';
import { describe, expect, it } from 'vitest';
import { cronProblem } from '../../src/mappings/cron.js';

// cron-parser (at the version BullMQ's schedulers use) decides what a schedule accepts; the mapping
// check must agree with it on every expression, and only words the refusal.

/** What BullMQ does with a pattern: refuse an empty one, else cron-parser parses it and finds the next time. */
function schedulerAccepts(pattern: string): boolean {
  if (pattern === '') return false;
  try {
    CronExpressionParser.parse(pattern).next();
    return true;
  } catch {
    return false;
  }
}

const corpus = [
  // macros
  '@daily',
  '@hourly',
  '@weekly',
  '@monthly',
  '@yearly',
  '@annually',
  '@minutely',
  '@secondly',
  '@weekdays',
  '@weekends',
  '@reboot',
  '@DAILY',
  ' @daily',
  // H (hashed values)
  'H * * * *',
  'H H * * *',
  'H/15 * * * *',
  'H(0-29)/10 * * * *',
  '0 H(1-3) * * *',
  'H(5-1) * * * *',
  'h * * * *',
  // field counts
  '',
  '   ',
  '*',
  '* *',
  '2 * *',
  '0 2 * *',
  '* * 99',
  'every day',
  '0 2 * * *',
  '  0   2 * * *  ',
  '15 0 2 * * *',
  '* * * * * *',
  '0 0 0 2 * * *',
  '1 2 3 4 5 6 7',
  // values, ranges, steps, lists
  '00 02 * * *',
  '60 * * * *',
  '70 0 2 * * *',
  '0 0 0 * *',
  '0 0 * 13 *',
  '0 0 * * 8',
  '0 0 * * 0-7',
  '0 0 * * 7',
  '0 0 30 2 *',
  '0 0 31 4 *',
  '0 0 29 2 *',
  '*/15 * * * *',
  '0 9-17/2 * * MON-FRI',
  '0 9-5 * * *',
  '5-1 * * * *',
  '1-2-3 * * * *',
  '*/0 * * * *',
  '*/60 * * * *',
  '0-59/100 * * * *',
  '1/5 * * * *',
  '*/5/2 * * * *',
  '0 0 */2 * *',
  '30 6 1,15 * *',
  '1,,2 * * * *',
  '+1 * * * *',
  '-1 * * * *',
  '1.5 * * * *',
  'a * * * *',
  // names
  '0 0 1 jan,jul *',
  '0 0 1 JAN-MAR/1 *',
  '0 0 ? * sun',
  '0 2 * * funday',
  '0 0 * FOO *',
  '0 0 * * SUNDAY',
  '0 0 * * MON-SUN',
  // L and #
  '0 0 L * *',
  '0 0 * * 5L',
  '0 0 * * 5L,6L',
  '0 0 * * L',
  '0 L * * *',
  '0 0 LW * *',
  '0 0 15W * *',
  '0 0 L-2 * *',
  '0 0 1-L * *',
  '0 0 * * 1#2',
  '0 0 * * 7#2',
  '0 0 * * 1#6',
  '0 0 * * 5#L',
  '0 0 L * L#2',
  '0 0 * * 0#1,1#1',
  '0 0 * * 1#1-3',
];

describe('cron expressions', () => {
  it('has a corpus of at least 40 expressions, accepted and refused', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(40);
    expect(corpus.filter(schedulerAccepts).length).toBeGreaterThanOrEqual(20);
    expect(corpus.filter((e) => !schedulerAccepts(e)).length).toBeGreaterThanOrEqual(20);
  });

  it.each(corpus)('agrees with the scheduler on %j', (expression) => {
    expect(cronProblem(expression) === null).toBe(schedulerAccepts(expression));
  });

  it('agrees with BullMQ itself: an accepted pattern has a next run time', () => {
    const now = Date.parse('2026-03-01T12:00:00Z');
    for (const expression of corpus.filter((e) => cronProblem(e) === null)) {
      expect(typeof getNextMillis(now, { pattern: expression }), expression).toBe('number');
    }
  });

  it.each([
    [
      '',
      'expected a cron expression of 5 fields (minute hour day-of-month month day-of-week) or 6 (a second first), found 0 fields in ""',
    ],
    [
      'every day',
      'expected a cron expression of 5 fields (minute hour day-of-month month day-of-week) or 6 (a second first), found 2 fields in "every day"',
    ],
    [
      '0 0 0 2 * * *',
      'expected a cron expression of 5 fields (minute hour day-of-month month day-of-week) or 6 (a second first), found 7 fields in "0 0 0 2 * * *"',
    ],
    [
      '@reboot',
      '"@reboot" is not a macro cron-parser reads (such as @daily, @hourly, @weekly, @monthly, @yearly)',
    ],
    [' @daily', '" @daily": write the macro without spaces around it'],
    ['60 * * * *', 'minute "60" in "60 * * * *": out of range 0-59'],
    ['0 0 0 * *', 'day of month "0" in "0 0 0 * *": out of range 1-31'],
    ['0 0 * 13 *', 'month "13" in "0 0 * 13 *": out of range 1-12 or JAN-DEC'],
    ['0 0 * * 8', 'day of week "8" in "0 0 * * 8": out of range 0-7 or SUN-SAT'],
    ['0 0 * * 1#6', 'day of week "1#6" in "0 0 * * 1#6": the week after "#" must be 1 to 5'],
    [
      '0 0 L * L#2',
      'day of week "L#2" in "0 0 L * L#2": expected a number in 0-7 or SUN-SAT, *, a range, a step or a list',
    ],
    ['0 0 * * L', 'day of week "L" in "0 0 * * L": L needs a day before it here, like 5L (the last Friday)'],
    ['0 0 L-2 * *', 'day of month "L-2" in "0 0 L-2 * *": L cannot be an end of a range'],
    ['1,,2 * * * *', 'minute "" in "1,,2 * * * *": empty list item'],
    ['*/5/2 * * * *', 'minute "*/5/2" in "*/5/2 * * * *": more than one "/" step'],
    ['*/0 * * * *', 'minute "*/0" in "*/0 * * * *": the step after "/" must be a whole number of 1 or more'],
    ['5-1 * * * *', 'minute "5-1" in "5-1 * * * *": the range runs backwards (5-1)'],
    ['70 0 2 * * *', 'second "70" in "70 0 2 * * *": out of range 0-59'],
    ['0 L * * *', 'hour "L" in "0 L * * *": expected a number in 0-23, *, a range, a step or a list'],
    ['H(5-1) * * * *', 'minute "H(5-1)" in "H(5-1) * * * *": Invalid range: 5-1, min > max'],
    [
      '0 0 * * 0#1,1#1',
      'day of week "0#1,1#1" in "0 0 * * 0#1,1#1": Constraint error, invalid dayOfWeek `#` and `,` special characters are incompatible',
    ],
    [
      '0 0 30 2 *',
      '"0 0 30 2 *" is refused by cron-parser (the parser BullMQ schedules with): Invalid explicit day of month definition',
    ],
  ])('refuses %j naming what is wrong', (expression, message) => {
    expect(cronProblem(expression)).toBe(message);
  });
});
