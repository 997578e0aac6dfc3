import type { GraphiQLOptions } from 'graphql-yoga';

/**
 * GraphiQL from @graphql-yoga/render-graphiql: its editor, styles and workers are inlined in the page, so it
 * works with no internet (Yoga's default page loads them from a CDN). The 9 MB module is imported on the first
 * GraphiQL visit, not at start-up, and the page is built once per set of options.
 */
export function createOfflineGraphiQL(): (options: GraphiQLOptions) => Promise<string> {
  let render: Promise<(options: GraphiQLOptions) => string> | undefined;
  const pages = new Map<string, string>();
  return async (options) => {
    const key = JSON.stringify(options ?? {});
    const cached = pages.get(key);
    if (cached) return cached;
    render ??= import('@graphql-yoga/render-graphiql').then((module) => module.renderGraphiQL);
    const page = (await render)(options);
    if (pages.size >= 4) pages.clear();
    pages.set(key, page);
    return page;
  };
}
