// The GraphQL context: the services resolvers call. Built once in src/app.ts.
export type { AppServices as AppContext } from './app-services.js';
