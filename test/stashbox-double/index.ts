export {
  createStashBoxDouble,
  stashBoxDoubleSchema,
  type StashBoxDouble,
  type StashBoxDoubleMode,
  type StashBoxPerformerFixture,
  type StashBoxRequest,
} from './stashbox-double.js';
export { buildStashBoxSchema, loadStashBoxSdl, stashBoxSchemaDir } from './schema.js';
