import { chooseImageSource } from '../../../identify/index.js';
import type { MutationResolvers } from './../../types.generated.js';

export const identifyImage: NonNullable<MutationResolvers['identifyImage']> = (_parent, { image, url, base64, options }, { identify, signal }) =>
  identify.identifyImage(chooseImageSource({ image, url, base64 }), options ?? {}, signal);
