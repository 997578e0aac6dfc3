import type { StashPage } from './types.js';

/**
 * Pages through a listing by id (`id > last seen`, sorted by id) rather than by page number, so items that
 * stop matching while we work (a scene that just got its performers) do not shift later pages and get skipped.
 */
export async function* pageById<T extends { id: string }>(
  fetchPage: (afterId: number | undefined) => Promise<{ items: T[]; count: number }>,
  perPage: number,
): AsyncGenerator<StashPage<T>> {
  let afterId: number | undefined;
  let total: number | undefined;
  for (;;) {
    const page = await fetchPage(afterId);
    total ??= page.count;
    if (page.items.length > 0) yield { items: page.items, total };
    const last = page.items.at(-1);
    if (!last || page.items.length < perPage) return;
    afterId = Number(last.id);
  }
}

/** Pages by page number, for listings Stash cannot filter by id (performers). */
export async function* pageByNumber<T>(
  fetchPage: (page: number) => Promise<{ items: T[]; count: number }>,
  perPage: number,
): AsyncGenerator<StashPage<T>> {
  for (let page = 1; ; page += 1) {
    const result = await fetchPage(page);
    if (result.items.length > 0) yield { items: result.items, total: result.count };
    if (result.items.length < perPage || page * perPage >= result.count) return;
  }
}
