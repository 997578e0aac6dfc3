// The plugin's stash-box actions in headless Chromium, against a running sidecar, the Stash double and the
// stash-box double: a scene match that is not in the library is created from the stash-box (and added to the
// scene) or linked to an existing performer, and the dashboard reviews upstream changes field by field.
// Screenshots go to test-artifacts/plugin/.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import type { RunningServer } from '../../src/graphql/index.js';
import { silentLogger } from '../../src/logger.js';
import { openTestApp } from '../helpers/app.js';
import { splitPeople, writeEnrolmentFolder } from '../helpers/enrolment.js';
import { makeTempDir, repoRoot } from '../helpers/fixtures.js';
import { buildSceneVideo, buildScreenshot, buildSpriteSheet, createMediaCache, createStashDouble, type StashDouble } from '../stash-double/index.js';
import { createStashBoxDouble, type StashBoxDouble } from '../stashbox-double/index.js';
import { startPluginSidecar } from './plugin-sidecar.js';
import { installPlugin, startStashUi, type StashUi } from './stash-ui.js';

const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const chromiumArgs = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const artifacts = join(repoRoot, 'test-artifacts', 'plugin');
const obamaId = '0ba4a000-0000-4000-8000-000000000001';
const bidenId = 'b1d3n000-0000-4000-8000-000000000002';
const waitLong = { timeout: 150_000 };

const temp = makeTempDir();
const media = createMediaCache();
let app: App;
let box: StashBoxDouble;
let double: StashDouble;
let sidecar: RunningServer;
let ui: StashUi;
let browser: Browser;
let bidenPhoto: Buffer;

beforeAll(async () => {
  if (!existsSync(chromiumPath)) throw new Error(`Chromium is not at ${chromiumPath}: apt-get install chromium (or set CHROMIUM_PATH)`);
  mkdirSync(artifacts, { recursive: true });
  const { enrolled } = splitPeople();
  const firstObama = enrolled.find((photo) => photo.identities[0] === 'obama')!.path;
  const firstBiden = enrolled.find((photo) => photo.identities[0] === 'biden')!.path;
  bidenPhoto = readFileSync(firstBiden);
  box = await createStashBoxDouble({
    performers: [
      { id: bidenId, name: 'Joe Biden', gender: 'MALE', country: 'US', hair_color: 'WHITE', image: bidenPhoto },
      { id: obamaId, name: 'Barack Obama', gender: 'MALE', country: 'US', hair_color: 'BLACK', eye_color: 'BROWN' },
    ],
  });
  // The face database's performers carry ids on the stash-box double, as imported ones carry StashDB's.
  writeEnrolmentFolder(join(temp.path, 'people'), enrolled, { obama: obamaId, biden: bidenId }, box.endpoint);

  const video = await buildSceneVideo(media, { segments: [{ photo: firstObama, seconds: 3 }, { photo: firstBiden, seconds: 3 }] });
  const sprite = await buildSpriteSheet(media, video, { spriteName: 'def456_sprite.jpg' });
  const screenshot = await buildScreenshot(media, video, 1.5);
  double = await createStashDouble({
    stashBoxes: [{ endpoint: box.endpoint, api_key: box.apiKey, name: 'Test stash-box', max_requests_per_minute: 6000 }],
    // Obama is in the library under a name the face database does not know and without the stash-box link.
    performers: [{ id: '12', name: 'Barack Obama', country: 'US', fields: { hair_color: 'Grey', eye_color: 'Brown' } }],
    scenes: [
      {
        id: '1',
        title: 'Two people',
        files: [{ duration: video.durationSeconds, width: video.width, height: video.height, oshash: 'def456' }],
        media: { stream: { file: video.path }, sprite: sprite.sprite, vtt: sprite.vtt, screenshot },
      },
    ],
  });
  ({ app } = await openTestApp(
    join(temp.path, 'data'),
    { STASH_URL: double.url, STASH_API_KEY: double.apiKey ?? '', SCENE_FRAMES: '8', STASHBOX_REQUESTS_PER_MINUTE: '6000' },
    { runJobs: true },
  ));
  await app.services.enroll.enrollFolder(join(temp.path, 'people'));
  const started = await startPluginSidecar(app, silentLogger);
  sidecar = started.server;
  const plugin = await installPlugin(`${sidecar.url}/plugin/index.yml`);
  ui = await startStashUi(plugin, { settings: { apiKey: started.apiKey }, data: { scenes: { '1': { id: '1', title: 'Two people', performers: [] } }, images: {}, galleries: {} }, media: {} });
  started.allowOrigin(new URL(ui.url).origin);
  browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
});

afterAll(async () => {
  await browser?.close();
  await ui?.close();
  await sidecar?.close();
  await app?.close();
  await double?.close();
  await box?.close();
  media.close();
  temp.remove();
});

async function openPage(path: string): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(`${ui.url}${path}`);
  return { page, errors };
}

const shot = (page: Page, name: string) => page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });

describe('the plugin’s stash-box actions in Chromium', () => {
  it('scene page: a match not in the library is added to Stash and the scene, or linked to a performer found by search', async () => {
    const { page, errors } = await openPage('/scenes/1');
    await page.locator('.stash-sense-tab').click();
    await page.getByRole('button', { name: 'Identify performers' }).click();
    const biden = page.locator('.stash-sense-candidate', { hasText: 'biden' }).filter({ hasText: 'Not in your library' }).first();
    await biden.waitFor(waitLong);
    const obama = page.locator('.stash-sense-candidate', { hasText: 'obama' }).filter({ hasText: 'Not in your library' }).first();
    await obama.waitFor();
    await shot(page, 'stashbox-not-in-library');

    let before = double.mutations.length;
    await biden.getByRole('button', { name: 'Add to Stash and scene' }).click();
    await biden.locator('.stash-sense-stashbox-done', { hasText: 'Created Joe Biden and added to the scene' }).waitFor();
    const created = double.mutations.slice(before);
    expect(created.map((m) => m.field)).toEqual(['performerCreate', 'bulkSceneUpdate']);
    const newId = [...double.store.performers.values()].find((p) => p.name === 'Joe Biden')!.id;
    expect(created[1]!.args.input).toMatchObject({ ids: ['1'], performer_ids: { ids: [newId], mode: 'ADD' } });
    expect(double.store.performers.get(newId)).toMatchObject({ hair_color: 'White', country: 'US', stash_ids: [expect.objectContaining({ endpoint: box.endpoint, stash_id: bidenId })] });
    expect(Buffer.compare(double.store.performers.get(newId)!.image as Buffer, bidenPhoto)).toBe(0);

    before = double.mutations.length;
    await obama.getByRole('button', { name: 'Link to…' }).click();
    const search = obama.getByRole('searchbox', { name: 'Search your performers' });
    await search.fill('Barack');
    await obama.getByRole('button', { name: 'Barack Obama' }).click();
    await obama.locator('.stash-sense-stashbox-done', { hasText: 'Linked Barack Obama and added to the scene' }).waitFor();
    await shot(page, 'stashbox-created-and-linked');
    const linked = double.mutations.slice(before);
    expect(linked.map((m) => m.field)).toEqual(['performerUpdate', 'bulkSceneUpdate']);
    expect(linked[0]!.args.input).toEqual({ id: '12', stash_ids: [{ endpoint: box.endpoint, stash_id: obamaId }] });
    expect(linked[1]!.args.input).toMatchObject({ ids: ['1'], performer_ids: { ids: ['12'], mode: 'ADD' } });
    expect(double.store.scenes.get('1')!.performerIds.sort()).toEqual(['12', newId].sort());
    expect(errors).toEqual([]);
    await page.close();
  });

  it('dashboard: checks the stash-boxes and applies the fields chosen in the local | upstream | result table', async () => {
    const { page, errors } = await openPage('/plugins/stash-sense');
    const card = page.locator('.stash-sense-upstream');
    await card.getByText('No performer differs from its stash-box.').waitFor();
    await card.getByRole('button', { name: 'Check stash-boxes' }).click();
    const review = card.locator('.stash-sense-upstream-review', { hasText: 'Barack Obama' });
    await review.waitFor(waitLong);
    await card.locator('.stash-sense-upstream-job[data-job-status="COMPLETED"]').waitFor();
    // Joe Biden was just created from the same data: nothing differs for him.
    await expect(card.locator('.stash-sense-upstream-review').count()).resolves.toBe(1);
    const hair = review.locator('.stash-sense-upstream-field[data-field="HAIR_COLOR"]');
    await expect(hair.locator('.stash-sense-upstream-local').textContent()).resolves.toBe('Grey');
    await expect(hair.locator('.stash-sense-upstream-upstream').textContent()).resolves.toBe('Black');
    await expect(review.locator('.stash-sense-upstream-field').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-field')))).resolves.toEqual(['GENDER', 'HAIR_COLOR']);
    await review.locator('.stash-sense-upstream-field[data-field="GENDER"] select').selectOption('LOCAL');
    await expect(review.locator('.stash-sense-upstream-field[data-field="GENDER"] .stash-sense-upstream-result').textContent()).resolves.toBe('—');
    await shot(page, 'dashboard-upstream-review');

    const before = double.mutations.length;
    await review.getByRole('button', { name: 'Apply' }).click();
    await review.getByText('Applied').waitFor();
    expect(double.mutations.slice(before).map((m) => [m.field, m.args.input])).toEqual([['performerUpdate', { id: '12', hair_color: 'Black' }]]);
    expect(double.store.performers.get('12')).toMatchObject({ hair_color: 'Black', gender: null, eye_color: 'Brown' });
    await shot(page, 'dashboard-upstream-applied');
    expect(errors).toEqual([]);
    await page.close();
  });
});
