import { unixSeconds, type DoubleContext, type ResolverMap } from './context.js';
import {
  fixtureTime,
  sceneHash,
  type GalleryRecord,
  type ImageRecord,
  type PerformerRecord,
  type SceneRecord,
  type StashStore,
  type TagRecord,
  type VideoFileRecord,
} from './fixtures.js';
import { galleryCriteria, imageCriteria, nameSorts, performerCriteria, performerSorts, sceneCriteria, sceneSorts, tagCriteria, titleSorts } from './criteria.js';
import { applyFindFilter, matchesFilter } from './filters.js';
import { countWith, galleryImages, pick } from './lookups.js';
import { mutationResolvers } from './mutations.js';

type Args = Record<string, unknown>;
type IdArgs = { id?: string | null; checksum?: string | null };

/** The resolvers the double serves; every other root field answers "not implemented" (see stash-double.ts). */
export const stashResolvers: ResolverMap = {
  Query: {
    version: () => ({ version: 'v0.30.1', hash: 'cf3489ef', build_time: '2026-01-11 00:00:00' }),
    systemStatus: () => ({
      databaseSchema: 75,
      databasePath: '/root/.stash/stash-go.sqlite',
      configPath: '/root/.stash/config.yml',
      appSchema: 75,
      status: 'OK',
      os: 'linux',
      workingDir: '/',
      homeDir: '/root',
      ffmpegPath: '/usr/bin/ffmpeg',
      ffprobePath: '/usr/bin/ffprobe',
    }),
    findScene: (_root, { id, checksum }: IdArgs, { store }: DoubleContext) => {
      if (id != null) return store.scenes.get(checkId(id)) ?? null;
      return [...store.scenes.values()].find((s) => s.files.some((f) => f.fingerprints.some((p) => p.value === checksum))) ?? null;
    },
    findScenes: (_root, args: Args, { store }: DoubleContext) => {
      const records = byIds([...store.scenes.values()], args.ids ?? args.scene_ids);
      const matching = records.filter((scene) => matchesFilter(scene, args.scene_filter, sceneCriteria(store), 'SceneFilterType'));
      const { count, items } = applyFindFilter(matching, args.filter, sceneSorts, (s) => `${s.title ?? ''} ${s.files[0]?.path ?? ''}`);
      return {
        count,
        duration: matching.reduce((sum, s) => sum + (s.files[0]?.duration ?? 0), 0),
        filesize: matching.reduce((sum, s) => sum + (s.files[0]?.size ?? 0), 0),
        scenes: items,
      };
    },
    findImage: (_root, { id }: IdArgs, { store }: DoubleContext) => (id != null ? (store.images.get(checkId(id)) ?? null) : null),
    findImages: (_root, args: Args, { store }: DoubleContext) => {
      const records = byIds([...store.images.values()], args.ids ?? args.image_ids);
      const matching = records.filter((image) => matchesFilter(image, args.image_filter, imageCriteria, 'ImageFilterType'));
      const { count, items } = applyFindFilter(matching, args.filter, titleSorts, (i) => `${i.title ?? ''} ${i.file?.path ?? ''}`);
      return {
        count,
        megapixels: matching.reduce((sum, i) => sum + ((i.file?.width ?? 0) * (i.file?.height ?? 0)) / 1e6, 0),
        filesize: matching.reduce((sum, i) => sum + (i.file?.size ?? 0), 0),
        images: items,
      };
    },
    findGallery: (_root, { id }: IdArgs, { store }: DoubleContext) => store.galleries.get(checkId(id ?? '')) ?? null,
    findGalleries: (_root, args: Args, { store }: DoubleContext) => {
      const records = byIds([...store.galleries.values()], args.ids);
      const matching = records.filter((gallery) => matchesFilter(gallery, args.gallery_filter, galleryCriteria, 'GalleryFilterType'));
      const { count, items } = applyFindFilter(matching, args.filter, titleSorts, (g) => `${g.title ?? ''} ${g.path ?? ''}`);
      return { count, galleries: items };
    },
    findPerformer: (_root, { id }: IdArgs, { store }: DoubleContext) => store.performers.get(checkId(id ?? '')) ?? null,
    findPerformers: (_root, args: Args, { store }: DoubleContext) => {
      const records = byIds([...store.performers.values()], args.ids ?? args.performer_ids);
      const matching = records.filter((p) => matchesFilter(p, args.performer_filter, performerCriteria(store), 'PerformerFilterType'));
      const { count, items } = applyFindFilter(matching, args.filter, performerSorts(store), (p) => [p.name, ...p.alias_list].join(' '));
      return { count, performers: items };
    },
    configuration: (_root, _args, { store }: DoubleContext) => ({
      general: { stashBoxes: store.stashBoxes.map((box) => ({ max_requests_per_minute: 240, ...box })) },
    }),
    findTag: (_root, { id }: IdArgs, { store }: DoubleContext) => store.tags.get(checkId(id ?? '')) ?? null,
    findTags: (_root, args: Args, { store }: DoubleContext) => {
      const records = byIds([...store.tags.values()], args.ids);
      const matching = records.filter((tag) => matchesFilter(tag, args.tag_filter, tagCriteria, 'TagFilterType'));
      const { count, items } = applyFindFilter(matching, args.filter, nameSorts, (t) => [t.name, ...t.aliases].join(' '));
      return { count, tags: items };
    },
  },
  Mutation: mutationResolvers,

  Scene: {
    urls: () => [],
    interactive: () => false,
    o_counter: () => 0,
    play_history: () => [],
    o_history: () => [],
    scene_markers: () => [],
    groups: () => [],
    movies: () => [],
    captions: () => [],
    paths: (scene: SceneRecord, _args, { baseUrl, apiKey }: DoubleContext) => {
      const base = `${baseUrl}/scene/${scene.id}`;
      const hash = sceneHash(scene);
      return {
        screenshot: `${base}/screenshot?t=${unixSeconds(scene.updated_at)}`,
        preview: `${base}/preview`,
        stream: streamUrl(scene, baseUrl, apiKey),
        webp: `${base}/webp`,
        vtt: `${baseUrl}/scene/${hash}_thumbs.vtt`,
        sprite: `${baseUrl}/scene/${hash}_sprite.jpg`,
        funscript: `${base}/funscript`,
        interactive_heatmap: `${base}/interactive_heatmap`,
        caption: `${base}/caption`,
      };
    },
    sceneStreams: (scene: SceneRecord, _args, { baseUrl, apiKey }: DoubleContext) => [
      { url: streamUrl(scene, baseUrl, apiKey), mime_type: 'video/mp4', label: 'Direct stream' },
    ],
    performers: (scene: SceneRecord, _args, { store }: DoubleContext) => pick(store.performers, scene.performerIds),
    tags: (scene: SceneRecord, _args, { store }: DoubleContext) => pick(store.tags, scene.tagIds),
    galleries: (scene: SceneRecord, _args, { store }: DoubleContext) => pick(store.galleries, scene.galleryIds),
    studio: (scene: SceneRecord, _args, { store }: DoubleContext) => (scene.studioId ? (store.studios.get(scene.studioId) ?? null) : null),
  },
  VideoFile: {
    ...fileResolvers(),
    fingerprint: (file: VideoFileRecord, { type }: { type?: string }) => file.fingerprints.find((f) => f.type === type)?.value ?? null,
  },
  ImageFile: {
    ...fileResolvers(),
    fingerprints: () => [],
    fingerprint: () => null,
  },
  Image: {
    urls: () => [],
    o_counter: () => 0,
    files: (image: ImageRecord) => (image.file ? [image.file] : []),
    visual_files: (image: ImageRecord) => (image.file ? [{ ...image.file, __typename: 'ImageFile' }] : []),
    paths: (image: ImageRecord, _args, { baseUrl }: DoubleContext) => {
      const t = unixSeconds(image.updated_at);
      return {
        thumbnail: `${baseUrl}/image/${image.id}/thumbnail?t=${t}`,
        preview: `${baseUrl}/image/${image.id}/preview?t=${t}`,
        image: `${baseUrl}/image/${image.id}/image?t=${t}`,
      };
    },
    galleries: (image: ImageRecord, _args, { store }: DoubleContext) => pick(store.galleries, image.galleryIds),
    performers: (image: ImageRecord, _args, { store }: DoubleContext) => pick(store.performers, image.performerIds),
    tags: (image: ImageRecord, _args, { store }: DoubleContext) => pick(store.tags, image.tagIds),
    studio: () => null,
  },
  Gallery: {
    urls: () => [],
    files: () => [],
    chapters: () => [],
    folder: (gallery: GalleryRecord) =>
      gallery.path
        ? { id: `folder-${gallery.id}`, path: gallery.path, mod_time: fixtureTime, created_at: fixtureTime, updated_at: fixtureTime }
        : null,
    scenes: (gallery: GalleryRecord, _args, { store }: DoubleContext) => pick(store.scenes, gallery.sceneIds),
    studio: () => null,
    image_count: (gallery: GalleryRecord, _args, { store }: DoubleContext) => galleryImages(store, gallery).length,
    image: (gallery: GalleryRecord, { index }: { index?: number }, { store }: DoubleContext) => {
      const image = galleryImages(store, gallery)[index ?? 0];
      if (!image) throw new Error(`index ${index} out of range`);
      return image;
    },
    cover: (gallery: GalleryRecord, _args, { store }: DoubleContext) => galleryImages(store, gallery)[0] ?? null,
    performers: (gallery: GalleryRecord, _args, { store }: DoubleContext) => pick(store.performers, gallery.performerIds),
    tags: (gallery: GalleryRecord, _args, { store }: DoubleContext) => pick(store.tags, gallery.tagIds),
    paths: (gallery: GalleryRecord, _args, { baseUrl }: DoubleContext) => ({
      cover: `${baseUrl}/gallery/${gallery.id}/cover?t=${unixSeconds(gallery.updated_at)}`,
      preview: `${baseUrl}/gallery/${gallery.id}/preview/0`,
    }),
  },
  Performer: {
    favorite: () => false,
    ignore_auto_tag: () => false,
    custom_fields: () => ({}),
    groups: () => [],
    movies: () => [],
    tags: (performer: PerformerRecord, _args, { store }: DoubleContext) => pick(store.tags, performer.tagIds),
    image_path: (performer: PerformerRecord, _args, { baseUrl }: DoubleContext) =>
      `${baseUrl}/performer/${performer.id}/image?t=${unixSeconds(performer.updated_at)}${performer.image ? '' : '&default=true'}`,
    scene_count: (performer: PerformerRecord, _args, { store }: DoubleContext) => countWith(store.scenes, performer.id),
    image_count: (performer: PerformerRecord, _args, { store }: DoubleContext) => countWith(store.images, performer.id),
    gallery_count: (performer: PerformerRecord, _args, { store }: DoubleContext) => countWith(store.galleries, performer.id),
    group_count: () => 0,
    movie_count: () => 0,
    performer_count: () => 0,
    o_counter: () => 0,
    scenes: (performer: PerformerRecord, _args, { store }: DoubleContext) =>
      [...store.scenes.values()].filter((s) => s.performerIds.includes(performer.id)),
  },
  Tag: {
    ignore_auto_tag: () => false,
    favorite: () => false,
    stash_ids: () => [],
    image_path: (tag: TagRecord, _args, { baseUrl }: DoubleContext) => `${baseUrl}/tag/${tag.id}/image?default=true`,
    scene_count: (tag: TagRecord, _args, { store }: DoubleContext) => [...store.scenes.values()].filter((s) => s.tagIds.includes(tag.id)).length,
    image_count: (tag: TagRecord, _args, { store }: DoubleContext) => [...store.images.values()].filter((i) => i.tagIds.includes(tag.id)).length,
    parents: () => [],
    children: () => [],
    parent_count: () => 0,
    child_count: () => 0,
  },
};

function fileResolvers() {
  return {
    parent_folder_id: (file: { id: string }) => `folder-${file.id}`,
    parent_folder: (file: { path: string; id: string }) => ({
      id: `folder-${file.id}`,
      path: file.path.split('/').slice(0, -1).join('/') || '/',
      mod_time: fixtureTime,
      created_at: fixtureTime,
      updated_at: fixtureTime,
    }),
    mod_time: () => fixtureTime,
    created_at: () => fixtureTime,
    updated_at: () => fixtureTime,
  };
}

function streamUrl(scene: SceneRecord, baseUrl: string, apiKey: string | null): string {
  // Real Stash puts the API key in the stream URL it reports, so players can open it without a header.
  return `${baseUrl}/scene/${scene.id}/stream${apiKey ? `?apikey=${apiKey}` : ''}`;
}

/** Stash's ids are integers; a non-numeric id fails the way Stash's strconv does. */
function checkId(id: string): string {
  if (!/^\d+$/.test(id)) throw new Error(`strconv.Atoi: parsing "${id}": invalid syntax`);
  return id;
}

function byIds<T extends { id: string }>(records: T[], ids: unknown): T[] {
  if (!Array.isArray(ids)) return records;
  const wanted = new Set(ids.map(String));
  return records.filter((record) => wanted.has(record.id));
}

