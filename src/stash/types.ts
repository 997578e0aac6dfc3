/**
 * Stash's objects as the rest of the sidecar sees them: camelCase, units in names, and every URL absolute, on
 * the configured Stash origin and without the `apikey` parameter (so they may be stored, logged and returned).
 * Fetch them with `stash.fetchMedia(url)`, or hand a video to ffmpeg through `stash.openStreamProxy(url)`.
 */

/** A stash-box link: `{ endpoint: 'https://stashdb.org/graphql', stashId: '<uuid>' }`. */
export interface StashId {
  endpoint: string;
  stashId: string;
}

export interface StashPerformerRef {
  id: string;
  name: string;
  stashIds: StashId[];
}

export interface StashTagRef {
  id: string;
  name: string;
}

export interface StashVideoFile {
  id: string;
  path: string;
  basename: string;
  sizeBytes: number;
  durationSeconds: number;
  width: number;
  height: number;
  frameRate: number;
  videoCodec: string;
  /** `oshash`, `md5`, `phash` → value, as Stash reports them. */
  fingerprints: Record<string, string>;
}

export interface StashScene {
  id: string;
  title: string | null;
  updatedAt: string;
  /** files[0] is the primary file; a scene may have none. */
  files: StashVideoFile[];
  paths: { screenshot: string | null; sprite: string | null; vtt: string | null; stream: string | null };
  performers: StashPerformerRef[];
  tags: StashTagRef[];
  stashIds: StashId[];
  studio: { id: string; name: string } | null;
}

export interface StashImage {
  id: string;
  title: string | null;
  /** The primary visual file; an "image" can also be a short video clip in Stash. */
  file: { kind: 'image' | 'video'; path: string; width: number; height: number; sizeBytes: number } | null;
  paths: { image: string | null; thumbnail: string | null };
  galleryIds: string[];
  performers: StashPerformerRef[];
  tags: StashTagRef[];
}

export interface StashGallery {
  id: string;
  title: string | null;
  imageCount: number;
  /** The zip file or folder the gallery comes from; null for a virtual gallery. */
  path: string | null;
  coverUrl: string | null;
  performers: StashPerformerRef[];
  tags: StashTagRef[];
}

export interface StashPerformer {
  id: string;
  name: string;
  disambiguation: string | null;
  aliases: string[];
  gender: string | null;
  country: string | null;
  /** Null when Stash only has its placeholder picture for this performer. */
  imageUrl: string | null;
  sceneCount: number;
  stashIds: StashId[];
}

export interface StashTag {
  id: string;
  name: string;
  aliases: string[];
}

/** What a bulk tag-back left on one item: its full performer and tag lists after the ADD. */
export interface StashTaggedItem {
  id: string;
  performerIds: string[];
  tagIds: string[];
}

/** One page of a paged listing, with the total count of matches at the time it was read. */
export interface StashPage<T> {
  items: T[];
  total: number;
}
