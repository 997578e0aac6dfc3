// The sidecar's GraphQL API from the browser: queries and mutations by POST, jobProgress over SSE.
import { SidecarError } from './errors.js';
import type { Operation } from './operations.js';

export { describeError, SidecarError, type ErrorDescription } from './errors.js';

export interface SubscriptionHandlers<T> {
  next(data: T): void;
  error(error: SidecarError): void;
  complete(): void;
}

export interface SidecarClient {
  readonly url: string;
  request<TData, TVariables>(operation: Operation<TData, TVariables>, variables: TVariables, signal?: AbortSignal): Promise<TData>;
  /** Returns a function that stops listening. */
  subscribe<TData, TVariables>(operation: Operation<TData, TVariables>, variables: TVariables, handlers: SubscriptionHandlers<TData>): () => void;
}

interface GraphQLBody {
  data?: unknown;
  errors?: { message?: string; extensions?: { code?: string } }[];
}

export function createSidecarClient(url: string): SidecarClient {
  const endpoint = `${url.replace(/\/+$/, '')}/graphql`;
  return {
    url,
    async request<TData, TVariables>(operation: Operation<TData, TVariables>, variables: TVariables, signal?: AbortSignal): Promise<TData> {
      let response: Response;
      try {
        response = await fetch(endpoint, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' },
          body: JSON.stringify({ query: operation.document, variables }),
          signal,
        });
      } catch (error: unknown) {
        if (signal?.aborted) throw error;
        // fetch gives no reason on purpose (a CSP block, a refused connection and a DNS failure look alike).
        throw new SidecarError('unreachable', `No answer from ${url}`);
      }
      let body: GraphQLBody;
      try {
        body = (await response.json()) as GraphQLBody;
      } catch {
        throw new SidecarError('http', `${url} answered HTTP ${response.status} without a GraphQL result`, undefined, response.status);
      }
      const first = body.errors?.[0];
      if (first) throw new SidecarError('graphql', first.message ?? 'Unknown error', first.extensions?.code, response.status);
      if (!response.ok || body.data == null) throw new SidecarError('http', `${url} answered HTTP ${response.status}`, undefined, response.status);
      return body.data as TData;
    },
    subscribe<TData, TVariables>(operation: Operation<TData, TVariables>, variables: TVariables, handlers: SubscriptionHandlers<TData>): () => void {
      const params = new URLSearchParams({ query: operation.document, variables: JSON.stringify(variables) });
      const source = new EventSource(`${endpoint}?${params.toString()}`);
      let open = true;
      const stop = () => {
        open = false;
        source.close();
      };
      const onNext = (event: MessageEvent<string>) => {
        if (!open) return;
        let body: GraphQLBody;
        try {
          body = JSON.parse(event.data) as GraphQLBody;
        } catch {
          return;
        }
        const first = body.errors?.[0];
        if (first) {
          stop();
          handlers.error(new SidecarError('graphql', first.message ?? 'Unknown error', first.extensions?.code));
        } else if (body.data) {
          handlers.next(body.data as TData);
        }
      };
      source.addEventListener('next', onNext as EventListener);
      source.addEventListener('complete', () => {
        if (!open) return;
        stop();
        handlers.complete();
      });
      // EventSource would reconnect by itself and replay nothing; the caller decides what to do instead.
      source.onerror = () => {
        if (!open) return;
        stop();
        handlers.error(new SidecarError('unreachable', `The live progress stream from ${url} broke off`));
      };
      return stop;
    },
  };
}
