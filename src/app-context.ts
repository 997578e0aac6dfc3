// The GraphQL context: the services resolvers call (built once in src/app.ts), and the request's abort signal.
import type { AppServices } from './app-services.js';

export type AppContext = AppServices & { signal: AbortSignal };
