// Fetching large files resumably and installing them only when their sha256 matches.
export { downloadFile, type DownloadOptions, type DownloadProgress, type DownloadResult } from './download-file.js';
export { sha256OfFile } from './sha256.js';
