import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { openTestApp } from '../helpers/app.js';
import { makeTempDir } from '../helpers/fixtures.js';
import { startTestServer } from '../helpers/server.js';
import { createStashDouble, type StashDouble } from '../stash-double/index.js';

const temp = makeTempDir();
let double: StashDouble;
const opened: { app: App; server: Awaited<ReturnType<typeof startTestServer>> }[] = [];

async function open(env: Record<string, string>) {
  const { app, logger } = await openTestApp(join(temp.path, `data-${opened.length}`), env);
  const server = await startTestServer(app);
  opened.push({ app, server });
  return { app, server, logger };
}

beforeAll(async () => {
  double = await createStashDouble({});
});
afterAll(async () => {
  for (const { app, server } of opened) {
    await server.close();
    await app.close();
  }
  await double?.close();
  temp.remove();
});

const healthQuery = `{ health { status databaseLoaded performerCount faceCount executionProvider executionProviderReason modelProfile version stash { configured url reachable version error } } }`;

describe('health', () => {
  it('starts on an empty database without Stash, and says so', async () => {
    const { server, logger } = await open({});
    const { data } = await server.graphql<{ health: Record<string, unknown> }>(healthQuery);
    expect(data!.health).toMatchObject({ status: 'ok', databaseLoaded: true, performerCount: 0, faceCount: 0, executionProvider: 'cpu', modelProfile: 'embedded' });
    expect(data!.health.stash).toEqual({ configured: false, url: null, reachable: null, version: null, error: null });
    // Start-up logs its steps in order.
    const steps = logger.lines.filter((line) => line.scope === 'app').map((line) => line.message);
    expect(steps).toEqual(['loading face database', 'face database loaded', 'execution provider', 'body signal loaded', 'recommendations database opened', expect.stringMatching(/^stash not configured/)]);
  });

  it('reports Stash reachable with its version, and unreachable with a reason but no key', async () => {
    const { server } = await open({ STASH_URL: double.url, STASH_API_KEY: double.apiKey ?? '' });
    const up = await server.graphql<{ health: { stash: Record<string, unknown> } }>(healthQuery);
    expect(up.data!.health.stash).toMatchObject({ configured: true, url: double.url, reachable: true, error: null });
    expect(up.data!.health.stash.version).toEqual(expect.any(String));
    double.setMode('refuseKey');
    try {
      const refused = await server.graphql<{ health: { stash: Record<string, unknown> } }>(healthQuery);
      expect(refused.data!.health.stash).toMatchObject({ configured: true, reachable: false });
      expect(JSON.stringify(refused)).not.toContain(double.apiKey!);
    } finally {
      double.setMode('up');
    }
  });

  it('logs at start-up whether Stash answered, without the key, and starts either way', async () => {
    const up = await openTestApp(join(temp.path, 'start-up'), { STASH_URL: double.url, STASH_API_KEY: double.apiKey ?? '' }, { checkStash: true });
    await up.app.close();
    const connected = up.logger.lines.find((line) => line.message === 'stash connected');
    expect(connected?.fields).toMatchObject({ url: double.url, version: expect.any(String) });

    double.setMode('down');
    try {
      const down = await openTestApp(join(temp.path, 'start-up'), { STASH_URL: double.url, STASH_API_KEY: double.apiKey ?? '' }, { checkStash: true });
      await down.app.close();
      expect(down.logger.lines.find((line) => line.message === 'stash not reachable')?.level).toBe('warn');
      expect(JSON.stringify(down.logger.lines)).not.toContain(double.apiKey!);
    } finally {
      double.setMode('up');
    }
  });

  it('GET /health/ffmpeg says whether scenes can be read', async () => {
    const { server } = await open({ STASH_URL: double.url, STASH_API_KEY: double.apiKey ?? '' });
    const response = await fetch(`${server.url}/health/ffmpeg`);
    expect(await response.json()).toEqual({ ffmpeg_available: true, version: expect.any(String), scene_identification_ready: true });
  });
});
