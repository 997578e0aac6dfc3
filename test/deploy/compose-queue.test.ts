import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { validateCompose } from './compose-schema.js';
import { isRecord, readYaml } from './deploy-files.js';

const file = 'docker-compose.queue.yml';

function environmentOf(name: string): Record<string, string> {
  const compose = readYaml(file) as { services: Record<string, { environment?: unknown }> };
  const environment = compose.services[name]?.environment;
  expect(isRecord(environment)).toBe(true);
  return environment as Record<string, string>;
}

describe('docker-compose.queue.yml (Redis, a sidecar, a worker-only sidecar)', () => {
  it('follows the Compose specification', () => {
    const valid = validateCompose(readYaml(file));
    expect(validateCompose.errors?.map((error) => `${error.instancePath} ${error.message}`) ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('gives both sidecars the same password-protected queue, and their settings load', () => {
    const sidecar = environmentOf('stash-sense');
    const worker = environmentOf('stash-sense-worker');
    expect(worker.QUEUE_URL).toBe(sidecar.QUEUE_URL);
    const compose = readYaml(file) as { services: { redis: { command: string[] } } };
    expect(compose.services.redis.command).toContain('--requirepass');
    // What Compose hands the container once REDIS_PASSWORD is set.
    const interpolate = (environment: Record<string, string>) =>
      Object.fromEntries(Object.entries(environment).map(([key, value]) => [key, value.replace(/\$\{REDIS_PASSWORD:\?[^}]*\}/g, 'pw').replace(/\$\{[A-Z_]+:-([^}]*)\}/g, '$1')]));
    const sidecarConfig = loadConfig({ ...interpolate(sidecar), STASH_URL: 'http://stash:9999' });
    expect(sidecarConfig.queue).toMatchObject({ url: 'redis://:pw@redis:6379', worker: true, workerOnly: false });
    const workerConfig = loadConfig({ ...interpolate(worker), STASH_URL: 'http://stash:9999' });
    expect(workerConfig.queue).toMatchObject({ url: 'redis://:pw@redis:6379', worker: true, workerOnly: true, workerName: 'gpu1', concurrency: 1 });
  });

  it('keeps the worker out of the sidecar data dir and publishes no port for it', () => {
    const compose = readYaml(file) as { services: Record<string, { volumes?: string[]; ports?: string[] }> };
    expect(compose.services['stash-sense-worker']!.volumes).toEqual(['./worker-data:/data']);
    expect(compose.services['stash-sense-worker']!.ports).toBeUndefined();
  });
});
