import type { StashClient, StashRequestOptions } from './client.js';
import { safeUrl, toPerformerRefs, toTagRefs } from './convert.js';
import {
  AddGalleryPerformersDocument,
  AddImagePerformersDocument,
  FindGalleryDocument,
  FindImageDocument,
  FindImagesDocument,
  type ImageFilterType,
  type StashImageFieldsFragment,
} from './generated/graphql.js';
import { pageById } from './paging.js';
import { toTaggedItem, type AddPerformersOptions } from './scenes.js';
import type { StashGallery, StashImage, StashPage, StashTaggedItem } from './types.js';

/** The image, or undefined when Stash has no image with that id. */
export async function getImage(stash: StashClient, imageId: string, options: StashRequestOptions = {}): Promise<StashImage | undefined> {
  const { findImage } = await stash.request(FindImageDocument, { id: imageId }, options);
  return findImage ? toImage(stash, findImage) : undefined;
}

/** The gallery, or undefined when Stash has no gallery with that id. */
export async function getGallery(stash: StashClient, galleryId: string, options: StashRequestOptions = {}): Promise<StashGallery | undefined> {
  const { findGallery } = await stash.request(FindGalleryDocument, { id: galleryId }, options);
  if (!findGallery) return undefined;
  return {
    id: findGallery.id,
    title: findGallery.title,
    imageCount: findGallery.image_count,
    path: findGallery.files[0]?.path ?? findGallery.folder?.path ?? null,
    coverUrl: safeUrl(stash, findGallery.paths.cover),
    performers: toPerformerRefs(findGallery.performers),
    tags: toTagRefs(findGallery.tags),
  };
}

export interface ListImagesOptions extends StashRequestOptions {
  imageFilter?: ImageFilterType;
  perPage?: number;
}

/** A gallery's images, a page at a time, in id order. */
export function listGalleryImages(stash: StashClient, galleryId: string, options: ListImagesOptions = {}): AsyncGenerator<StashPage<StashImage>> {
  return listImages(stash, {
    ...options,
    imageFilter: { galleries: { value: [galleryId], modifier: 'INCLUDES' }, ...(options.imageFilter ? { AND: options.imageFilter } : {}) },
  });
}

/** Every matching image, a page at a time, in id order; safe to tag images while iterating. */
export function listImages(stash: StashClient, options: ListImagesOptions = {}): AsyncGenerator<StashPage<StashImage>> {
  const perPage = options.perPage ?? 100;
  const filter = options.imageFilter;
  return pageById(async (afterId) => {
    const imageFilter: ImageFilterType | undefined =
      afterId === undefined ? filter : { id: { value: afterId, modifier: 'GREATER_THAN' }, ...(filter ? { AND: filter } : {}) };
    const { findImages } = await stash.request(
      FindImagesDocument,
      { filter: { page: 1, per_page: perPage, sort: 'id', direction: 'ASC' }, imageFilter },
      { signal: options.signal },
    );
    return { items: findImages.images.map((image) => toImage(stash, image)), count: findImages.count };
  }, perPage);
}

/** Adds performers (and tags) to images with one `bulkImageUpdate`, mode ADD; nothing is removed. */
export async function addPerformersToImages(
  stash: StashClient,
  imageIds: string[],
  performerIds: string[],
  options: AddPerformersOptions = {},
): Promise<StashTaggedItem[]> {
  const { bulkImageUpdate } = await stash.request(
    AddImagePerformersDocument,
    { ids: imageIds, performerIds, tagIds: options.tagIds ?? [] },
    { signal: options.signal },
  );
  return (bulkImageUpdate ?? []).map(toTaggedItem);
}

/** Adds performers (and tags) to galleries with one `bulkGalleryUpdate`, mode ADD; nothing is removed. */
export async function addPerformersToGalleries(
  stash: StashClient,
  galleryIds: string[],
  performerIds: string[],
  options: AddPerformersOptions = {},
): Promise<StashTaggedItem[]> {
  const { bulkGalleryUpdate } = await stash.request(
    AddGalleryPerformersDocument,
    { ids: galleryIds, performerIds, tagIds: options.tagIds ?? [] },
    { signal: options.signal },
  );
  return (bulkGalleryUpdate ?? []).map(toTaggedItem);
}

function toImage(stash: StashClient, image: StashImageFieldsFragment): StashImage {
  const file = image.visual_files[0];
  return {
    id: image.id,
    title: image.title,
    file: file
      ? { kind: file.__typename === 'VideoFile' ? 'video' : 'image', path: file.path, width: file.width, height: file.height, sizeBytes: file.size }
      : null,
    paths: { image: safeUrl(stash, image.paths.image), thumbnail: safeUrl(stash, image.paths.thumbnail) },
    galleryIds: image.galleries.map((g) => g.id),
    performers: toPerformerRefs(image.performers),
    tags: toTagRefs(image.tags),
  };
}
