export { anyAddress, isPublicAddress, type AddressPolicy } from './address-policy.js';
export { fetchPublicUrl, urlRefused, type PublicFetchOptions } from './public-fetch.js';
