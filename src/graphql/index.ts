export { createRequestHandler, startServer, sendJson, type HttpRoute, type RunningServer, type RequestHandler } from './server.js';
