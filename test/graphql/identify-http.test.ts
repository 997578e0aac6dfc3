import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { openTestApp } from '../helpers/app.js';
import { splitPeople, writeEnrolmentFolder } from '../helpers/enrolment.js';
import { facesDir, makeTempDir, repoRoot } from '../helpers/fixtures.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const run = promisify(execFile);
const temp = makeTempDir();
const dataDir = join(temp.path, 'data');
const maxUploadMb = 2;
let app: App;
let server: TestServer;

const identifyQuery = `mutation Identify($image: File, $url: String, $base64: String) {
  identifyImage(image: $image, url: $url, base64: $base64) {
    width height databaseVersion
    faces { box { x y width height } score status candidates { performerId name stashIds { endpoint stashId } distance confidence } }
  }
}`;

interface GraphQLResponse {
  data?: { identifyImage?: { faces: { box: unknown; score: number; candidates: { performerId: string; name: string; stashIds: { endpoint: string; stashId: string }[]; distance: number; confidence: number }[] }[] } } | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

async function upload(bytes: Uint8Array, name = 'photo.jpg'): Promise<{ status: number; body: GraphQLResponse }> {
  const form = new FormData();
  form.append('operations', JSON.stringify({ query: identifyQuery, variables: { image: null } }));
  form.append('map', JSON.stringify({ 0: ['variables.image'] }));
  form.append('0', new Blob([Buffer.from(bytes)]), name);
  const response = await fetch(`${server.url}/graphql`, { method: 'POST', body: form, headers: { 'graphql-preflight': '1', ...server.authHeaders } });
  return { status: response.status, body: (await response.json()) as GraphQLResponse };
}

async function post(variables: Record<string, unknown>): Promise<GraphQLResponse> {
  const response = await fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...server.authHeaders },
    body: JSON.stringify({ query: identifyQuery, variables }),
  });
  return (await response.json()) as GraphQLResponse;
}

async function databaseState(): Promise<unknown> {
  const response = await fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...server.authHeaders },
    body: JSON.stringify({ query: '{ faceDatabase { version performerCount faceCount } health { status } }' }),
  });
  return ((await response.json()) as { data: unknown }).data;
}

beforeAll(async () => {
  const { enrolled } = splitPeople();
  writeEnrolmentFolder(join(temp.path, 'people'), enrolled, { biden: 'b1d3n000-0000-4000-8000-000000000001' });
  ({ app } = await openTestApp(dataDir, { MAX_UPLOAD_MB: String(maxUploadMb) }));
  await app.services.enroll.enrollFolder(join(temp.path, 'people'));
  server = await startTestServer(app);
});
afterAll(async () => {
  await server?.close();
  await app?.close();
  temp.remove();
});

describe('identifyImage over HTTP', () => {
  it('answers a multipart upload with the same faces as the CLI', async () => {
    const file = join(facesDir, 'groups/obama-biden-1.jpg');
    const { status, body } = await upload(readFileSync(file));
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    const faces = body.data!.identifyImage!.faces;
    expect(faces.length).toBe(2);
    const biden = faces.flatMap((face) => face.candidates).find((candidate) => candidate.name === 'biden');
    expect(biden?.stashIds).toEqual([{ endpoint: 'https://stashdb.org/graphql', stashId: 'b1d3n000-0000-4000-8000-000000000001' }]);

    // The CLI opens the same data dir in its own process (the server only reads it).
    const cli = await run(process.execPath, [join(repoRoot, 'bin/stash-sense.js'), 'identify', '--json', '--data-dir', dataDir, file], {
      env: { ...process.env, MODELS_DIR: join(repoRoot, 'models'), EXECUTION_PROVIDER: 'cpu', LOG_LEVEL: 'warn' },
    });
    const [entry] = JSON.parse(cli.stdout) as [{ file: string; faces: unknown[] }];
    expect(entry.file).toBe(file);
    // The CLI's JSON has the same faces, boxes, scores and candidates (it leaves out `status`).
    expect(entry.faces).toEqual(faces.map(({ box, score, candidates }) => ({ box, score, candidates })));
  });

  it('identifies base64, with a data: prefix', async () => {
    const bytes = readFileSync(join(facesDir, 'people/biden/02.jpg'));
    const body = await post({ base64: `data:image/jpeg;base64,${bytes.toString('base64')}` });
    expect(body.errors).toBeUndefined();
    expect(body.data!.identifyImage!.faces[0]!.candidates[0]!.name).toBe('biden');
  });
});

describe('bad input over HTTP', () => {
  const png = (width: number, height: number) => {
    // A valid PNG header claiming huge dimensions, with a tiny (truncated) body: the size check must refuse
    // it from the header alone, before anything is decoded.
    const chunk = (type: string, data: Buffer) => {
      const length = Buffer.alloc(4);
      length.writeUInt32BE(data.length);
      return Buffer.concat([length, Buffer.from(type), data, Buffer.alloc(4)]);
    };
    const ihdr = Buffer.alloc(13);
    ihdr.writeUInt32BE(width, 0);
    ihdr.writeUInt32BE(height, 4);
    ihdr.set([8, 2, 0, 0, 0], 8);
    return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(Buffer.alloc(64))), chunk('IEND', Buffer.alloc(0))]);
  };

  const cases: [string, () => Promise<Uint8Array>, string][] = [
    ['a file that is not an image', async () => Buffer.from('hello, this is plain text and not a picture'), 'BAD_INPUT'],
    ['a truncated JPEG', async () => readFileSync(join(facesDir, 'people/obama/01.jpg')).subarray(0, 4000), 'BAD_INPUT'],
    ['an empty file', async () => new Uint8Array(), 'BAD_INPUT'],
    ['a 30000×30000 PNG (decompression bomb)', async () => png(30000, 30000), 'BAD_INPUT'],
    [`an upload over MAX_UPLOAD_MB (${maxUploadMb} MB)`, async () => sharp(randomBytes(1200 * 1200 * 3), { raw: { width: 1200, height: 1200, channels: 3 } }).png({ compressionLevel: 0 }).toBuffer(), 'PAYLOAD_TOO_LARGE'],
  ];

  it.each(cases)('refuses %s with the right code, stays up, writes nothing', async (_name, make, code) => {
    const before = await databaseState();
    const { body } = await upload(await make());
    expect(body.errors?.[0]?.extensions?.code).toBe(code);
    expect(body.data?.identifyImage ?? null).toBeNull();
    expect(await databaseState()).toEqual(before);
  });

  const requests: [string, (base: string) => Record<string, string>, string][] = [
    // Loopback addresses are refused before anything is fetched (test/identify/url-policy.test.ts has every form).
    ['a URL on loopback where nothing listens', () => ({ url: 'http://127.0.0.1:9/nothing-listens-here.jpg' }), 'URL_REFUSED'],
    ['a URL on loopback where the sidecar listens', (base) => ({ url: `${base}/ready` }), 'URL_REFUSED'],
    ['base64 that is not', () => ({ base64: '%%% not base64 %%%' }), 'BAD_INPUT'],
    ['no source at all', () => ({}), 'BAD_INPUT'],
  ];
  it.each(requests)('refuses %s', async (_name, variables, code) => {
    const before = await databaseState();
    const body = await post(variables(server.url));
    expect(body.errors?.[0]?.extensions?.code).toBe(code);
    expect(await databaseState()).toEqual(before);
  });

  it('refuses options out of range before reading the image', async () => {
    const response = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...server.authHeaders },
      body: JSON.stringify({ query: 'mutation { identifyImage(url: "http://127.0.0.1:9/x.jpg", options: { topK: 0 }) { width } }' }),
    });
    const body = (await response.json()) as GraphQLResponse;
    expect(body.errors?.[0]?.extensions?.code).toBe('BAD_INPUT');
    expect(body.errors?.[0]?.message).toMatch(/topK/);
  });

  it('answers GET /health with the database counts', async () => {
    const response = await fetch(`${server.url}/health`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ status: 'ok', database_loaded: true, execution_provider: 'cpu', model_profile: 'embedded' });
    expect(body.performer_count).toBeGreaterThan(5);
    expect(body.face_count).toBeGreaterThan(10);
  });
});
