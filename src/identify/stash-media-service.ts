import { SenseError, isSenseError } from '../errors.js';
import type { Logger } from '../logger.js';
import { getGallery, getImage, listGalleryImages, type StashClient, type StashImage } from '../stash/index.js';
import { createPerformerLinker, notInLibrary, type PerformerLinker } from '../link/index.js';
import type { Candidate, IdentifiedFace, IdentifyOptions, IdentifyService } from './identify-service.js';
import type { LinkedCandidate } from './scene-service.js';

export interface StashImageFace extends Omit<IdentifiedFace, 'candidates'> {
  candidates: LinkedCandidate[];
}

export interface StashImageIdentification {
  imageId: string;
  databaseVersion: string;
  faces: StashImageFace[];
}

export interface GalleryPerformer {
  candidate: LinkedCandidate;
  imageCount: number;
  imageIds: string[];
}

export interface GalleryIdentification {
  galleryId: string;
  databaseVersion: string;
  imagesRead: number;
  performers: GalleryPerformer[];
  errors: { imageId: string; error: string }[];
}

export interface StashMediaIdentifyService {
  identifyStashImage(imageId: string, options?: IdentifyOptions, signal?: AbortSignal): Promise<StashImageIdentification>;
  identifyGallery(galleryId: string, options?: IdentifyOptions, signal?: AbortSignal): Promise<GalleryIdentification>;
}

export interface GalleryPolicy {
  /** A performer seen in a single image still counts when this close (cosine distance). */
  singleImageMaxDistance: number;
  maxImages: number;
}

export function createStashMediaIdentifyService(deps: {
  identify: IdentifyService;
  stash: () => StashClient;
  gallery: GalleryPolicy;
  logger: Logger;
}): StashMediaIdentifyService {
  const identifyOne = async (stash: StashClient, linker: PerformerLinker, image: StashImage, options: IdentifyOptions, signal?: AbortSignal) => {
    if (!image.paths.image || image.file?.kind === 'video') throw new SenseError('BAD_INPUT', `Image ${image.id} has no still image file`);
    const bytes = await stash.fetchMedia(image.paths.image, { signal });
    const result = await deps.identify.identifyImage({ kind: 'bytes', bytes: new Uint8Array(bytes) }, options, signal);
    const tagged = new Set(image.performers.map((p) => p.id));
    const performers = dedupe(result.faces.flatMap((face) => face.candidates));
    const links = await linker.link(performers.map((c) => ({ id: c.performerId, name: c.name, aliases: c.aliases, stashIds: c.stashIds })), signal);
    const faces = result.faces.map((face) => ({
      ...face,
      candidates: face.candidates.map((candidate): LinkedCandidate => {
        const link = links.get(candidate.performerId) ?? notInLibrary;
        return { ...candidate, frameCount: 1, alreadyTagged: link.stashPerformerId !== null && tagged.has(link.stashPerformerId), link };
      }),
    }));
    return { databaseVersion: result.databaseVersion, faces };
  };

  return {
    async identifyStashImage(imageId, options = {}, signal) {
      const stash = deps.stash();
      const image = await getImage(stash, imageId, { signal });
      if (!image) throw new SenseError('NOT_FOUND', `Image ${imageId} does not exist in Stash`);
      const { databaseVersion, faces } = await identifyOne(stash, createPerformerLinker(stash), image, options, signal);
      return { imageId: image.id, databaseVersion, faces };
    },

    async identifyGallery(galleryId, options = {}, signal) {
      const stash = deps.stash();
      const gallery = await getGallery(stash, galleryId, { signal });
      if (!gallery) throw new SenseError('NOT_FOUND', `Gallery ${galleryId} does not exist in Stash`);
      const linker = createPerformerLinker(stash);
      const seen = new Map<string, { best: LinkedCandidate; imageIds: Set<string> }>();
      const errors: { imageId: string; error: string }[] = [];
      let imagesRead = 0;
      let databaseVersion = '';
      outer: for await (const page of listGalleryImages(stash, gallery.id, { signal })) {
        for (const image of page.items) {
          if (imagesRead >= deps.gallery.maxImages) break outer;
          imagesRead += 1;
          try {
            const result = await identifyOne(stash, linker, image, options, signal);
            databaseVersion = result.databaseVersion;
            for (const face of result.faces) {
              const best = face.candidates[0];
              if (!best) continue;
              const entry = seen.get(best.performerId) ?? { best, imageIds: new Set<string>() };
              if (best.distance < entry.best.distance) entry.best = best;
              entry.imageIds.add(image.id);
              seen.set(best.performerId, entry);
            }
          } catch (error: unknown) {
            if (!isSenseError(error) || error.code === 'CANCELLED' || error.code === 'STASH_UNAVAILABLE' || error.code === 'STASH_AUTH') throw error;
            errors.push({ imageId: image.id, error: error.message });
          }
        }
      }
      const performers = [...seen.values()]
        .filter((entry) => entry.imageIds.size >= 2 || entry.best.distance <= deps.gallery.singleImageMaxDistance)
        .map((entry) => ({ candidate: { ...entry.best, frameCount: entry.imageIds.size }, imageCount: entry.imageIds.size, imageIds: [...entry.imageIds] }))
        .sort((a, b) => b.imageCount - a.imageCount || a.candidate.distance - b.candidate.distance);
      deps.logger.info('gallery identified', { galleryId: gallery.id, images: imagesRead, performers: performers.length, errors: errors.length });
      return { galleryId: gallery.id, databaseVersion, imagesRead, performers, errors };
    },
  };
}

function dedupe(candidates: Candidate[]): Candidate[] {
  return [...new Map(candidates.map((candidate) => [candidate.performerId, candidate])).values()];
}
