// Scenes with several files: which one to keep, by quality. Pure.
import type { AnalysisFile, AnalysisScene } from './library.js';
import type { Proposal, SceneFileInfo } from './types.js';

/**
 * Best first: more pixels, then a higher bit rate, then a larger file; on a full tie the current primary stays
 * ahead, then the lower id, so the answer never flips between runs.
 */
export function rankFiles(files: readonly AnalysisFile[]): AnalysisFile[] {
  const position = new Map(files.map((file, index) => [file.id, index]));
  return [...files].sort(
    (a, b) =>
      b.width * b.height - a.width * a.height ||
      b.bitRate - a.bitRate ||
      b.sizeBytes - a.sizeBytes ||
      position.get(a.id)! - position.get(b.id)! ||
      Number(a.id) - Number(b.id),
  );
}

export function proposeSceneFiles(scenes: readonly AnalysisScene[]): Proposal<'scene_files'>[] {
  return scenes.filter((scene) => scene.files.length > 1).map(proposeForScene);
}

function proposeForScene(scene: AnalysisScene): Proposal<'scene_files'> {
  const ranked = rankFiles(scene.files);
  const keep = ranked[0]!;
  const primary = scene.files[0]!;
  const name = scene.title ? `"${scene.title}"` : `${scene.id}`;
  const action = keep.id === primary.id ? 'it is already the primary file' : 'make it the primary file';
  return {
    type: 'scene_files',
    key: `scene:${scene.id}`,
    targets: [{ type: 'scene', id: scene.id }],
    // Certain: the scene does have these files. Which one to keep is the suggestion the details explain.
    confidence: 1,
    summary: `Scene ${name} has ${scene.files.length} files; keep ${describeFile(keep)} (${action}); the other files are not deleted`,
    details: { sceneId: scene.id, sceneTitle: scene.title, files: ranked.map(toFileInfo), keepFileId: keep.id, primaryFileId: primary.id },
    // A file added or removed is new evidence; the ranking follows from the files.
    evidence: { fileIds: scene.files.map((f) => f.id).sort() },
  };
}

export function describeFile(file: AnalysisFile): string {
  const parts = [`${file.width}×${file.height}`];
  if (file.bitRate > 0) parts.push(`${(file.bitRate / 1e6).toFixed(1)} Mb/s`);
  parts.push(formatBytes(file.sizeBytes));
  return `${file.path} (${parts.join(', ')})`;
}

function formatBytes(bytes: number): string {
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(1)} GB`;
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(1)} MB`;
  return `${bytes} B`;
}

function toFileInfo(file: AnalysisFile): SceneFileInfo {
  return {
    id: file.id,
    path: file.path,
    width: file.width,
    height: file.height,
    videoCodec: file.videoCodec || null,
    bitRate: file.bitRate > 0 ? file.bitRate : null,
    sizeBytes: file.sizeBytes,
    durationSec: file.durationSec,
  };
}
