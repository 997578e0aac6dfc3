import { generate } from '@graphql-codegen/cli';
import codegenConfig from '../../codegen.js';

/** The target in codegen.ts that turns schema/stash/*.graphql into the typed Stash client. */
export const stashGeneratedFile = 'src/stash/generated/graphql.ts';

/**
 * Runs only the Stash part of codegen.ts and returns the files it would write, without writing them
 * (the sidecar's own API target is someone else's and may be mid-edit).
 */
export async function generateStashClient(): Promise<Awaited<ReturnType<typeof generate>>> {
  const target = codegenConfig.generates[stashGeneratedFile];
  if (!target) throw new Error(`codegen.ts has no '${stashGeneratedFile}' target`);
  return generate({ ...codegenConfig, generates: { [stashGeneratedFile]: target }, silent: true }, false);
}
