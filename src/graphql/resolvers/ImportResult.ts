import type { ImportResultResolvers } from './../types.generated.js';

// The domain result (ImportUpstreamResult) has exactly the type's fields.
export const ImportResult: ImportResultResolvers = {};
