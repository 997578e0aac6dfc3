export { sha256OfFile } from './sha256.js';
