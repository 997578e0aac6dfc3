import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';

describe('loadConfig', () => {
  it('runs on its defaults with an empty environment', () => {
    const config = loadConfig({});
    expect(config.server.port).toBe(5000);
    expect(config.vision.profile).toBe('embedded');
    expect(config.vision.executionProvider).toBe('auto');
    expect(config.paths.dataDir).toMatch(/data$/);
    expect(config.stash).toBeNull();
  });

  it('reports every bad variable at once, one line each, naming it', () => {
    let caught: unknown;
    try {
      loadConfig({ PORT: 'abc', EXECUTION_PROVIDER: 'gpu', MAX_UPLOAD_MB: '-1', STASH_URL: 'not a url' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const problems = (caught as ConfigError).problems;
    expect(problems).toContain('PORT: "abc" is not a port number');
    expect(problems).toContain('EXECUTION_PROVIDER: "gpu" is not one of auto, cuda, cpu');
    expect(problems.some((line) => line.startsWith('MAX_UPLOAD_MB:'))).toBe(true);
    expect(problems.some((line) => line.startsWith('STASH_URL:'))).toBe(true);
  });

  it('never echoes the API key in its problems', () => {
    let caught: unknown;
    try {
      loadConfig({ STASH_API_KEY: 'super-secret-key' });
    } catch (error) {
      caught = error;
    }
    expect((caught as ConfigError).message).not.toContain('super-secret-key');
    expect((caught as ConfigError).message).toContain('STASH_URL');
  });

  it('takes the Stash settings and trims a trailing slash', () => {
    const config = loadConfig({ STASH_URL: 'http://stash.local:9999/', STASH_API_KEY: 'k', PORT: '6000' });
    expect(config.stash).toEqual({ url: 'http://stash.local:9999', apiKey: 'k', timeoutMs: 30000 });
    expect(config.server.port).toBe(6000);
  });

  it('turns the body signal on by default and off with ENABLE_BODY_SIGNAL=false', () => {
    expect(loadConfig({}).signals.body).toBe(true);
    expect(loadConfig({ ENABLE_BODY_SIGNAL: 'false' }).signals.body).toBe(false);
  });

  it('stops start-up when the tattoo signal is asked for, saying it is not in this build', () => {
    expect(loadConfig({ ENABLE_TATTOO_SIGNAL: 'false' }).signals.tattoo).toBe(false);
    let caught: unknown;
    try {
      loadConfig({ ENABLE_TATTOO_SIGNAL: 'true' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).problems).toEqual([expect.stringMatching(/^ENABLE_TATTOO_SIGNAL: the tattoo signal is not available in this build/)]);
  });
});

describe('security settings', () => {
  it('are secure by default', () => {
    const config = loadConfig({ DATA_DIR: '/srv/sense' });
    expect(config.auth).toEqual({ mode: 'apikey', apiKey: null });
    expect(config.server.trustProxy).toBe(false);
    expect(config.server.allowedHosts).toEqual([]);
    expect(config.fetch.allowPrivateUrls).toBe(false);
    expect(config.paths.importDir).toBe('/srv/sense');
    expect(config.limits).toEqual({ concurrentImages: 2, concurrentScenes: 2, retryAfterSeconds: 5 });
  });

  it('reads AUTH, API_KEY, TRUST_PROXY, ALLOWED_HOSTS, ALLOW_PRIVATE_URLS, IMPORT_DIR and the caps', () => {
    const config = loadConfig({
      AUTH: 'none',
      API_KEY: 'a-long-enough-key-0123456789',
      TRUST_PROXY: 'true',
      ALLOWED_HOSTS: 'Tower.local, nas',
      ALLOW_PRIVATE_URLS: 'yes',
      IMPORT_DIR: '/imports',
      MAX_CONCURRENT_IMAGES: '4',
      MAX_CONCURRENT_SCENES: '1',
    });
    expect(config.auth).toEqual({ mode: 'none', apiKey: 'a-long-enough-key-0123456789' });
    expect(config.server).toMatchObject({ trustProxy: true, allowedHosts: ['tower.local', 'nas'] });
    expect(config.fetch.allowPrivateUrls).toBe(true);
    expect(config.paths.importDir).toBe('/imports');
    expect(config.limits).toMatchObject({ concurrentImages: 4, concurrentScenes: 1 });
  });

  it('refuses an unknown AUTH mode', () => {
    expect(() => loadConfig({ AUTH: 'off' })).toThrow(/AUTH: "off" is not one of apikey, none/);
  });
});
