import type { GalleryRecord, ImageRecord, StashStore } from './fixtures.js';

/** The records behind a list of ids, in that order, skipping ids that no longer exist. */
export function pick<T>(map: Map<string, T>, ids: readonly string[]): T[] {
  return ids.flatMap((id) => {
    const record = map.get(id);
    return record ? [record] : [];
  });
}

/** How many scenes, images or galleries a performer is on. */
export function countWith(map: Map<string, { performerIds: string[] }>, performerId: string): number {
  return [...map.values()].filter((record) => record.performerIds.includes(performerId)).length;
}

/** A gallery's images in id order (an image names its galleries). */
export function galleryImages(store: StashStore, gallery: GalleryRecord): ImageRecord[] {
  return [...store.images.values()].filter((image) => image.galleryIds.includes(gallery.id)).sort((a, b) => Number(a.id) - Number(b.id));
}
