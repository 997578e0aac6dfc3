import type { UpstreamReleaseCheckResolvers } from './../types.generated.js';

export const UpstreamReleaseCheck: UpstreamReleaseCheckResolvers = {
  latestVersion: ({ latest }) => latest.version,
  publishedAt: ({ latest }) => latest.publishedAt,
  downloadUrl: ({ latest }) => latest.downloadUrl,
  sizeBytes: ({ latest }) => latest.sizeBytes,
  sha256: ({ latest }) => latest.sha256,
};
