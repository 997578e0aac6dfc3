export { API_KEY_FILE, loadApiKey, type ApiKeySource, type LoadedApiKey } from './api-key.js';
export { createCredentialCheck, presentedKey, type CredentialCheck } from './check.js';
