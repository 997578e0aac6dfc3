// Importing an upstream release as our face database: check the release, convert its indices, build a new
// database in a staging directory beside DATA_DIR (upstream face ids stay the index labels, so the converted
// indices are adopted as they are), then install it with one rename. A failure leaves DATA_DIR untouched.
import { randomUUID } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { SenseError } from '../errors.js';
import { installFaceDatabase, openFaceDatabase, type FaceDatabase } from '../faces/index.js';
import type { Logger } from '../logger.js';
import { UPSTREAM_MODELS, loadUpstreamDirectory, type UpstreamProgress } from './directory.js';

/** The model profile whose embeddings upstream's indices hold (FaceNet512 + ArcFace, see DESIGN.md). */
export const UPSTREAM_PROFILE = 'stash-sense';

export type ImportProgress =
  | UpstreamProgress
  | { step: 'performers' | 'faces'; done: number; total: number }
  | { step: 'install'; done: number; total: number };

export interface ImportUpstreamOptions {
  signal?: AbortSignal;
  onProgress?: (progress: ImportProgress) => void;
}

export interface ImportUpstreamResult {
  /** The release's own version (manifest.json). */
  upstreamVersion: string;
  /** The installed face database's version. */
  version: string;
  performerCount: number;
  faceCount: number;
  /** faces.json entries without a performer; their vectors are in the indices, marked deleted. */
  skippedFaces: number;
  durationMs: number;
}

// Yield now and then inside the long write so progress reaches subscribers and the server keeps answering.
const YIELD_EVERY = 20_000;

export async function importUpstream(
  releaseDir: string,
  dataDir: string,
  options: ImportUpstreamOptions = {},
  logger: Logger,
): Promise<ImportUpstreamResult> {
  const started = performance.now();
  const { signal, onProgress } = options;
  const cancelled = () => {
    if (signal?.aborted) throw new SenseError('CANCELLED', 'the upstream import was cancelled');
  };
  const upstream = await loadUpstreamDirectory(releaseDir, { signal, onProgress }, logger);
  logger.info('upstream release checked', {
    version: upstream.manifest.version,
    performers: upstream.performers.size,
    faces: upstream.faceCount,
    skippedFaces: upstream.skippedFaceIds.length,
  });

  // Inside DATA_DIR so the install is a rename on one file system.
  await mkdir(dataDir, { recursive: true });
  const staging = join(dataDir, `.import-${randomUUID()}`);
  const converted = join(staging, 'converted');
  let database: FaceDatabase | undefined;
  try {
    await mkdir(converted, { recursive: true });
    const indexes = await upstream.convertIndexes(converted, { signal, onProgress });
    cancelled();
    database = await openFaceDatabase(
      {
        dataDir: staging,
        profile: UPSTREAM_PROFILE,
        models: UPSTREAM_MODELS.map((model) => ({ name: model, dims: indexes[model].dims })),
      },
      logger.child('staging'),
    );
    const totalFaces = upstream.faceCount;
    const totalPerformers = upstream.performers.size;
    await database.write(async (writer) => {
      const performerIds = new Map<string, string>();
      let done = 0;
      for (const performer of upstream.performers.values()) {
        performerIds.set(
          performer.universalId,
          writer.upsertPerformer({
            name: performer.name,
            aliases: performer.aliases,
            stashIds: performer.stashIds,
            country: performer.country,
            imageUrl: performer.imageUrl,
          }),
        );
        if (++done % YIELD_EVERY === 0) {
          onProgress?.({ step: 'performers', done, total: totalPerformers });
          await yieldToEventLoop();
          cancelled();
        }
      }
      onProgress?.({ step: 'performers', done, total: totalPerformers });
      done = 0;
      for (const face of upstream.faces()) {
        // Upstream faces carry no box or score; the source hash keeps them unique per performer.
        writer.addIndexedFace(performerIds.get(face.universalId)!, face.faceId, {
          sourceHash: `upstream:${face.faceId}`,
          box: { x: 0, y: 0, width: 0, height: 0 },
          score: 1,
        });
        if (++done % YIELD_EVERY === 0) {
          onProgress?.({ step: 'faces', done, total: totalFaces });
          await yieldToEventLoop();
          cancelled();
        }
      }
      onProgress?.({ step: 'faces', done, total: totalFaces });
      for (const model of UPSTREAM_MODELS) writer.adoptIndexFile(model, indexes[model].path);
    });
    await database.close();
    database = undefined;
    cancelled();
    onProgress?.({ step: 'install', done: 0, total: 1 });
    const installed = await installFaceDatabase(staging, dataDir, logger);
    onProgress?.({ step: 'install', done: 1, total: 1 });
    const result: ImportUpstreamResult = {
      upstreamVersion: upstream.manifest.version,
      version: installed.version,
      performerCount: installed.performerCount,
      faceCount: installed.faceCount,
      skippedFaces: upstream.skippedFaceIds.length,
      durationMs: Math.round(performance.now() - started),
    };
    logger.info('upstream release imported', { ...result });
    return result;
  } finally {
    await database?.close().catch(() => {});
    await rm(staging, { recursive: true, force: true });
  }
}
