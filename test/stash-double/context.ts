import type { StashStore } from './fixtures.js';

/** What every resolver of one request sees. */
export interface DoubleContext {
  store: StashStore;
  /** `http://127.0.0.1:PORT`, from the request's Host header, as Stash builds its absolute paths. */
  baseUrl: string;
  apiKey: string | null;
  /** Records a mutation call; the returned entry gets `error` set if the call fails. */
  recordMutation(field: string, args: Record<string, unknown>): { error?: string };
}

/**
 * A field resolver. Declared through a method so each resolver can name its own parent and argument types
 * (method parameters are checked bivariantly); graphql-js has already validated and coerced the arguments.
 */
export type Resolver = {
  resolve(parent: unknown, args: Record<string, unknown>, context: DoubleContext): unknown;
}['resolve'];
export type ResolverMap = Record<string, Record<string, Resolver>>;

export function now(): string {
  return new Date().toISOString();
}

export function unixSeconds(time: string): number {
  return Math.floor(Date.parse(time) / 1000);
}
