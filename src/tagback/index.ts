export { chooseLink, createPerformerLinker, notInLibrary, type LinkRule, type PerformerLink, type PerformerLinker, type LinkablePerformer } from './link-performers.js';
export { planTagBack, planChangesNothing, type TagBackPlan } from './plan.js';
export { createTagBackService, type TagBackService, type TagBackResult, type TagBackTargetKind, type ApplyPerformersInput } from './tagback-service.js';
