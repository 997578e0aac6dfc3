// Heavy work is capped and stops when its client leaves: past the cap a request gets BUSY with a retry hint
// instead of waiting in a queue, and a dropped request's work (URL fetch, ffmpeg) ends with it.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { facesDir, makeTempDir } from '../helpers/fixtures.js';
import { startStashSidecar, type StashSidecar } from '../helpers/stash-sidecar.js';
import { buildSceneVideo, createMediaCache } from '../stash-double/index.js';

const temp = makeTempDir('busy-abort-');
const media = createMediaCache();
const photo = readFileSync(join(facesDir, 'people/obama/01.jpg'));
let sidecar: StashSidecar;
let holder: Server;
let holderUrl = '';
/** Requests the holding server has received and not answered. */
const held: { request: IncomingMessage; response: ServerResponse; closed: Promise<void> }[] = [];
let onHeld: (() => void) | undefined;

const identifyUrl = 'mutation ($url: String) { identifyImage(url: $url) { width } }';
const identifyBase64 = 'mutation ($data: String) { identifyImage(base64: $data) { width } }';
const identifyScene = 'mutation { identifyScene(sceneId: "1", options: { sources: [STREAM], frameCount: 1000 }) { framesRead } }';

beforeAll(async () => {
  // A long scene: 1000 frames keep ffmpeg busy for far longer than it takes to hang up on it.
  const video = await buildSceneVideo(media, { segments: [{ photo: join(facesDir, 'people/obama/01.jpg'), seconds: 30 }], width: 640, height: 360 });
  const file = { duration: video.durationSeconds, width: video.width, height: video.height, oshash: 'long01' };
  sidecar = await startStashSidecar(temp.path, {
    enroll: false,
    stash: { scenes: [{ id: '1', title: 'Long', files: [file], media: { stream: { file: video.path } } }] },
    // The holding server is on loopback; without an abort, only this (very long) timeout would end its fetch.
    env: { MAX_CONCURRENT_IMAGES: '1', MAX_CONCURRENT_SCENES: '1', ALLOW_PRIVATE_URLS: 'true', URL_FETCH_TIMEOUT_MS: '600000' },
  });
  holder = createServer((request, response) => {
    const closed = new Promise<void>((resolve) => request.socket.once('close', () => resolve()));
    held.push({ request, response, closed });
    onHeld?.();
  });
  await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
  holderUrl = `http://127.0.0.1:${(holder.address() as AddressInfo).port}/photo.jpg`;
});
afterAll(async () => {
  for (const { response } of held) response.destroy();
  await new Promise((resolve) => holder?.close(resolve));
  await sidecar?.close();
  media.close();
  temp.remove();
});

const nextHeld = () => new Promise<void>((resolve) => (onHeld = resolve));
const ffmpegChildren = () => {
  try {
    return execFileSync('ps', ['-o', 'comm=', '--ppid', String(process.pid)], { encoding: 'utf8' }).split('\n').filter((name) => name.trim() === 'ffmpeg').length;
  } catch {
    return 0; // ps exits 1 when there are no children at all
  }
};
const until = async (condition: () => boolean | Promise<boolean>) => {
  while (!(await condition())) await new Promise((resolve) => setTimeout(resolve, 25));
};

describe('the concurrency cap', () => {
  it('answers BUSY with a retry hint while the one image slot is taken, then serves again', async () => {
    const arrived = nextHeld();
    const first = sidecar.server.graphql(identifyUrl, { url: holderUrl });
    await arrived;
    const busy = await sidecar.server.graphql(identifyBase64, { data: photo.toString('base64') });
    expect(busy.errors?.[0]?.extensions).toEqual({ code: 'BUSY', retryAfterSeconds: 5 });
    expect(busy.errors?.[0]?.message).toMatch(/try again in 5 s/);

    const { response } = held.shift()!;
    response.writeHead(200, { 'content-type': 'image/jpeg' }).end(photo);
    expect((await first).errors?.[0]?.extensions?.code).not.toBe('BUSY');
    const after = await sidecar.server.graphql(identifyBase64, { data: photo.toString('base64') });
    expect(after.errors?.[0]?.extensions?.code).not.toBe('BUSY');
  });
});

describe('a client that hangs up', () => {
  it('stops the URL fetch it asked for and frees its slot', async () => {
    const controller = new AbortController();
    const arrived = nextHeld();
    const pending = sidecar.server.graphql(identifyUrl, { url: holderUrl }, { signal: controller.signal }).catch((error: unknown) => error);
    await arrived;
    const { closed } = held.shift()!;
    controller.abort();
    await pending;
    // The sidecar closed its own request to the holding server, which never answered.
    await closed;
    await until(async () => (await sidecar.server.graphql(identifyBase64, { data: 'AAAA' })).errors?.[0]?.extensions?.code !== 'BUSY');
  });

  it('stops a scene’s ffmpeg processes, stores no result, and a second scene meanwhile gets BUSY', async () => {
    const controller = new AbortController();
    const pending = sidecar.server.graphql(identifyScene, {}, { signal: controller.signal }).catch((error: unknown) => error);
    await until(() => ffmpegChildren() > 0);
    const second = await sidecar.server.graphql(identifyScene);
    expect(second.errors?.[0]?.extensions?.code).toBe('BUSY');

    controller.abort();
    await pending;
    await until(() => ffmpegChildren() === 0);
    // The scene slot is free again (a scene that does not exist is refused as such, not as BUSY)...
    await until(async () => (await sidecar.server.graphql('mutation { identifyScene(sceneId: "999") { framesRead } }')).errors?.[0]?.extensions?.code === 'NOT_FOUND');
    // ...and had the work gone on, it would have finished and stored its result before freeing the slot.
    const stored = await sidecar.server.graphql<{ sceneIdentification: unknown }>('{ sceneIdentification(sceneId: "1") { framesRead } }');
    expect(stored.data?.sceneIdentification).toBeNull();
    // ...as a short run shows: it finishes and is stored.
    const short = await sidecar.server.graphql<{ identifyScene: { framesRead: number } }>('mutation { identifyScene(sceneId: "1", options: { sources: [STREAM], frameCount: 1 }) { framesRead } }');
    expect(short.errors).toBeUndefined();
    expect(short.data?.identifyScene.framesRead).toBe(1);
    const storedNow = await sidecar.server.graphql<{ sceneIdentification: unknown }>('{ sceneIdentification(sceneId: "1") { framesRead } }');
    expect(storedNow.data?.sceneIdentification).toEqual({ framesRead: 1 });
    expect(ffmpegChildren()).toBe(0);
  });
});
