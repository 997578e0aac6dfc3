import type { UpstreamReleaseCheck } from '../../upstream/index.js';

// The release check as the import service returns it; its resolver flattens the latest release's fields.
export type UpstreamReleaseCheckMapper = UpstreamReleaseCheck;
