// The recommendation service: the review queue (list, accept, dismiss), the library analysers, and the recorder
// the batch tag-back uses for suggestions it was not sure enough to apply.
import { SenseError, isSenseError } from '../errors.js';
import type { Logger } from '../logger.js';
import {
  RECOMMENDATION_TYPES,
  type IdentificationStore,
  type Recommendation,
  type RecommendationInput,
  type RecommendationStore,
  type StateTransaction,
  type UpsertOutcome,
} from '../state/index.js';
import type { StashClient } from '../stash/index.js';
import { carryOut } from './accept.js';
import { proposeDuplicatePerformers } from './duplicate-performers.js';
import { proposeDuplicateScenes, type DuplicateSceneOptions, type FaceFingerprint } from './duplicate-scenes.js';
import { faceFingerprint } from './face-fingerprint.js';
import type { FieldChoice } from './upstream-diff.js';
import { readLinkedPerformers, readScenes, type AnalysisScene } from './library.js';
import { proposeSceneFiles } from './scene-files.js';
import { proposeScenePerformer, scenePerformerInputFrom, scenePerformerKey, type ScenePerformerEvidence, type ScenePerformerInput } from './scene-performer.js';
import {
  ANALYSED_TYPES,
  type AnalysedType,
  type LibraryAnalysis,
  type Proposal,
  type RecommendationDetailsByType,
  type RecommendationListFilter,
  type RecommendationType,
  type RecommendationView,
  type RecommendationViewPage,
} from './types.js';

export interface RecommendationService {
  /** Highest confidence first; `status` defaults to pending. */
  list(filter?: RecommendationListFilter, first?: number | null, after?: string | null): RecommendationViewPage;
  get(id: string): RecommendationView | undefined;
  /** Carries it out in Stash, then marks it accepted with what was done. `choice` picks another option it offers. */
  accept(id: string, choice?: string | null, signal?: AbortSignal, fields?: readonly FieldChoice[] | null): Promise<RecommendationView>;
  /** Soft: back only if its evidence changes. Permanent: never back. */
  dismiss(id: string, permanent?: boolean | null): RecommendationView;
  /**
   * Dismisses one candidate of the scene's last stored identification (the plugin's Dismiss), recording it as
   * a suggestion first when it was not one, so that no later run suggests it again (until its evidence changes).
   */
  dismissSceneCandidate(sceneId: string, performerId: string, permanent?: boolean | null): RecommendationView;
  /** One suggestion from identification; its id, or undefined when a dismissal keeps it hidden. */
  recordScenePerformer(input: ScenePerformerInput): string | undefined;
  /**
   * All of one scene's suggestions from a fresh identification, in one transaction; pending suggestions for the
   * scene that this identification no longer makes are removed. The ids recorded (dismissed ones left out).
   */
  recordScenePerformers(input: Omit<ScenePerformerInput, 'suggestion'> & { suggestions: ScenePerformerInput['suggestion'][] }): string[];
  /** Runs the library analysers (all by default) and stores what they find. */
  analyzeLibrary(types?: readonly RecommendationType[] | null, signal?: AbortSignal): Promise<LibraryAnalysis>;
}

export interface RecommendationServiceDeps {
  state: RecommendationStore & IdentificationStore & { transaction<T>(fn: (tx: StateTransaction) => T): T };
  /** Throws STASH_UNAVAILABLE when Stash is not configured. */
  stash: () => StashClient;
  logger: Logger;
  duplicateScenes?: DuplicateSceneOptions;
}

/** "Not seen since the end of time": every pending one of that kind goes. */
const END_OF_TIME = '9999-12-31T23:59:59.999Z';

export function createRecommendationService(deps: RecommendationServiceDeps): RecommendationService {
  const { state, logger } = deps;
  const accepting = new Set<string>();
  let analysis: Promise<LibraryAnalysis> | undefined;
  let lastAnalysisEndedMs = 0;

  const recordOne = (tx: StateTransaction, input: ScenePerformerInput) => {
    const key = scenePerformerKey(input.scene.id, input.suggestion.candidate);
    const previous = findByKey(tx, 'scene_performer', input.scene.id, key);
    const proposal = proposeScenePerformer(input, previous && previousEvidence(previous));
    return tx.upsertRecommendation(toInput(proposal));
  };

  async function analyse(types: readonly AnalysedType[], signal?: AbortSignal): Promise<LibraryAnalysis> {
    const started = performance.now();
    const stash = deps.stash();
    // Expiry compares "last seen" times: let the clock move past the previous run's last write first.
    const wait = lastAnalysisEndedMs + 2 - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const result: LibraryAnalysis = {
      created: 0,
      updated: 0,
      unchanged: 0,
      suppressed: 0,
      reopened: 0,
      expired: 0,
      byType: { duplicate_performer: 0, scene_files: 0, duplicate_scene: 0 },
    };
    const store = (type: AnalysedType, proposals: Proposal[]) => {
      const outcomes = state.transaction((tx) => {
        const upserted = proposals.map((proposal) => tx.upsertRecommendation(toInput(proposal)));
        const seenSince = upserted.reduce((min, { recommendation }) => (recommendation.lastSeenAt < min ? recommendation.lastSeenAt : min), END_OF_TIME);
        result.expired += tx.expirePendingRecommendations({ type, notSeenSince: seenSince });
        return upserted.map(({ outcome }) => outcome);
      });
      for (const outcome of outcomes) result[outcomeCounter[outcome]] += 1;
      result.byType[type] = proposals.length;
    };

    if (types.includes('duplicate_performer')) {
      const performers = await readLinkedPerformers(stash, signal);
      store('duplicate_performer', proposeDuplicatePerformers(performers));
    }
    if (types.includes('scene_files') || types.includes('duplicate_scene')) {
      const onlyFiles = !types.includes('duplicate_scene');
      const scenes = await readScenes(stash, { signal, sceneFilter: onlyFiles ? { file_count: { value: 1, modifier: 'GREATER_THAN' } } : undefined });
      if (types.includes('scene_files')) store('scene_files', proposeSceneFiles(scenes));
      if (types.includes('duplicate_scene')) {
        const faces = readFaceFingerprints(scenes);
        const found = proposeDuplicateScenes(scenes, faces, deps.duplicateScenes);
        store('duplicate_scene', found.proposals);
        logger.info('duplicate scenes compared', {
          scenes: scenes.length,
          fingerprinted: faces.size,
          comparisons: found.comparisons,
          allPairs: (scenes.length * (scenes.length - 1)) / 2,
          skippedBlocks: found.skippedBlocks,
        });
      }
    }
    const { byType, ...counts } = result;
    logger.info('library analysed', { types: types.join(','), ...counts, ...byType, ms: Math.round(performance.now() - started) });
    return result;
  }

  function readFaceFingerprints(scenes: readonly AnalysisScene[]): Map<string, FaceFingerprint> {
    const faces = new Map<string, FaceFingerprint>();
    for (const scene of scenes) {
      const identification = state.lastIdentification('scene', scene.id);
      const fingerprint = identification && faceFingerprint(identification.result, identification.databaseVersion);
      if (fingerprint) faces.set(scene.id, fingerprint);
    }
    return faces;
  }

  const service: RecommendationService = {
    list(filter = {}, first, after) {
      const page = state.listRecommendations(
        { type: filter.type ?? null, status: filter.status ?? 'pending', targetId: filter.targetId ?? null },
        first ?? undefined,
        after,
      );
      return { ...page, edges: page.edges.map(({ cursor, node }) => ({ cursor, node: toView(node) })) };
    },

    get(id) {
      const recommendation = state.getRecommendation(id);
      return recommendation && toView(recommendation);
    },

    async accept(id, choice, signal, fields) {
      const recommendation = state.getRecommendation(id);
      if (!recommendation) throw new SenseError('NOT_FOUND', `Recommendation ${id} does not exist`);
      if (recommendation.status === 'accepted') {
        throw new SenseError('CONFLICT', `Recommendation ${id} was already accepted (${recommendation.resolvedAt ?? 'earlier'}); nothing was changed`);
      }
      if (accepting.has(recommendation.id)) throw new SenseError('CONFLICT', `Recommendation ${id} is being accepted right now`);
      accepting.add(recommendation.id);
      try {
        const view = toView(recommendation);
        const outcome = await carryOut(view, choice ?? undefined, deps.stash(), signal, fields ?? undefined);
        const accepted = state.transaction((tx) => {
          const done = tx.acceptRecommendation(recommendation.id, outcome.resolution);
          outcome.commit?.(tx);
          for (const target of outcome.removed) {
            for (const type of RECOMMENDATION_TYPES) tx.expirePendingRecommendations({ type, notSeenSince: END_OF_TIME, target });
          }
          return done;
        });
        logger.info('recommendation accepted', { id: recommendation.id, type: recommendation.type, ...outcome.resolution });
        if (!accepted) throw new SenseError('CONFLICT', `Recommendation ${id} was carried out in Stash but removed here meanwhile`);
        return toView(accepted);
      } catch (error: unknown) {
        if (isSenseError(error)) logger.warn('recommendation not accepted', { id: recommendation.id, type: recommendation.type, code: error.code, error: error.message });
        throw error;
      } finally {
        accepting.delete(recommendation.id);
      }
    },

    dismiss(id, permanent) {
      const dismissed = state.dismissRecommendation(id, { permanent: permanent === true });
      if (!dismissed) throw new SenseError('NOT_FOUND', `Recommendation ${id} does not exist`);
      logger.info('recommendation dismissed', { id: dismissed.id, type: dismissed.type, permanent: dismissed.permanent });
      return toView(dismissed);
    },

    dismissSceneCandidate(sceneId, performerId, permanent) {
      const stored = state.lastIdentification('scene', sceneId);
      const input = stored && scenePerformerInputFrom(stored.result, performerId, stored.databaseVersion);
      if (!input) throw new SenseError('NOT_FOUND', `Scene ${sceneId} has no stored identification with candidate ${performerId}; identify it first`);
      const { recommendation } = state.transaction((tx) => recordOne(tx, input));
      return service.dismiss(recommendation.id, permanent);
    },

    recordScenePerformer(input) {
      const { outcome, recommendation } = state.transaction((tx) => recordOne(tx, input));
      return outcome === 'suppressed' ? undefined : recommendation.id;
    },

    recordScenePerformers({ suggestions, ...rest }) {
      return state.transaction((tx) => {
        const recorded = suggestions.map((suggestion) => recordOne(tx, { ...rest, suggestion }));
        const seenSince = recorded.reduce((min, { recommendation }) => (recommendation.lastSeenAt < min ? recommendation.lastSeenAt : min), END_OF_TIME);
        tx.expirePendingRecommendations({ type: 'scene_performer', notSeenSince: seenSince, target: { type: 'scene', id: rest.scene.id } });
        return recorded.flatMap(({ outcome, recommendation }) => (outcome === 'suppressed' ? [] : [recommendation.id]));
      });
    },

    async analyzeLibrary(types, signal) {
      const wanted: AnalysedType[] = [];
      for (const type of types && types.length > 0 ? new Set(types) : ANALYSED_TYPES) {
        if (type === 'scene_performer') {
          throw new SenseError('BAD_INPUT', `scene performer suggestions come from identification (startTagBack), not from a library analysis (${ANALYSED_TYPES.join(', ')})`);
        }
        if (type === 'upstream_performer_changes') {
          throw new SenseError('BAD_INPUT', `upstream performer changes run as a job: use analyzeUpstreamPerformers, not analyzeLibrary (${ANALYSED_TYPES.join(', ')})`);
        }
        wanted.push(type);
      }
      if (analysis) throw new SenseError('CONFLICT', 'A library analysis is already running; try again when it has finished');
      analysis = analyse(wanted, signal);
      try {
        return await analysis;
      } finally {
        analysis = undefined;
        lastAnalysisEndedMs = Date.now();
      }
    },
  };
  return service;
}

const outcomeCounter: Record<UpsertOutcome, 'created' | 'updated' | 'unchanged' | 'suppressed' | 'reopened'> = {
  created: 'created',
  updated: 'updated',
  unchanged: 'unchanged',
  suppressed: 'suppressed',
  reopened: 'reopened',
};

function toInput(proposal: Proposal): RecommendationInput {
  const { type, key, targets, confidence, summary, details, evidence } = proposal;
  // The evidence rides along in the payload so the next run can compare against it (see scene-performer.ts).
  return { type, key, targets, confidence, evidence, payload: { summary, details, evidence } };
}

/** The stored payload, typed by the recommendation's type (this service wrote it; a bad one is a bug). */
export function toView(recommendation: Recommendation): RecommendationView {
  const { payload, type, ...rest } = recommendation;
  if (!isRecord(payload)) throw new Error(`recommendation ${recommendation.id} (${type}) has no payload`);
  // Rows written before this service (the details as the whole payload, no summary) still read.
  const base = { ...rest, summary: typeof payload.summary === 'string' ? payload.summary : `${type.replace('_', ' ')} recommendation ${rest.id}` };
  const details: object = isRecord(payload.details) ? payload.details : payload;
  switch (type) {
    case 'scene_performer':
      return { ...base, type, details: details as RecommendationDetailsByType[typeof type] };
    case 'duplicate_performer':
      return { ...base, type, details: details as RecommendationDetailsByType[typeof type] };
    case 'scene_files':
      return { ...base, type, details: details as RecommendationDetailsByType[typeof type] };
    case 'duplicate_scene':
      return { ...base, type, details: details as RecommendationDetailsByType[typeof type] };
    case 'upstream_performer_changes':
      return { ...base, type, details: details as RecommendationDetailsByType[typeof type] };
  }
}

function findByKey(tx: StateTransaction, type: 'scene_performer', sceneId: string, key: string): Recommendation | undefined {
  let after: string | null = null;
  for (;;) {
    const page = tx.listRecommendations({ type, targetId: sceneId, targetType: 'scene' }, 200, after);
    const found = page.edges.find(({ node }) => node.key === key);
    if (found) return found.node;
    if (!page.pageInfo.hasNextPage) return undefined;
    after = page.pageInfo.endCursor;
  }
}

function previousEvidence(recommendation: Recommendation): ScenePerformerEvidence | undefined {
  const payload = recommendation.payload;
  if (!isRecord(payload) || !isRecord(payload.evidence)) return undefined;
  const { databaseVersion, stashPerformerId, confidence } = payload.evidence;
  if (typeof databaseVersion !== 'string' || typeof confidence !== 'number') return undefined;
  if (stashPerformerId !== null && typeof stashPerformerId !== 'string') return undefined;
  return { databaseVersion, stashPerformerId, confidence };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
