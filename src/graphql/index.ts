export { createRequestHandler, startServer, sendJson, type HttpRoute, type RunningServer, type RequestHandler } from './server.js';
export { createAddressCheck, type AddressCheck, type AddressCheckOptions } from './address-check.js';
export { queryLimits } from './limits.js';
