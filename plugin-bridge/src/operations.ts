// Every GraphQL operation the plugin sends to the sidecar, with the shape of its answer. The documents are
// checked against the sidecar's schema by test/plugin/operations.test.ts, so a schema change that breaks the
// plugin fails there, not in someone's browser.

/** A document with the types of its data and variables attached (they exist only for the compiler). */
export interface Operation<TData, TVariables> {
  document: string;
  readonly types?: { data: TData; variables: TVariables };
}

function operation<TData, TVariables = Record<string, never>>(document: string): Operation<TData, TVariables> {
  return { document };
}

export type FaceStatus = 'MATCHED' | 'UNKNOWN';
export type LinkRule = 'STASH_ID' | 'NAME' | 'ALIAS' | 'NOT_IN_LIBRARY';
export type JobStatus = 'QUEUED' | 'RUNNING' | 'COMPLETED' | 'FAILED' | 'CANCELLED';
export type RecommendationType = 'SCENE_PERFORMER' | 'DUPLICATE_PERFORMER' | 'SCENE_FILES' | 'DUPLICATE_SCENE' | 'UPSTREAM_PERFORMER_CHANGES';
export type TagBackScope = 'SCENES_WITHOUT_PERFORMERS' | 'ALL_SCENES' | 'SCENE_IDS' | 'SCENE_FILTER';

export interface LinkedCandidate {
  performerId: string;
  name: string;
  aliases: string[];
  country: string | null;
  imageUrl: string | null;
  distance: number;
  confidence: number;
  frameCount: number;
  alreadyTagged: boolean;
  stashIds: { endpoint: string; stashId: string }[];
  link: { rule: LinkRule; stashPerformerId: string | null; stashPerformerName: string | null };
  /** The body signal's factor on confidence: 1 when it did not adjust it, null when the signal is off. */
  bodyMultiplier: number | null;
}

/** What the body-proportion signal did for a scene person (null when the signal is off). */
export interface BodySignalEffect {
  used: boolean;
  shoulderHipRatio: number | null;
  reason: string | null;
  changedBestMatch: boolean;
}

const candidateFields = `
  performerId name aliases country imageUrl distance confidence frameCount alreadyTagged bodyMultiplier
  stashIds { endpoint stashId }
  link { rule stashPerformerId stashPerformerName }`;

export interface Health {
  status: string;
  version: string;
  databaseLoaded: boolean;
  performerCount: number;
  faceCount: number;
  executionProvider: string;
  executionProviderReason: string;
  modelProfile: string;
  missingModels: string[];
  stash: { configured: boolean; url: string | null; reachable: boolean | null; version: string | null; error: string | null };
}

export const healthQuery = operation<{ health: Health }>(`query StashSenseHealth {
  health {
    status version databaseLoaded performerCount faceCount executionProvider executionProviderReason modelProfile missingModels
    stash { configured url reachable version error }
  }
}`);

export interface ScenePerson {
  personId: number;
  faceCount: number;
  frameCount: number;
  thumbnail: string;
  status: FaceStatus;
  candidates: LinkedCandidate[];
  body: BodySignalEffect | null;
}

export interface SceneIdentification {
  sceneId: string;
  title: string | null;
  identifiedAt: string;
  framesRead: number;
  facesDetected: number;
  sources: { source: string; frames: number; faces: number; error: string | null }[];
  persons: ScenePerson[];
}

const sceneIdentificationFields = `
  sceneId title identifiedAt framesRead facesDetected
  sources { source frames faces error }
  persons { personId faceCount frameCount thumbnail status candidates { ${candidateFields} } body { used shoulderHipRatio reason changedBestMatch } }`;

export const identifySceneMutation = operation<{ identifyScene: SceneIdentification }, { sceneId: string; options: { topK?: number } }>(
  `mutation StashSenseIdentifyScene($sceneId: ID!, $options: SceneIdentifyOptions) {
  identifyScene(sceneId: $sceneId, options: $options) { ${sceneIdentificationFields} }
}`,
);

export const sceneIdentificationQuery = operation<{ sceneIdentification: SceneIdentification | null }, { sceneId: string }>(
  `query StashSenseSceneIdentification($sceneId: ID!) {
  sceneIdentification(sceneId: $sceneId) { ${sceneIdentificationFields} }
}`,
);

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface StashImageIdentification {
  imageId: string;
  faces: { box: Box; score: number; status: FaceStatus; candidates: LinkedCandidate[] }[];
}

export const identifyImageMutation = operation<{ identifyStashImage: StashImageIdentification }, { imageId: string; options: { topK?: number } }>(
  `mutation StashSenseIdentifyImage($imageId: ID!, $options: IdentifyOptions) {
  identifyStashImage(imageId: $imageId, options: $options) {
    imageId
    faces { box { x y width height } score status candidates { ${candidateFields} } }
  }
}`,
);

export interface GalleryIdentification {
  galleryId: string;
  imagesRead: number;
  performers: { candidate: LinkedCandidate; imageCount: number; imageIds: string[] }[];
  errors: { imageId: string; error: string }[];
}

export const identifyGalleryMutation = operation<{ identifyGallery: GalleryIdentification }, { galleryId: string; options: { topK?: number } }>(
  `mutation StashSenseIdentifyGallery($galleryId: ID!, $options: IdentifyOptions) {
  identifyGallery(galleryId: $galleryId, options: $options) {
    galleryId imagesRead
    performers { imageCount imageIds candidate { ${candidateFields} } }
    errors { imageId error }
  }
}`,
);

export interface TagBackResult {
  targetId: string;
  added: string[];
  alreadyPresent: string[];
  changed: boolean;
}

const tagBackResultFields = 'targetId added alreadyPresent changed';

export const applyScenePerformersMutation = operation<{ applyScenePerformers: TagBackResult }, { sceneId: string; performerIds: string[] }>(
  `mutation StashSenseApplyScenePerformers($sceneId: ID!, $performerIds: [ID!]!) {
  applyScenePerformers(sceneId: $sceneId, performerIds: $performerIds) { ${tagBackResultFields} }
}`,
);

export const applyImagePerformersMutation = operation<{ applyImagePerformers: TagBackResult }, { imageId: string; performerIds: string[] }>(
  `mutation StashSenseApplyImagePerformers($imageId: ID!, $performerIds: [ID!]!) {
  applyImagePerformers(imageId: $imageId, performerIds: $performerIds) { ${tagBackResultFields} }
}`,
);

export const applyGalleryPerformersMutation = operation<{ applyGalleryPerformers: TagBackResult }, { galleryId: string; performerIds: string[] }>(
  `mutation StashSenseApplyGalleryPerformers($galleryId: ID!, $performerIds: [ID!]!) {
  applyGalleryPerformers(galleryId: $galleryId, performerIds: $performerIds) { ${tagBackResultFields} }
}`,
);

export type RecommendationDetails =
  | { __typename: 'ScenePerformerDetails'; sceneId: string; sceneTitle: string | null; thumbnail: string | null; candidate: LinkedCandidate }
  | { __typename: 'DuplicatePerformerDetails'; keepPerformerId: string; stashId: { endpoint: string; stashId: string }; performers: { id: string; name: string; sceneCount: number | null }[] }
  | { __typename: 'SceneFilesDetails'; sceneId: string; sceneTitle: string | null; keepFileId: string; files: { id: string; path: string; width: number; height: number; sizeBytes: number }[] }
  | { __typename: 'DuplicateSceneDetails'; sceneIds: string[]; titles: (string | null)[]; reasons: string[]; keepSceneId: string }
  | { __typename: 'UpstreamPerformerDetails'; performerId: string; performerName: string; endpointName: string };

export interface Recommendation {
  id: string;
  type: RecommendationType;
  status: string;
  confidence: number;
  summary: string;
  targets: { type: string; id: string }[];
  createdAt: string;
  details: RecommendationDetails;
}

export interface RecommendationPage {
  totalCount: number;
  countsByType: { type: RecommendationType; count: number }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  edges: { cursor: string; node: Recommendation }[];
}

export interface RecommendationFilter {
  type?: RecommendationType;
  status?: 'PENDING' | 'ACCEPTED' | 'DISMISSED';
  targetId?: string;
}

export const recommendationsQuery = operation<{ recommendations: RecommendationPage }, { filter: RecommendationFilter; first: number; after: string | null }>(
  `query StashSenseRecommendations($filter: RecommendationFilter, $first: Int, $after: String) {
  recommendations(filter: $filter, first: $first, after: $after) {
    totalCount
    countsByType { type count }
    pageInfo { hasNextPage endCursor }
    edges {
      cursor
      node {
        id type status confidence summary createdAt
        targets { type id }
        details {
          __typename
          ... on ScenePerformerDetails { sceneId sceneTitle thumbnail candidate { ${candidateFields} } }
          ... on DuplicatePerformerDetails { keepPerformerId stashId { endpoint stashId } performers { id name sceneCount } }
          ... on SceneFilesDetails { sceneId sceneTitle keepFileId files { id path width height sizeBytes } }
          ... on DuplicateSceneDetails { sceneIds titles reasons keepSceneId }
          ... on UpstreamPerformerDetails { performerId performerName endpointName }
        }
      }
    }
  }
}`,
);

export const acceptRecommendationMutation = operation<{ acceptRecommendation: { id: string; status: string } }, { id: string }>(
  `mutation StashSenseAcceptRecommendation($id: ID!) { acceptRecommendation(id: $id) { id status } }`,
);

export const dismissRecommendationMutation = operation<{ dismissRecommendation: { id: string; status: string } }, { id: string; permanent: boolean }>(
  `mutation StashSenseDismissRecommendation($id: ID!, $permanent: Boolean) { dismissRecommendation(id: $id, permanent: $permanent) { id status } }`,
);

export const dismissSceneCandidateMutation = operation<{ dismissSceneCandidate: { id: string; status: string } }, { sceneId: string; performerId: string; permanent: boolean }>(
  `mutation StashSenseDismissSceneCandidate($sceneId: ID!, $performerId: ID!, $permanent: Boolean) { dismissSceneCandidate(sceneId: $sceneId, performerId: $performerId, permanent: $permanent) { id status } }`,
);

export interface Job {
  id: string;
  kind: string;
  status: JobStatus;
  progress: { done: number; total: number | null; current: string | null; ratePerMin: number | null; etaSec: number | null };
  error: { code: string; message: string } | null;
  tagBack: { dryRun: boolean; scenes: number; applied: number; performersAdded: number; recommended: number; noFaces: number; skipped: number; failed: number } | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

const jobFields = `
  id kind status createdAt startedAt finishedAt
  progress { done total current ratePerMin etaSec }
  error { code message }
  tagBack { dryRun scenes applied performersAdded recommended noFaces skipped failed }`;

export type TagBackOutcome = 'APPLIED' | 'WOULD_APPLY' | 'RECOMMENDED' | 'NO_MATCH' | 'NO_FACES' | 'SKIPPED' | 'ALREADY_TAGGED' | 'FAILED';

export interface TagBackItem {
  sceneId: string;
  outcome: TagBackOutcome;
  added: string[];
  recommendations: string[];
  error: string | null;
}

/** A finished tag-back job's scene-by-scene report: fetched once when the job ends, not with every progress step. */
export const tagBackItemsQuery = operation<{ job: { id: string; tagBack: { items: TagBackItem[] } | null } | null }, { id: string }>(
  `query StashSenseTagBackItems($id: ID!) { job(id: $id) { id tagBack { items { sceneId outcome added recommendations error } } } }`,
);

export const jobsQuery = operation<{ jobs: Job[] }, { first: number }>(`query StashSenseJobs($first: Int) { jobs(first: $first) { ${jobFields} } }`);

export const jobQuery = operation<{ job: Job | null }, { id: string }>(`query StashSenseJob($id: ID!) { job(id: $id) { ${jobFields} } }`);

export interface TagBackInput {
  scope: TagBackScope;
  sceneIds?: string[];
  dryRun?: boolean;
  limit?: number;
}

export const startTagBackMutation = operation<{ startTagBack: Job }, { input: TagBackInput }>(
  `mutation StashSenseStartTagBack($input: TagBackInput!) { startTagBack(input: $input) { ${jobFields} } }`,
);

export const downloadModelsMutation = operation<{ downloadModels: Job }>(`mutation StashSenseDownloadModels { downloadModels { ${jobFields} } }`);

export const cancelJobMutation = operation<{ cancelJob: Job }, { id: string }>(`mutation StashSenseCancelJob($id: ID!) { cancelJob(id: $id) { ${jobFields} } }`);

export const jobProgressSubscription = operation<{ jobProgress: Job }, { id: string }>(
  `subscription StashSenseJobProgress($id: ID!) { jobProgress(id: $id) { ${jobFields} } }`,
);

/** The plugin's settings, read from Stash's own GraphQL (same origin, the user's session). */
export const pluginSettingsQuery = `query StashSensePluginSettings { configuration { plugins(include: ["stash-sense"]) } }`;
export * from './face-operations.js';
