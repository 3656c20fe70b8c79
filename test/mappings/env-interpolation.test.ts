// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are mapping text with ${VAR} references
import { afterEach, describe, expect, it } from 'vitest';
import { clearSecrets, scrub } from '../../src/log/secrets.js';
import { checkMappingText } from '../../src/mappings/load-mapping.js';
import { interpolate } from '../../src/mappings/yaml-document.js';
import { mappingText as m, problemsOf } from './support.js';

afterEach(() => clearSecrets());

describe('${VAR} interpolation', () => {
  it('replaces variables anywhere in a string value, several per value', () => {
    const text = m({
      source:
        'source:\n  type: postgres\n  url: postgres://${PGUSER}:${PGPASSWORD}@${PGHOST}/db\n  query: select 1\n',
    });
    const checked = checkMappingText(text, 'x.yaml', {
      PGUSER: 'sync',
      PGPASSWORD: 's3cret-pw',
      PGHOST: 'wh',
    });
    expect(checked.mapping?.source).toEqual({
      type: 'postgres',
      url: 'postgres://sync:s3cret-pw@wh/db',
      query: 'select 1',
    });
  });

  it('keeps $${ as a literal ${ and leaves a lone $ alone', () => {
    expect(interpolate('cost $5 and $${NOT_A_VAR} and ${A}', { A: 'a' })).toEqual({
      value: 'cost $5 and ${NOT_A_VAR} and a',
      missing: [],
    });
  });

  it('treats an empty variable as set', () => {
    expect(interpolate('x${EMPTY}y', { EMPTY: '' })).toEqual({ value: 'xy', missing: [] });
  });

  it('names each missing variable at the value that uses it', () => {
    const text = m({
      source: 'source:\n  type: postgres\n  url: postgres://${PGUSER}@${PGHOST}/db\n  query: select 1\n',
    });
    expect(problemsOf(text, { PGUSER: 'sync' })).toEqual([
      'mappings/test.yaml:4:8 source.url: environment variable PGHOST is not set (used as ${PGHOST})',
    ]);
  });

  it('reports a missing variable once, not again as a bad value', () => {
    expect(problemsOf(m({ name: 'name: ${MAPPING_NAME}\n' }))).toEqual([
      'mappings/test.yaml:1:7 name: environment variable MAPPING_NAME is not set (used as ${MAPPING_NAME})',
    ]);
  });

  it('rejects a malformed or unclosed reference', () => {
    expect(problemsOf(m({ name: 'name: ${not valid}\n' }))).toEqual([
      'mappings/test.yaml:1:7 name: "${not valid}" is not a variable reference; write ${NAME} with letters, digits and _, or $${ for a literal "${"',
    ]);
    expect(problemsOf(m({ name: 'name: "${OPEN"\n' }))).toEqual([
      'mappings/test.yaml:1:7 name: unclosed "${"; write ${NAME}, or $${ for a literal "${"',
    ]);
  });

  it('never echoes an interpolated value in a message: it shows the text of the file', () => {
    const problems = problemsOf(m({ name: 'name: ${MAPPING_NAME}\n' }), { MAPPING_NAME: 'Top Secret Value' });
    expect(problems).toEqual([
      'mappings/test.yaml:1:7 name: expected a name of lowercase letters, digits and dashes, like "portfolio-metrics", found "${MAPPING_NAME}" (from the environment)',
    ]);
    const cron = problemsOf(m({ schedule: 'schedule:\n  cron: ${CRON}\n' }), { CRON: '0 99 * * *' });
    expect(cron).toEqual([
      'mappings/test.yaml:3:9 schedule.cron: expected a cron expression of 5 or 6 fields, found "${CRON}" (from the environment)',
    ]);
  });

  it('never quotes a password or key written in the file, even of the wrong type', () => {
    const source = (auth: string) =>
      m({
        source: `source:\n  type: snowflake\n  account: myorg-acct\n  username: sync\n${auth}  query: select 1\n`,
      });
    expect(problemsOf(source('  password: 98765432\n'))).toEqual([
      'mappings/test.yaml:6:13 source.password: expected text, found a number',
    ]);
    expect(problemsOf(source('  password: [hunter2]\n'))).toEqual([
      'mappings/test.yaml:6:13 source.password: expected text, found a list',
    ]);
    expect(
      problemsOf(source('  privateKey: ${KEY}\n  privateKeyPassphrase: 1234567\n'), { KEY: 'pem' }),
    ).toEqual(['mappings/test.yaml:7:25 source.privateKeyPassphrase: expected text, found a number']);
  });

  it('registers source passwords and keys as secrets so logs scrub them', () => {
    const text = m({
      source:
        'source:\n  type: snowflake\n  account: myorg-acct\n  username: sync\n  password: ${SF_PASSWORD}\n  query: select 1\n',
    });
    expect(checkMappingText(text, 'x.yaml', { SF_PASSWORD: 'hunter2-snow' }).problems).toEqual([]);
    expect(scrub('login with hunter2-snow failed')).toBe('login with [redacted] failed');
    const pg = m({
      source: 'source:\n  type: postgres\n  url: postgres://sync:pg-pass-9@wh/db\n  query: select 1\n',
    });
    checkMappingText(pg, 'y.yaml', {});
    expect(scrub('password pg-pass-9')).toBe('password [redacted]');
  });
});
