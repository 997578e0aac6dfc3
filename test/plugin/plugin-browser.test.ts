// The plugin in headless Chromium: installed from the sidecar's plugin source into a Stash stand-in (real
// React 17, react-router-dom 5, react-bootstrap 1.6, Stash's CSP), talking to a running sidecar (real models,
// real SQLite) and the Stash double. Screenshots go to test-artifacts/plugin/.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import type { RunningServer } from '../../src/graphql/index.js';
import { createRecordingLogger } from '../../src/logger.js';
import { openTestApp } from '../helpers/app.js';
import { splitPeople, writeEnrolmentFolder } from '../helpers/enrolment.js';
import { makeTempDir, repoRoot } from '../helpers/fixtures.js';
import { buildSceneVideo, buildScreenshot, buildSpriteSheet, createMediaCache, createStashDouble, type StashDouble } from '../stash-double/index.js';
import { startPluginSidecar } from './plugin-sidecar.js';
import { installPlugin, startStashUi, type HarnessData, type InstalledPlugin, type StashUi } from './stash-ui.js';

const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const chromiumArgs = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const artifacts = join(repoRoot, 'test-artifacts', 'plugin');
const stashdb = 'https://stashdb.org/graphql';
const obamaId = '0ba4a000-0000-4000-8000-000000000001';
const bidenId = 'b1d3n000-0000-4000-8000-000000000002';
const waitLong = { timeout: 150_000 };

const temp = makeTempDir();
const media = createMediaCache();
const sidecarLog = createRecordingLogger();
let app: App;
let double: StashDouble;
let sidecar: RunningServer;
let plugin: InstalledPlugin;
let ui: StashUi;
let browser: Browser;

beforeAll(async () => {
  if (!existsSync(chromiumPath)) throw new Error(`Chromium is not at ${chromiumPath}: apt-get install chromium (or set CHROMIUM_PATH)`);
  mkdirSync(artifacts, { recursive: true });
  const { enrolled, heldBack } = splitPeople();
  writeEnrolmentFolder(join(temp.path, 'people'), enrolled, { obama: obamaId, biden: bidenId });
  const obamaHeldBack = heldBack.filter((photo) => photo.identities[0] === 'obama' && photo.file.endsWith('.jpg')).map((photo) => photo.path);
  const [obamaPhoto, obamaPhoto2] = obamaHeldBack;
  const bidenPhoto = enrolled.find((photo) => photo.identities[0] === 'biden')!.path;
  const firstObama = enrolled.find((photo) => photo.identities[0] === 'obama')!.path;

  const video = await buildSceneVideo(media, { segments: [{ photo: firstObama, seconds: 3 }, { photo: bidenPhoto, seconds: 3 }] });
  const sprite = await buildSpriteSheet(media, video, { spriteName: 'abc123_sprite.jpg' });
  const screenshot = await buildScreenshot(media, video, 1.5);
  const file = { duration: video.durationSeconds, width: video.width, height: video.height };
  const sceneMedia = { stream: { file: video.path }, sprite: sprite.sprite, vtt: sprite.vtt, screenshot };
  double = await createStashDouble({
    performers: [
      { id: '11', name: 'Joe Biden', stashIds: [{ endpoint: stashdb, stashId: bidenId }] },
      { id: '12', name: 'Barack Obama', stashIds: [{ endpoint: stashdb, stashId: obamaId }] },
      { id: '13', name: 'Someone Else' },
    ],
    scenes: [
      { id: '1', title: 'Two people', files: [{ ...file, oshash: 'abc123' }], performerIds: ['13'], media: sceneMedia },
      { id: '2', title: 'Batch one', files: [{ ...file, oshash: 'abc123' }], media: sceneMedia },
      { id: '3', title: 'Batch two', files: [{ ...file, oshash: 'abc123' }], media: sceneMedia },
    ],
    images: [
      { id: '21', title: 'Portrait', galleryIds: ['31'], file: { width: 400, height: 400 }, media: { file: obamaPhoto! } },
      { id: '22', title: 'Portrait 2', galleryIds: ['31'], file: { width: 400, height: 400 }, media: { file: obamaPhoto2! } },
    ],
    galleries: [{ id: '31', title: 'Speeches' }],
  });
  ({ app } = await openTestApp(join(temp.path, 'data'), { STASH_URL: double.url, STASH_API_KEY: double.apiKey ?? '', SCENE_FRAMES: '12' }, { runJobs: true }));
  await app.services.enroll.enrollFolder(join(temp.path, 'people'));

  // Authentication on, as by default: the plugin gets the key from its settings. The harness plays Stash's web UI
  // on its own port, so that origin is the one CORS (and the Origin check) must let in.
  const started = await startPluginSidecar(app, sidecarLog);
  sidecar = started.server;
  plugin = await installPlugin(`${sidecar.url}/plugin/index.yml`);

  const portrait = await sharp(obamaPhoto!).metadata();
  const data: HarnessData = {
    scenes: { '1': { id: '1', title: 'Two people', performers: [{ id: '13', name: 'Someone Else' }] } },
    images: { '21': { id: '21', title: 'Portrait', paths: { image: '/media/image-21.jpg' }, visual_files: [{ width: portrait.width!, height: portrait.height! }] } },
    galleries: { '31': { id: '31', title: 'Speeches' } },
  };
  ui = await startStashUi(plugin, { settings: { apiKey: started.apiKey }, data, media: { '/media/image-21.jpg': obamaPhoto! } });
  started.allowOrigin(new URL(ui.url).origin);
  browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
});

afterAll(async () => {
  await browser?.close();
  await ui?.close();
  await sidecar?.close();
  await app?.close();
  await double?.close();
  media.close();
  temp.remove();
});

/** A page that records console errors and uncaught exceptions: React warnings and CSP refusals land there. */
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

describe('the Stash plugin in Chromium', () => {
  it('allows exactly the sidecar in the page CSP, from the installed manifest', () => {
    expect(plugin.manifest.ui.csp['connect-src']).toEqual([sidecar.url]);
    expect(ui.csp).toContain(`connect-src data: 'self' ws: wss: ${sidecar.url}`);
  });

  it('scene page: Identify shows the people with candidates; Accept adds the performer with one ADD', async () => {
    const { page, errors } = await openPage('/scenes/1');
    await page.locator('.stash-sense-tab').click();
    await page.getByText('Not identified yet').waitFor();
    await page.getByRole('button', { name: 'Identify performers' }).click();

    const obama = page.locator('.stash-sense-candidate', { hasText: 'In your library as Barack Obama' });
    await obama.waitFor(waitLong);
    const biden = page.locator('.stash-sense-candidate', { hasText: 'In your library as Joe Biden' });
    await expect(biden.count()).resolves.toBe(1);
    await expect(page.locator('.stash-sense-person .stash-sense-face').first().getAttribute('src')).resolves.toMatch(/^data:image\/jpeg;base64,/);
    await expect(obama.locator('.stash-sense-confidence').textContent()).resolves.toMatch(/^\d+ %$/);
    await shot(page, 'scene-candidates');

    const before = double.mutations.length;
    await obama.locator('.stash-sense-accept').click();
    await obama.locator('.stash-sense-added').waitFor();
    const added = double.mutations.slice(before);
    expect(added).toHaveLength(1);
    expect(added[0]).toMatchObject({ field: 'bulkSceneUpdate', args: { input: { ids: ['1'], performer_ids: { ids: ['12'], mode: 'ADD' } } } });
    expect(double.store.scenes.get('1')?.performerIds.sort()).toEqual(['12', '13']);

    await biden.locator('.stash-sense-dismiss').click();
    await biden.getByText('Dismissed').waitFor();
    expect(double.mutations.length).toBe(before + 1);
    // Recorded on the sidecar as a dismissed suggestion, so a later batch does not bring it back.
    const dismissed = app.state.listRecommendations({ status: 'dismissed', targetId: '1' }).edges.map((edge) => edge.node.targets);
    expect(dismissed).toEqual([[{ type: 'scene', id: '1' }, { type: 'performer', id: '11' }]]);
    await shot(page, 'scene-accepted');

    // Stash going away mid-session: the sidecar's STASH_UNAVAILABLE reads as such, not as a blank panel.
    double.setMode('down');
    try {
      await page.getByRole('button', { name: 'Identify performers' }).click();
      await page.getByText('The sidecar cannot reach Stash').waitFor(waitLong);
      await expect(page.locator('.stash-sense-error-hint').first().textContent()).resolves.toContain('STASH_URL');
      await shot(page, 'scene-stash-unavailable');
    } finally {
      double.setMode('up');
    }
    expect(errors).toEqual([]);
    await page.close();
  });

  it('image and gallery pages: the same identify and accept, with one ADD each', async () => {
    const image = await openPage('/images/21');
    await image.page.getByRole('button', { name: 'Identify performers' }).click();
    const candidate = image.page.locator('.stash-sense-candidate', { hasText: 'In your library as Barack Obama' });
    await candidate.waitFor(waitLong);
    await shot(image.page, 'image-candidates');
    let before = double.mutations.length;
    await candidate.locator('.stash-sense-accept').click();
    await candidate.locator('.stash-sense-added').waitFor();
    expect(double.mutations.slice(before)).toMatchObject([{ field: 'bulkImageUpdate', args: { input: { ids: ['21'], performer_ids: { ids: ['12'], mode: 'ADD' } } } }]);
    expect(image.errors).toEqual([]);
    await image.page.close();

    const gallery = await openPage('/galleries/31');
    await gallery.page.getByRole('button', { name: 'Identify performers' }).click();
    const performer = gallery.page.locator('.stash-sense-person', { hasText: 'In your library as Barack Obama' });
    await performer.waitFor(waitLong);
    await expect(performer.textContent()).resolves.toContain('Seen in 2 of 2 images');
    before = double.mutations.length;
    await performer.locator('.stash-sense-accept').click();
    await performer.locator('.stash-sense-added').waitFor();
    expect(double.mutations.slice(before)).toMatchObject([{ field: 'bulkGalleryUpdate', args: { input: { ids: ['31'], performer_ids: { ids: ['12'], mode: 'ADD' } } } }]);
    await shot(gallery.page, 'gallery-accepted');
    expect(gallery.errors).toEqual([]);
    await gallery.page.close();
  });

  it('dashboard: reached from the nav link, shows the sidecar health and a pending recommendation', async () => {
    app.state.upsertRecommendation({
      type: 'scene_performer',
      targets: [
        { type: 'scene', id: '3' },
        { type: 'performer', id: '11' },
      ],
      payload: {
        sceneId: '3',
        sceneTitle: 'Batch two',
        thumbnail: null,
        candidate: {
          performerId: '2',
          name: 'biden',
          aliases: [],
          stashIds: [{ endpoint: stashdb, stashId: bidenId }],
          country: null,
          imageUrl: null,
          distance: 0.5,
          confidence: 0.62,
          frameCount: 3,
          alreadyTagged: false,
          link: { rule: 'STASH_ID', stashPerformerId: '11', stashPerformerName: 'Joe Biden' },
        },
      },
      confidence: 0.62,
      evidence: { performerId: '2', databaseVersion: 'test' },
    });

    const { page, errors } = await openPage('/scenes/1');
    await page.getByRole('link', { name: 'Stash Sense' }).click();
    await page.waitForURL(`${ui.url}/plugins/stash-sense`);
    await page.locator('.stash-sense-health').getByText(/performers, \d+ faces/).waitFor();
    const recommendation = page.locator('.stash-sense-recommendation', { hasText: 'Batch two' });
    await recommendation.waitFor();
    await expect(recommendation.textContent()).resolves.toContain('62 % sure');
    await shot(page, 'dashboard-recommendation');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('dashboard: a batch tag-back started there shows its progress moving to the end', async () => {
    const { page, errors } = await openPage('/plugins/stash-sense');
    await page.locator('.stash-sense-health').getByText(/performers, \d+ faces/).waitFor();
    // Every change of the job's progress element, as the browser saw it.
    await page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { jobStates: string[] }).jobStates = seen;
      const record = () => {
        const job = document.querySelector('.stash-sense-job');
        const state = job ? `${job.getAttribute('data-job-status')}:${job.getAttribute('data-job-done')}` : undefined;
        if (state && seen.at(-1) !== state) seen.push(state);
      };
      new MutationObserver(record).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-job-done', 'data-job-status'] });
    });
    await page.locator('.stash-sense-tagback select').selectOption('SCENE_IDS');
    await page.getByPlaceholder('12, 15, 31').fill('2, 3');
    const before = double.mutations.length;
    await page.getByRole('button', { name: 'Start' }).click();
    await page.locator('.stash-sense-job[data-job-status="RUNNING"], .stash-sense-job[data-job-status="QUEUED"]').first().waitFor();
    await shot(page, 'dashboard-job-running');
    await page.locator('.stash-sense-job[data-job-status="COMPLETED"]').waitFor(waitLong);
    await shot(page, 'dashboard-job-completed');

    const states = await page.evaluate(() => (window as unknown as { jobStates: string[] }).jobStates);
    const done = states.map((state) => Number(state.split(':')[1]));
    expect(states[0]).toMatch(/^(QUEUED|RUNNING):0$/);
    expect(states.at(-1)).toBe('COMPLETED:2');
    expect(done).toEqual([...done].sort((a, b) => a - b));
    // At least one state between the start and the end: the bar moved while the job ran.
    expect(states.filter((state) => state.startsWith('RUNNING') && !state.endsWith(':0')).length).toBeGreaterThanOrEqual(1);
    await page.locator('.stash-sense-job-summary', { hasText: '2 would be tagged' }).waitFor();
    await expect(page.locator('.stash-sense-job-summary').textContent()).resolves.toContain('Dry run, nothing was changed in Stash');
    // A dry run changes nothing in Stash.
    expect(double.mutations.length).toBe(before);
    expect(errors).toEqual([]);
    await page.close();
  });

  it("dashboard: the face database view finds performers, shows each face's origin, renames, deletes a face, merges and deletes", async () => {
    const faces = app.services.faceManagement;
    const { page, errors } = await openPage('/plugins/stash-sense');
    const card = page.locator('.stash-sense-faces');
    const details = card.locator('.stash-sense-face-performer-details');
    await card.getByLabel('Search performers').fill('ROSE');
    await card.getByRole('button', { name: 'Search' }).click();
    const rose = card.locator('.stash-sense-face-performer', { hasText: 'rose_leslie' });
    await rose.waitFor();
    await expect(rose.locator('img').getAttribute('src')).resolves.toMatch(/^data:image\/jpeg;base64,/);
    await rose.click();
    await details.locator('.stash-sense-enrolled-face').first().waitFor();
    await expect(details.locator('.stash-sense-enrolled-face').first().textContent()).resolves.toContain('Photo file');
    await details.getByLabel('Name').fill('Rose Leslie');
    await details.getByLabel('Aliases').fill('Ygritte, R. Leslie');
    await details.getByRole('button', { name: 'Save' }).click();
    await details.getByText('Saved.').waitFor();
    expect(faces.searchPerformers({ search: 'Rose Leslie' }).performers).toMatchObject([{ name: 'Rose Leslie', aliases: ['R. Leslie', 'Ygritte'] }]);
    await shot(page, 'dashboard-faces-renamed');

    await card.getByLabel('Search performers').fill('');
    await card.getByRole('button', { name: 'Search' }).click();
    await card.locator('.stash-sense-face-performer', { hasText: 'kit_harington' }).click();
    const kitFaces = details.locator('.stash-sense-enrolled-face');
    await kitFaces.first().waitFor();
    const kitBefore = faces.searchPerformers({ search: 'kit_harington' }).performers[0]!;
    await expect(kitFaces.count()).resolves.toBe(kitBefore.faceCount);
    const faceId = await kitFaces.first().getAttribute('data-face-id');
    await kitFaces.first().getByRole('button', { name: 'Delete face' }).click();
    await details.getByText(`Face ${faceId} deleted.`).waitFor();
    expect(faces.faces(kitBefore.id).map((face) => String(face.id))).not.toContain(faceId);
    const roseBefore = faces.searchPerformers({ search: 'Rose Leslie' }).performers[0]!;

    await details.getByLabel('Merge into').selectOption({ label: 'Rose Leslie' });
    await details.getByRole('button', { name: 'Merge' }).click();
    await details.locator('h6', { hasText: 'Rose Leslie' }).waitFor();
    expect(faces.performer(kitBefore.id)).toBeUndefined();
    expect(faces.performer(roseBefore.id)).toMatchObject({ faceCount: roseBefore.faceCount + kitBefore.faceCount - 1, aliases: expect.arrayContaining(['kit_harington']) });
    await shot(page, 'dashboard-faces-merged');

    await details.getByRole('button', { name: 'Delete performer' }).click();
    await details.getByRole('button', { name: /^Really delete Rose Leslie/ }).click();
    await details.waitFor({ state: 'detached' });
    expect(faces.performer(roseBefore.id)).toBeUndefined();
    await expect(card.locator('.stash-sense-face-performer', { hasText: 'Rose Leslie' }).count()).resolves.toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('a sidecar that is down gives a readable error in the scene panel and on the dashboard', async () => {
    await sidecar.close();
    const { page, errors } = await openPage('/scenes/1');
    await page.locator('.stash-sense-tab').click();
    const error = page.locator('.stash-sense-panel .stash-sense-error');
    await error.waitFor();
    await expect(error.locator('.stash-sense-error-title').textContent()).resolves.toBe('Stash Sense is not reachable');
    await expect(error.textContent()).resolves.toContain(sidecar.url);
    await expect(page.getByRole('button', { name: 'Identify performers' }).isEnabled()).resolves.toBe(true);
    await shot(page, 'scene-sidecar-down');

    await page.goto(`${ui.url}/plugins/stash-sense`);
    await page.locator('.stash-sense-health .stash-sense-error-title', { hasText: 'Stash Sense is not reachable' }).waitFor();
    await shot(page, 'dashboard-sidecar-down');
    // Chromium logs each refused connection; nothing else may go wrong.
    expect(errors.filter((text) => !text.includes('ERR_CONNECTION_REFUSED'))).toEqual([]);
    await page.close();
  });
});
