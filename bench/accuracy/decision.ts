// The service's decisions as the accuracy benchmark applies them to cached faces: the same src functions the
// identify service calls, so the numbers are the service's.
import { defaultDetectionThreshold, defaultMaxDistance } from '../../src/config.js';
import { matchPolicyFor, rankFaceCandidates } from '../../src/match/index.js';
import { pickPrimaryFace } from '../../src/vision/index.js';
import type { FaceChooser, FaceDecider } from './lfw.js';

/** As src/app.ts enrols: the detection threshold (one face per LFW gallery photo, so no agreement step). */
const ENROL_MIN_SCORE = defaultDetectionThreshold.embedded;
const ENROL_MIN_FACE_PX = 32;

/** The service's default policy for the embedded profile (no MATCH_MAX_DISTANCE). */
export const policy = matchPolicyFor('embedded', null, defaultMaxDistance.embedded);

export const decideFace: FaceDecider = (hits, database) => {
  const maxDistance = policy.maxDistance(database.faces);
  const [best] = rankFaceCandidates(
    { embedded: hits },
    { maxDistance, topK: 5, minConfidence: policy.minConfidence, confidence: ({ distance, margin }) => policy.confidence({ distance, margin, agreeingFrames: 1, databaseFaces: database.faces }) },
  );
  return best ? { performerId: best.performerId, confidence: best.confidence } : undefined;
};

export const chooseGalleryFace: FaceChooser = (faces) =>
  pickPrimaryFace(faces.filter((face) => face.score >= ENROL_MIN_SCORE && Math.min(face.box.width, face.box.height) >= ENROL_MIN_FACE_PX));

export const chooseProbeFace: FaceChooser = (faces) => pickPrimaryFace(faces);
