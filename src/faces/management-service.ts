// Looking after the face database by hand: find performers, see their faces and where each came from, and fix
// mistakes (a wrong face, a wrong name, one person enrolled twice). Every change is one write, which records
// only what changed and gives the database a new version, so re-identification knows.
import { SenseError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { FaceDatabaseSource } from './live-database.js';
import type { FaceDatabaseInfo, FaceRecord, PerformerEdit, PerformerPage, PerformerRecord } from './types.js';

const MAX_PAGE = 500;

export interface FaceDatabaseChange {
  facesDeleted: number;
  performersDeleted: number;
  database: FaceDatabaseInfo;
}

export interface FaceManagementService {
  info(): FaceDatabaseInfo;
  searchPerformers(options?: { search?: string | null; first?: number | null; offset?: number | null }): PerformerPage;
  /** undefined when there is no such performer. */
  performer(id: string): PerformerRecord | undefined;
  faces(performerId: string): FaceRecord[];
  /** The face's thumbnail as a `data:image/jpeg` URL, or null when none was kept. */
  faceThumbnail(faceId: number): string | null;
  /** The thumbnail of the performer's first face that has one. */
  performerThumbnail(performerId: string): string | null;
  editPerformer(id: string, edit: PerformerEdit): Promise<PerformerRecord>;
  deleteFace(faceId: string): Promise<FaceDatabaseChange>;
  deletePerformer(id: string): Promise<FaceDatabaseChange>;
  mergePerformers(fromId: string, intoId: string): Promise<PerformerRecord>;
  compact(): Promise<FaceDatabaseInfo>;
}

export function createFaceManagementService(deps: { faces: FaceDatabaseSource; logger: Logger }): FaceManagementService {
  const { faces, logger } = deps;
  const performer = (id: string) => faces.current().getPerformers([id]).get(id);
  const requirePerformer = (id: string): PerformerRecord => {
    const found = performer(id);
    if (!found) throw new SenseError('NOT_FOUND', `performer ${id} is not in the face database`);
    return found;
  };
  const thumbnailUrl = (faceId: number): string | null => {
    const jpeg = faces.current().faceThumbnail(faceId);
    return jpeg ? `data:image/jpeg;base64,${Buffer.from(jpeg).toString('base64')}` : null;
  };

  return {
    info: () => faces.current().info(),
    searchPerformers(options = {}) {
      const first = options.first ?? 50;
      const offset = options.offset ?? 0;
      if (!Number.isInteger(first) || first < 0 || first > MAX_PAGE) throw new SenseError('BAD_INPUT', `first must be a whole number from 0 to ${MAX_PAGE} (got ${first})`);
      if (!Number.isInteger(offset) || offset < 0) throw new SenseError('BAD_INPUT', `offset must be a whole number of 0 or more (got ${offset})`);
      return faces.current().searchPerformers({ search: options.search ?? '', limit: first, offset });
    },
    performer,
    faces: (performerId) => faces.current().listFaces(performerId),
    faceThumbnail: thumbnailUrl,
    performerThumbnail(performerId) {
      const face = faces.current().listFaces(performerId).find((entry) => entry.hasThumbnail);
      return face ? thumbnailUrl(face.id) : null;
    },
    async editPerformer(id, edit) {
      await faces.write((writer) => writer.editPerformer(id, edit));
      logger.info('face database performer edited', { performerId: id, fields: Object.keys(edit).filter((key) => edit[key as keyof PerformerEdit] !== undefined) });
      return requirePerformer(id);
    },
    async deleteFace(faceId) {
      const id = Number(faceId);
      if (!Number.isInteger(id) || id < 0) throw new SenseError('BAD_INPUT', `"${faceId}" is not a face id`);
      const outcome = await faces.write((writer) => writer.deleteFace(id));
      logger.info('face deleted', { faceId: id });
      return { facesDeleted: outcome.facesDeleted, performersDeleted: 0, database: faces.current().info() };
    },
    async deletePerformer(id) {
      const outcome = await faces.write((writer) => writer.deletePerformer(id));
      logger.info('face database performer deleted', { performerId: id, facesDeleted: outcome.facesDeleted });
      return { facesDeleted: outcome.facesDeleted, performersDeleted: 1, database: faces.current().info() };
    },
    async mergePerformers(fromId, intoId) {
      const outcome = await faces.write((writer) => writer.mergePerformers(fromId, intoId));
      logger.info('face database performers merged', { from: fromId, into: intoId, duplicateFacesDropped: outcome.facesDeleted });
      return requirePerformer(intoId);
    },
    async compact() {
      await faces.use((database) => database.compact());
      return faces.current().info();
    },
  };
}
