import { generate } from '@graphql-codegen/cli';
import codegenConfig from '../../codegen.js';

/** The target in codegen.ts that turns schema/stash/*.graphql into the typed Stash client. */
export const stashGeneratedFile = 'src/stash/generated/graphql.ts';

/** The committed client is generated from the schema copy beside the project, whatever STASH_SCHEMA says here. */
const defaultStashSchema = '../shared/stash-schema/**/*.graphql';

/**
 * Runs only the Stash target of codegen.ts and returns the files it would write, without writing them
 * (the sidecar's own API target belongs to another module and may be mid-edit).
 */
export async function generateStashClient(): Promise<{ filename: string; content: string }[]> {
  const target = codegenConfig.generates[stashGeneratedFile];
  if (!target || Array.isArray(target) || typeof target !== 'object') throw new Error(`codegen.ts has no '${stashGeneratedFile}' target`);
  const files: unknown = await generate({ ...codegenConfig, generates: { [stashGeneratedFile]: { ...target, schema: defaultStashSchema } }, silent: true }, false);
  return files as { filename: string; content: string }[];
}
