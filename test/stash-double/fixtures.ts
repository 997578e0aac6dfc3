import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';

/**
 * Media for the double to serve: bytes, text (a VTT), or `{ file }`, a file read per request (a video, with
 * Range). A bare string is content, never a path.
 */
export type MediaSource = Buffer | string | { file: string };

export interface StashIdFixture {
  endpoint: string;
  stashId: string;
}

export interface VideoFileFixture {
  path?: string;
  duration: number;
  width: number;
  height: number;
  frameRate?: number;
  videoCodec?: string;
  audioCodec?: string;
  format?: string;
  /** Defaults to the stream media's size, or 0. */
  size?: number;
  bitRate?: number;
  /** Defaults to a hash of the scene id; names the sprite and VTT URLs. */
  oshash?: string;
  md5?: string;
  phash?: string;
}

export interface SceneFixture {
  id: string;
  title?: string | null;
  /** `YYYY-MM-DD`, as Stash keeps a scene's release date. */
  date?: string | null;
  /** files[0] is the primary file; a scene without files is allowed (Stash has them too). */
  files?: VideoFileFixture[];
  performerIds?: string[];
  tagIds?: string[];
  galleryIds?: string[];
  studioId?: string | null;
  stashIds?: StashIdFixture[];
  organized?: boolean;
  media?: { screenshot?: MediaSource; sprite?: MediaSource; vtt?: MediaSource; stream?: MediaSource };
}

export interface ImageFixture {
  id: string;
  title?: string | null;
  galleryIds?: string[];
  performerIds?: string[];
  tagIds?: string[];
  file?: { path?: string; width: number; height: number; size?: number };
  /** The image file itself, served at /image/{id}/image (and as its thumbnail). */
  media?: MediaSource;
}

export interface GalleryFixture {
  id: string;
  title?: string | null;
  /** A folder gallery's path. */
  path?: string;
  performerIds?: string[];
  tagIds?: string[];
  sceneIds?: string[];
}

export interface PerformerFixture {
  id: string;
  name: string;
  disambiguation?: string | null;
  aliases?: string[];
  gender?: 'MALE' | 'FEMALE' | 'TRANSGENDER_MALE' | 'TRANSGENDER_FEMALE' | 'INTERSEX' | 'NON_BINARY' | null;
  country?: string | null;
  stashIds?: StashIdFixture[];
  tagIds?: string[];
  /** Served at /performer/{id}/image; without it Stash reports a default image (`&default=true`). */
  image?: MediaSource;
  /** The other fields, by Stash's own names (`hair_color`, `measurements`, `career_length`, …). */
  fields?: Partial<PerformerFieldsRecord>;
}

/** A stash-box endpoint as Stash's configuration lists it (`configuration.general.stashBoxes`). */
export interface StashBoxFixture {
  endpoint: string;
  api_key: string;
  name: string;
  max_requests_per_minute?: number;
}

export interface TagFixture {
  id: string;
  name: string;
  aliases?: string[];
}

export interface StudioFixture {
  id: string;
  name: string;
}

export interface StashDoubleFixtures {
  scenes?: SceneFixture[];
  images?: ImageFixture[];
  galleries?: GalleryFixture[];
  performers?: PerformerFixture[];
  tags?: TagFixture[];
  studios?: StudioFixture[];
  stashBoxes?: StashBoxFixture[];
}

// The records the double keeps: Stash's own field names, so resolvers map one to one.

export interface StashIdRecord {
  endpoint: string;
  stash_id: string;
  updated_at: string;
}

export interface VideoFileRecord {
  id: string;
  path: string;
  basename: string;
  size: number;
  duration: number;
  width: number;
  height: number;
  frame_rate: number;
  video_codec: string;
  audio_codec: string;
  format: string;
  bit_rate: number;
  fingerprints: { type: string; value: string }[];
}

export interface SceneRecord {
  id: string;
  title: string | null;
  date: string | null;
  organized: boolean;
  files: VideoFileRecord[];
  performerIds: string[];
  tagIds: string[];
  galleryIds: string[];
  studioId: string | null;
  stash_ids: StashIdRecord[];
  created_at: string;
  updated_at: string;
  media: NonNullable<SceneFixture['media']>;
}

export interface ImageRecord {
  id: string;
  title: string | null;
  organized: boolean;
  galleryIds: string[];
  performerIds: string[];
  tagIds: string[];
  file: { id: string; path: string; basename: string; width: number; height: number; size: number } | null;
  created_at: string;
  updated_at: string;
  media: MediaSource | undefined;
}

export interface GalleryRecord {
  id: string;
  title: string | null;
  organized: boolean;
  path: string | null;
  performerIds: string[];
  tagIds: string[];
  sceneIds: string[];
  created_at: string;
  updated_at: string;
}

/** Performer fields Stash keeps as plain values; a performerUpdate sets those it is given. */
export interface PerformerFieldsRecord {
  birthdate: string | null;
  death_date: string | null;
  ethnicity: string | null;
  eye_color: string | null;
  hair_color: string | null;
  height_cm: number | null;
  measurements: string | null;
  fake_tits: string | null;
  career_length: string | null;
  tattoos: string | null;
  piercings: string | null;
  details: string | null;
  urls: string[];
}

export const performerFieldNames: readonly (keyof PerformerFieldsRecord)[] = [
  'birthdate', 'death_date', 'ethnicity', 'eye_color', 'hair_color', 'height_cm', 'measurements', 'fake_tits', 'career_length', 'tattoos', 'piercings', 'details', 'urls',
];

export interface PerformerRecord extends PerformerFieldsRecord {
  id: string;
  name: string;
  disambiguation: string | null;
  alias_list: string[];
  gender: PerformerFixture['gender'];
  country: string | null;
  stash_ids: StashIdRecord[];
  tagIds: string[];
  created_at: string;
  updated_at: string;
  image: MediaSource | undefined;
}

export interface TagRecord {
  id: string;
  name: string;
  aliases: string[];
  created_at: string;
  updated_at: string;
}

export interface StashStore {
  scenes: Map<string, SceneRecord>;
  images: Map<string, ImageRecord>;
  galleries: Map<string, GalleryRecord>;
  performers: Map<string, PerformerRecord>;
  tags: Map<string, TagRecord>;
  studios: Map<string, StudioFixture>;
  stashBoxes: StashBoxFixture[];
  /** Next id per kind, above every fixture id, as Stash's autoincrement would give. */
  nextId(kind: 'performer' | 'tag' | 'file'): string;
}

export const fixtureTime = '2026-01-01T00:00:00Z';

export function createStore(fixtures: StashDoubleFixtures): StashStore {
  const counters = { performer: 1000, tag: 1000, file: 5000 };
  const store: StashStore = {
    scenes: new Map(),
    images: new Map(),
    galleries: new Map(),
    performers: new Map(),
    tags: new Map(),
    studios: new Map(),
    stashBoxes: [...(fixtures.stashBoxes ?? [])],
    nextId(kind) {
      counters[kind] += 1;
      return String(counters[kind]);
    },
  };
  for (const studio of fixtures.studios ?? []) store.studios.set(studio.id, studio);
  for (const tag of fixtures.tags ?? []) store.tags.set(tag.id, tagRecord(tag));
  for (const performer of fixtures.performers ?? []) store.performers.set(performer.id, performerRecord(performer));
  for (const gallery of fixtures.galleries ?? []) store.galleries.set(gallery.id, galleryRecord(gallery));
  for (const image of fixtures.images ?? []) store.images.set(image.id, imageRecord(image, store));
  for (const scene of fixtures.scenes ?? []) store.scenes.set(scene.id, sceneRecord(scene, store));
  return store;
}

export function sceneRecord(fixture: SceneFixture, store: StashStore): SceneRecord {
  checkFixtureId('scene', fixture.id);
  const streamSize = mediaSize(fixture.media?.stream);
  return {
    id: fixture.id,
    title: fixture.title ?? null,
    date: fixture.date ?? null,
    organized: fixture.organized ?? false,
    files: (fixture.files ?? []).map((file, index) => {
      const filePath = file.path ?? `/data/scenes/scene-${fixture.id}${index ? `-${index}` : ''}.mp4`;
      const oshash = file.oshash ?? hashOf(`oshash:${fixture.id}:${index}`, 16);
      const fingerprints = [{ type: 'oshash', value: oshash }];
      if (file.md5) fingerprints.push({ type: 'md5', value: file.md5 });
      if (file.phash) fingerprints.push({ type: 'phash', value: file.phash });
      return {
        id: store.nextId('file'),
        path: filePath,
        basename: filePath.split('/').pop() ?? filePath,
        size: file.size ?? (index === 0 ? streamSize : 0),
        duration: file.duration,
        width: file.width,
        height: file.height,
        frame_rate: file.frameRate ?? 25,
        video_codec: file.videoCodec ?? 'h264',
        audio_codec: file.audioCodec ?? '',
        format: file.format ?? 'mp4',
        bit_rate: file.bitRate ?? 0,
        fingerprints,
      };
    }),
    performerIds: [...(fixture.performerIds ?? [])],
    tagIds: [...(fixture.tagIds ?? [])],
    galleryIds: [...(fixture.galleryIds ?? [])],
    studioId: fixture.studioId ?? null,
    stash_ids: (fixture.stashIds ?? []).map(stashIdRecord),
    created_at: fixtureTime,
    updated_at: fixtureTime,
    media: { ...fixture.media },
  };
}

export function imageRecord(fixture: ImageFixture, store: StashStore): ImageRecord {
  checkFixtureId('image', fixture.id);
  const filePath = fixture.file?.path ?? `/data/images/image-${fixture.id}.jpg`;
  return {
    id: fixture.id,
    title: fixture.title ?? null,
    organized: false,
    galleryIds: [...(fixture.galleryIds ?? [])],
    performerIds: [...(fixture.performerIds ?? [])],
    tagIds: [...(fixture.tagIds ?? [])],
    file: fixture.file
      ? {
          id: store.nextId('file'),
          path: filePath,
          basename: filePath.split('/').pop() ?? filePath,
          width: fixture.file.width,
          height: fixture.file.height,
          size: fixture.file.size ?? mediaSize(fixture.media),
        }
      : null,
    created_at: fixtureTime,
    updated_at: fixtureTime,
    media: fixture.media,
  };
}

export function galleryRecord(fixture: GalleryFixture): GalleryRecord {
  checkFixtureId('gallery', fixture.id);
  return {
    id: fixture.id,
    title: fixture.title ?? null,
    organized: false,
    path: fixture.path ?? null,
    performerIds: [...(fixture.performerIds ?? [])],
    tagIds: [...(fixture.tagIds ?? [])],
    sceneIds: [...(fixture.sceneIds ?? [])],
    created_at: fixtureTime,
    updated_at: fixtureTime,
  };
}

export function performerRecord(fixture: PerformerFixture): PerformerRecord {
  checkFixtureId('performer', fixture.id);
  return {
    ...emptyPerformerFields(),
    ...fixture.fields,
    id: fixture.id,
    name: fixture.name,
    disambiguation: fixture.disambiguation ?? null,
    alias_list: [...(fixture.aliases ?? [])],
    gender: fixture.gender ?? null,
    country: fixture.country ?? null,
    stash_ids: (fixture.stashIds ?? []).map(stashIdRecord),
    tagIds: [...(fixture.tagIds ?? [])],
    created_at: fixtureTime,
    updated_at: fixtureTime,
    image: fixture.image,
  };
}

export function emptyPerformerFields(): PerformerFieldsRecord {
  return {
    birthdate: null,
    death_date: null,
    ethnicity: null,
    eye_color: null,
    hair_color: null,
    height_cm: null,
    measurements: null,
    fake_tits: null,
    career_length: null,
    tattoos: null,
    piercings: null,
    details: null,
    urls: [],
  };
}

export function tagRecord(fixture: TagFixture): TagRecord {
  checkFixtureId('tag', fixture.id);
  return { id: fixture.id, name: fixture.name, aliases: [...(fixture.aliases ?? [])], created_at: fixtureTime, updated_at: fixtureTime };
}

export function stashIdRecord(stashId: StashIdFixture): StashIdRecord {
  return { endpoint: stashId.endpoint, stash_id: stashId.stashId, updated_at: fixtureTime };
}

/** The hash Stash names a scene's sprite and VTT by (oshash, its default file naming algorithm). */
export function sceneHash(scene: SceneRecord): string {
  const fingerprints = scene.files[0]?.fingerprints ?? [];
  return fingerprints.find((f) => f.type === 'oshash')?.value ?? fingerprints.find((f) => f.type === 'md5')?.value ?? '';
}

export function mediaSize(media: MediaSource | undefined): number {
  if (media === undefined) return 0;
  if (Buffer.isBuffer(media)) return media.length;
  if (typeof media === 'string') return Buffer.byteLength(media);
  try {
    return statSync(media.file).size;
  } catch {
    return 0;
  }
}

/** Stash's ids are integers (sent as strings); the double refuses others so tests stay realistic. */
function checkFixtureId(kind: string, id: string): void {
  if (!/^\d+$/.test(id)) throw new Error(`a ${kind} fixture id must be a number in a string, like Stash's: ${JSON.stringify(id)}`);
}

function hashOf(text: string, length: number): string {
  return createHash('sha256').update(text).digest('hex').slice(0, length);
}
