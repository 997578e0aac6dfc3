// `stash-sense enroll DIR` beside a running service (the README's `docker exec … enroll` recipe): the
// enrolment runs in the service as a job, the CLI follows it, and the service answers with the new
// performers at once — no restart.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { openTestApp } from '../helpers/app.js';
import { splitPeople, writeEnrolmentFolder } from '../helpers/enrolment.js';
import { makeTempDir, repoRoot } from '../helpers/fixtures.js';
import { startTestServer } from '../helpers/server.js';

const run = promisify(execFile);
const temp = makeTempDir();
const dataDir = join(temp.path, 'data');
let app: App;
let server: Awaited<ReturnType<typeof startTestServer>>;

beforeAll(async () => {
  ({ app } = await openTestApp(dataDir, {}, { runJobs: true }));
  server = await startTestServer(app);
});
afterAll(async () => {
  await server?.close();
  await app?.close();
  temp.remove();
});

describe('stash-sense enroll while the service runs', () => {
  it('enrols through the service, which then identifies the new performer', { timeout: 180_000 }, async () => {
    const { enrolled, heldBack } = splitPeople();
    const person = heldBack.find((photo) => photo.faces === 1 && enrolled.some((other) => other.identities[0] === photo.identities[0]))!;
    const name = person.identities[0]!;
    const folder = join(temp.path, 'people');
    writeEnrolmentFolder(folder, enrolled.filter((photo) => photo.identities[0] === name));

    const before = await server.graphql<{ faceDatabase: { performerCount: number } }>('{ faceDatabase { performerCount } }');
    expect(before.data!.faceDatabase.performerCount).toBe(0);

    const { stdout, stderr } = await run(process.execPath, [join(repoRoot, 'bin/stash-sense.js'), 'enroll', folder], {
      env: { ...process.env, DATA_DIR: dataDir, HOST: '127.0.0.1', PORT: new URL(server.url).port, LOG_LEVEL: 'warn' },
    });
    expect(stderr).toMatch(new RegExp(`Job \\d+ \\(enrollFolder\\) runs in the service at ${server.url.replace(/\./g, '\\.')}`));
    expect(stdout).toMatch(/Enrolled [1-9]\d* new face\(s\) for 1 performer\(s\)/);

    const after = await server.graphql<{ faceDatabase: { performerCount: number } }>('{ faceDatabase { performerCount } }');
    expect(after.data!.faceDatabase.performerCount).toBe(1);
    const identified = await server.graphql<{ identifyImage: { faces: { candidates: { name: string }[] }[] } }>(
      'mutation ($b: String) { identifyImage(base64: $b) { faces { candidates { name } } } }',
      { b: readFileSync(person.path).toString('base64') },
    );
    expect(identified.errors).toBeUndefined();
    expect(identified.data!.identifyImage.faces[0]?.candidates[0]?.name).toBe(name);
  });
});
