import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/logger.js';
import { createStashClient, getScene } from '../../src/stash/index.js';
import { createStashDouble, type StashDouble } from './index.js';
import {
  buildSceneVideo,
  buildScreenshot,
  buildSpriteSheet,
  createMediaCache,
  facePhoto,
  type MediaCache,
  type SceneVideo,
  type SpriteSheet,
} from './media.js';

const run = promisify(execFile);
const oshash = '0123456789abcdef';

let cache: MediaCache;
let video: SceneVideo;
let sprite: SpriteSheet;
let screenshot: Buffer;
let double: StashDouble;

beforeAll(async () => {
  cache = createMediaCache();
  video = await buildSceneVideo(cache, {
    segments: [
      { photo: facePhoto('people/obama/01.jpg'), seconds: 1.5 },
      { photo: facePhoto('people/biden/02.jpg'), seconds: 1.5 },
    ],
  });
  sprite = await buildSpriteSheet(cache, video, { spriteName: `${oshash}_sprite.jpg` });
  screenshot = await buildScreenshot(cache, video);
  double = await createStashDouble({
    scenes: [
      {
        id: '7',
        files: [{ duration: video.durationSeconds, width: video.width, height: video.height, oshash }],
        media: { stream: { file: video.path }, sprite: sprite.sprite, vtt: sprite.vtt, screenshot },
      },
    ],
  });
});

afterAll(async () => {
  await double?.close();
  cache?.close();
});

describe('fixture media built with ffmpeg', () => {
  it('makes a 1280×720 H.264 video of the photos, a few seconds each', async () => {
    const { stdout } = await run('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_name,width,height:format=duration', '-of', 'json', video.path]);
    const probe = JSON.parse(stdout) as { streams: { codec_name: string; width: number; height: number }[]; format: { duration: string } };
    expect(probe.streams[0]).toMatchObject({ codec_name: 'h264', width: 1280, height: 720 });
    expect(Number(probe.format.duration)).toBeCloseTo(3, 1);
  });

  it('makes a 9×9 sprite sheet of 160 px thumbnails and a VTT cue for each', async () => {
    const meta = await sharp(sprite.sprite).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', 9 * 160, 9 * 90]);
    const cues = sprite.vtt.split('\n').filter((line) => line.includes('#xywh='));
    expect(sprite.vtt.startsWith('WEBVTT')).toBe(true);
    expect(cues).toHaveLength(81);
    expect(cues[0]).toBe(`${oshash}_sprite.jpg#xywh=0,0,160,90`);
    expect(cues[80]).toBe(`${oshash}_sprite.jpg#xywh=1280,720,160,90`);
  });

  it('makes a screenshot of the scene', async () => {
    const meta = await sharp(screenshot).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', 1280, 720]);
  });
});

describe('fixture media served by the double', () => {
  it('serves the sprite, VTT and screenshot at the paths the scene reports', async () => {
    const stash = createStashClient({ url: double.url, apiKey: double.apiKey }, silentLogger);
    const scene = await getScene(stash, '7');
    expect(scene?.paths.sprite).toBe(`${double.url}/scene/${oshash}_sprite.jpg`);
    expect((await stash.fetchMedia(scene?.paths.sprite ?? '')).equals(sprite.sprite)).toBe(true);
    expect((await stash.fetchMedia(scene?.paths.vtt ?? '')).toString()).toBe(sprite.vtt);
    expect((await stash.fetchMedia(scene?.paths.screenshot ?? '')).equals(screenshot)).toBe(true);
  });

  it('lets ffmpeg seek in the stream through the client proxy (key in a header), and refuses it without', async () => {
    const stash = createStashClient({ url: double.url, apiKey: double.apiKey }, silentLogger);
    const scene = await getScene(stash, '7');
    const proxy = await stash.openStreamProxy(scene?.paths.stream ?? '');
    const ffmpegArgs = ['-hide_banner', '-loglevel', 'error', '-ss', '2.2', '-i', proxy.url, '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'];
    // The proxy's token reaches ffmpeg in its environment, as the frame source passes it; without it, nothing.
    await expect(run('ffmpeg', ffmpegArgs, { encoding: 'buffer', env: { ...process.env, http_proxy: new URL('/', proxy.proxy).origin, no_proxy: '' } })).rejects.toThrow();
    const frame = await run('ffmpeg', ffmpegArgs, {
      encoding: 'buffer',
      maxBuffer: 8 * 1024 * 1024,
      env: { ...process.env, http_proxy: proxy.proxy, no_proxy: '', NO_PROXY: '' },
    }).finally(() => proxy.close());
    expect(frame.stdout.length).toBe(1280 * 720 * 3);
    const streamRequests = double.requests.filter((r) => r.path === '/scene/7/stream');
    expect(streamRequests.length).toBeGreaterThan(0);
    expect(streamRequests.every((r) => r.keyVia === 'header')).toBe(true);
    expect(streamRequests.some((r) => r.status === 206)).toBe(true);

    await expect(run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-i', scene?.paths.stream ?? '', '-frames:v', '1', '-f', 'null', '-'])).rejects.toThrow();
  });
});
