// The service's API key: made once, kept in DATA_DIR/api-key (0600), reused, never logged; a key file that holds
// no key stops start-up and stays as it was; API_KEY wins; AUTH=none warns at every start.
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadServiceKey } from '../../src/app-http.js';
import { createCredentialCheck } from '../../src/auth/index.js';
import { ConfigError, loadConfig } from '../../src/config.js';
import { createRecordingLogger } from '../../src/logger.js';
import { makeTempDir } from '../helpers/fixtures.js';

const temp = makeTempDir('api-key-');
afterAll(() => temp.remove());
let dirs = 0;
const newDataDir = () => join(temp.path, `data-${++dirs}`);
const logText = (logger: ReturnType<typeof createRecordingLogger>) => JSON.stringify(logger.lines);

describe('the API key file', () => {
  it('is generated on first start with mode 0600, logged by where it is and never by its value, and reused', async () => {
    const dataDir = newDataDir();
    const logger = createRecordingLogger();
    const first = await loadServiceKey(loadConfig({ DATA_DIR: dataDir }), logger);
    const file = join(dataDir, 'api-key');
    expect(first).toEqual({ key: expect.stringMatching(/^[0-9a-f]{64}$/), source: { kind: 'file', file, created: true } });
    expect(readFileSync(file, 'utf8')).toBe(`${first!.key}\n`);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(logText(logger)).toContain(file);
    expect(logText(logger)).not.toContain(first!.key);

    const again = await loadServiceKey(loadConfig({ DATA_DIR: dataDir }), createRecordingLogger());
    expect(again).toEqual({ key: first!.key, source: { kind: 'file', file, created: false } });
  });

  it('stops start-up when the file holds no key, and leaves the file as it was', async () => {
    const dataDir = newDataDir();
    mkdirSync(dataDir);
    const file = join(dataDir, 'api-key');
    for (const content of ['', '   \n', 'short', 'two words-that-are-long-enough']) {
      writeFileSync(file, content, { mode: 0o600 });
      await expect(loadServiceKey(loadConfig({ DATA_DIR: dataDir }), createRecordingLogger())).rejects.toMatchObject({ code: 'BAD_INPUT', message: expect.stringContaining(file) });
      expect(readFileSync(file, 'utf8')).toBe(content);
    }
  });

  it('warns when other users can read the key file', async () => {
    const dataDir = newDataDir();
    mkdirSync(dataDir);
    writeFileSync(join(dataDir, 'api-key'), 'a-key-that-is-long-enough-0123456789\n', { mode: 0o644 });
    const logger = createRecordingLogger();
    await loadServiceKey(loadConfig({ DATA_DIR: dataDir }), logger);
    expect(logger.lines.some((line) => line.level === 'warn' && line.message.includes('chmod 600'))).toBe(true);
  });

  it('takes API_KEY over the file, and writes no file', async () => {
    const dataDir = newDataDir();
    const logger = createRecordingLogger();
    const loaded = await loadServiceKey(loadConfig({ DATA_DIR: dataDir, API_KEY: 'from-the-environment-0123456789' }), logger);
    expect(loaded).toEqual({ key: 'from-the-environment-0123456789', source: { kind: 'env' } });
    expect(() => statSync(join(dataDir, 'api-key'))).toThrow();
    expect(logText(logger)).not.toContain('from-the-environment-0123456789');
  });

  it('refuses a short API_KEY without echoing it', () => {
    let caught: unknown;
    try {
      loadConfig({ API_KEY: 'tooshort' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).message).toContain('API_KEY');
    expect((caught as ConfigError).message).not.toContain('tooshort');
  });

  it('under AUTH=none loads no key and warns', async () => {
    const dataDir = newDataDir();
    const logger = createRecordingLogger();
    expect(await loadServiceKey(loadConfig({ DATA_DIR: dataDir, AUTH: 'none' }), logger)).toBeNull();
    expect(logger.lines.some((line) => line.level === 'warn' && line.message.startsWith('AUTH=none'))).toBe(true);
  });
});

describe('the credential check', () => {
  const check = createCredentialCheck('the-right-key-0123456789');
  it.each([
    [{ apikey: 'the-right-key-0123456789' }, true],
    [{ authorization: 'Bearer the-right-key-0123456789' }, true],
    [{ authorization: 'bearer the-right-key-0123456789' }, true],
    [{ apikey: 'the-right-key-012345678' }, false],
    [{ apikey: 'the-right-key-01234567890' }, false],
    [{ authorization: 'Basic the-right-key-0123456789' }, false],
    [{ authorization: 'Bearer' }, false],
    [{}, false],
  ])('%j → %s', (headers, expected) => {
    expect(check(headers)).toBe(expected);
  });
});
