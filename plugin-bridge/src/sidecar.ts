// The sidecar's GraphQL API from the browser: queries and mutations by POST, jobProgress over SSE (read with
// fetch rather than EventSource, which cannot send the API key header).
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

export function createSidecarClient(url: string, apiKey = ''): SidecarClient {
  const endpoint = `${url.replace(/\/+$/, '')}/graphql`;
  const auth: Record<string, string> = apiKey ? { ApiKey: apiKey } : {};
  return {
    url,
    async request<TData, TVariables>(operation: Operation<TData, TVariables>, variables: TVariables, signal?: AbortSignal): Promise<TData> {
      let response: Response;
      try {
        response = await fetch(endpoint, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', ...auth },
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
      const controller = new AbortController();
      let open = true;
      const stop = () => {
        open = false;
        controller.abort();
      };
      const fail = (error: SidecarError) => {
        if (!open) return;
        stop();
        handlers.error(error);
      };
      const onEvent = (event: string, data: string) => {
        if (!open) return;
        if (event === 'complete') {
          stop();
          handlers.complete();
          return;
        }
        if (event !== 'next') return;
        let body: GraphQLBody;
        try {
          body = JSON.parse(data) as GraphQLBody;
        } catch {
          return;
        }
        const first = body.errors?.[0];
        if (first) fail(new SidecarError('graphql', first.message ?? 'Unknown error', first.extensions?.code));
        else if (body.data) handlers.next(body.data as TData);
      };
      void (async () => {
        const response = await fetch(endpoint, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...auth },
          body: JSON.stringify({ query: operation.document, variables }),
          signal: controller.signal,
        });
        if (!response.ok || !response.body || !(response.headers.get('content-type') ?? '').includes('text/event-stream')) {
          const body = (await response.json().catch(() => ({}))) as GraphQLBody;
          const first = body.errors?.[0];
          fail(first ? new SidecarError('graphql', first.message ?? 'Unknown error', first.extensions?.code, response.status) : new SidecarError('http', `${url} answered HTTP ${response.status}`, undefined, response.status));
          return;
        }
        await readEventStream(response.body, onEvent);
        fail(new SidecarError('unreachable', `The live progress stream from ${url} broke off`));
      })().catch(() => fail(new SidecarError('unreachable', `The live progress stream from ${url} broke off`)));
      return stop;
    },
  };
}

/** Server-sent events (`event:` and `data:` lines, a blank line ends one), as EventSource would read them. */
async function readEventStream(body: ReadableStream<Uint8Array>, onEvent: (event: string, data: string) => void): Promise<void> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let event = 'message';
  let data: string[] = [];
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true });
    let newline: number;
    while ((newline = buffer.search(/\r?\n/)) >= 0) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + (buffer[newline] === '\r' ? 2 : 1));
      if (line === '') {
        if (data.length > 0 || event !== 'message') onEvent(event, data.join('\n'));
        event = 'message';
        data = [];
      } else if (line.startsWith('event:')) event = line.slice(6).trim();
      else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
    }
  }
}
