import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isSenseError, type SenseError } from '../../src/errors.js';
import { createRecordingLogger, formatLogLine } from '../../src/logger.js';
import { createStashClient } from '../../src/stash/index.js';
import { createStashBoxConnections, getStashBoxPerformer } from '../../src/stashbox/index.js';
import { createStashDouble, type StashDouble } from '../stash-double/index.js';
import { createStashBoxDouble, type StashBoxDouble } from '../stashbox-double/index.js';

let box: StashBoxDouble;
let stash: StashDouble;
let logger: ReturnType<typeof createRecordingLogger>;

beforeEach(async () => {
  box = await createStashBoxDouble({
    apiKey: 'stashbox-SECRET-key-0123456789',
    performers: [{ id: 'uuid-1', name: 'Ada Lovelace', aliases: ['Ada'], hair_color: 'BRUNETTE', band_size: 34, cup_size: 'C', waist_size: 24, hip_size: 35, career_start_year: 2010, tattoos: [{ location: 'Left wrist', description: 'star' }], urls: ['https://example.com/ada'] }],
  });
  stash = await createStashDouble({ stashBoxes: [{ endpoint: box.endpoint, api_key: box.apiKey, name: 'TestBox' }] });
  logger = createRecordingLogger();
});

afterEach(async () => {
  await stash.close();
  await box.close();
});

function connections() {
  const stashClient = createStashClient({ url: stash.url, apiKey: stash.apiKey }, logger);
  return createStashBoxConnections({ stash: () => stashClient, options: { requestsPerMinute: 6000, timeoutMs: 2000, retries: 2, retryDelayMs: 5 }, logger });
}

async function failure(promise: Promise<unknown>): Promise<SenseError> {
  try {
    await promise;
  } catch (error: unknown) {
    if (isSenseError(error)) return error;
    throw error;
  }
  throw new Error('expected the call to fail');
}

describe('stash-box client', () => {
  it("lists the stash-boxes from Stash's configuration without their keys", async () => {
    const list = await connections().list();
    expect(list).toEqual([{ endpoint: box.endpoint, name: 'TestBox', maxRequestsPerMinute: 240 }]);
    expect(JSON.stringify(list)).not.toContain(box.apiKey);
  });

  it('reads a performer with the key from Stash, in Stash terms', async () => {
    const client = await connections().client(box.endpoint);
    const performer = await getStashBoxPerformer(client, 'uuid-1');
    expect(performer?.values).toMatchObject({
      name: ['Ada Lovelace'],
      aliases: ['Ada'],
      hair_color: ['Brunette'],
      measurements: ['34C-24-35'],
      career_length: ['2010-'],
      tattoos: ['Left wrist: star'],
      urls: ['https://example.com/ada'],
    });
    expect(box.requests.at(-1)).toMatchObject({ operationName: 'FindStashBoxPerformer', status: 200, keyOk: true });
    expect(await getStashBoxPerformer(client, 'no-such-id')).toBeUndefined();
  });

  it('refuses an endpoint Stash does not know with NOT_FOUND', async () => {
    expect((await failure(connections().client('https://elsewhere.example/graphql'))).code).toBe('NOT_FOUND');
  });

  it('fails with STASHBOX_AUTH when the key is refused, without retrying or naming the key', async () => {
    const client = await connections().client(box.endpoint);
    box.setMode('refuseKey');
    const error = await failure(getStashBoxPerformer(client, 'uuid-1'));
    expect(error.code).toBe('STASHBOX_AUTH');
    expect(box.requests.filter((r) => r.path === '/graphql')).toHaveLength(1);
    expect(`${error.message} ${String(error.cause)}`).not.toContain(box.apiKey);
  });

  it('fails with STASHBOX_UNAVAILABLE when it answers 503, without retrying (only network errors are)', async () => {
    const client = await connections().client(box.endpoint);
    box.setMode('down');
    expect((await failure(getStashBoxPerformer(client, 'uuid-1'))).code).toBe('STASHBOX_UNAVAILABLE');
    expect(box.requests.filter((r) => r.path === '/graphql')).toHaveLength(1);
  });

  it('retries a dropped connection, then fails with STASHBOX_UNAVAILABLE', async () => {
    const client = await connections().client(box.endpoint);
    box.setMode('drop');
    expect((await failure(getStashBoxPerformer(client, 'uuid-1'))).code).toBe('STASHBOX_UNAVAILABLE');
    // Two retries after the first attempt; Node's fetch may resend a dropped request once by itself.
    expect(box.requests.filter((r) => r.path === '/graphql').length).toBeGreaterThanOrEqual(3);
    expect(logger.lines.filter((l) => l.message === 'stash-box call failed, retrying')).toHaveLength(2);
  });

  it('never logs the key', async () => {
    const client = await connections().client(box.endpoint);
    await getStashBoxPerformer(client, 'uuid-1');
    box.setMode('drop');
    await failure(getStashBoxPerformer(client, 'uuid-1'));
    expect(logger.lines.length).toBeGreaterThan(0);
    expect(logger.lines.map((line) => formatLogLine(line)).join('\n')).not.toContain(box.apiKey);
  });
});
