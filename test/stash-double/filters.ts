/**
 * Stash's find filters over the double's records: the criteria the sidecar uses, with Stash's semantics
 * (EQUALS on strings ignores case, as SQLite's LIKE does; `OR`/`AND`/`NOT` combine with the criteria beside
 * them). A criterion the double does not know fails loudly instead of matching everything.
 */

export type Criteria<T> = Record<string, (record: T, value: unknown) => boolean>;

export function matchesFilter<T>(record: T, filter: unknown, criteria: Criteria<T>, typeName: string): boolean {
  if (filter === null || filter === undefined) return true;
  const { AND: and, OR: or, NOT: not, ...rest } = filter as Record<string, unknown>;
  let own = true;
  for (const [key, value] of Object.entries(rest)) {
    if (value === null || value === undefined) continue;
    const criterion = criteria[key];
    if (!criterion) throw new Error(`the Stash double does not implement ${typeName}.${key}`);
    if (!criterion(record, value)) own = false;
  }
  if (and) own = own && matchesFilter(record, and, criteria, typeName);
  if (not) own = own && !matchesFilter(record, not, criteria, typeName);
  if (or) return own || matchesFilter(record, or, criteria, typeName);
  return own;
}

interface IntCriterion {
  value: number;
  value2?: number | null;
  modifier: string;
}

export function intMatches(actual: number | null, criterion: unknown): boolean {
  const { value, value2, modifier } = criterion as IntCriterion;
  switch (modifier) {
    case 'EQUALS':
      return actual === value;
    case 'NOT_EQUALS':
      return actual !== value;
    case 'GREATER_THAN':
      return actual !== null && actual > value;
    case 'LESS_THAN':
      return actual !== null && actual < value;
    case 'BETWEEN':
      return actual !== null && actual >= value && actual <= (value2 ?? value);
    case 'NOT_BETWEEN':
      return actual !== null && (actual < value || actual > (value2 ?? value));
    case 'IS_NULL':
      return actual === null;
    case 'NOT_NULL':
      return actual !== null;
    default:
      throw new Error(`modifier ${modifier} is not valid for an int criterion`);
  }
}

interface StringCriterion {
  value: string;
  modifier: string;
}

/** One value (a title) or many (aliases): the criterion holds when any value matches, like Stash's joins. */
export function stringMatches(actual: string | null | readonly string[], criterion: unknown): boolean {
  const { value, modifier } = criterion as StringCriterion;
  const values = (Array.isArray(actual) ? actual : actual === null ? [] : [actual]) as readonly string[];
  const lower = value.toLowerCase();
  switch (modifier) {
    case 'EQUALS':
      return values.some((v) => v.toLowerCase() === lower);
    case 'NOT_EQUALS':
      return !values.some((v) => v.toLowerCase() === lower);
    case 'INCLUDES':
      return values.some((v) => v.toLowerCase().includes(lower));
    case 'EXCLUDES':
      return !values.some((v) => v.toLowerCase().includes(lower));
    case 'MATCHES_REGEX':
      return values.some((v) => new RegExp(value, 'i').test(v));
    case 'NOT_MATCHES_REGEX':
      return !values.some((v) => new RegExp(value, 'i').test(v));
    case 'IS_NULL':
      return values.every((v) => v === '');
    case 'NOT_NULL':
      return values.some((v) => v !== '');
    default:
      throw new Error(`modifier ${modifier} is not valid for a string criterion`);
  }
}

interface MultiCriterion {
  value?: readonly string[] | null;
  modifier: string;
  excludes?: readonly string[] | null;
}

export function idsMatch(actual: readonly string[], criterion: unknown): boolean {
  const { value, modifier, excludes } = criterion as MultiCriterion;
  const wanted = value ?? [];
  if ((excludes ?? []).some((id) => actual.includes(id))) return false;
  switch (modifier) {
    case 'INCLUDES':
      return wanted.length === 0 || wanted.some((id) => actual.includes(id));
    case 'INCLUDES_ALL':
      return wanted.every((id) => actual.includes(id));
    case 'EXCLUDES':
      return !wanted.some((id) => actual.includes(id));
    case 'EQUALS':
      return wanted.length === actual.length && wanted.every((id) => actual.includes(id));
    case 'IS_NULL':
      return actual.length === 0;
    case 'NOT_NULL':
      return actual.length > 0;
    default:
      throw new Error(`modifier ${modifier} is not valid for a multi criterion`);
  }
}

interface StashIdCriterion {
  endpoint?: string | null;
  stash_id?: string | null;
  modifier: string;
}

export function stashIdMatches(actual: readonly { endpoint: string; stash_id: string }[], criterion: unknown): boolean {
  const { endpoint, stash_id: stashId, modifier } = criterion as StashIdCriterion;
  const onEndpoint = endpoint ? actual.filter((s) => s.endpoint === endpoint) : actual;
  switch (modifier) {
    case 'EQUALS':
      return onEndpoint.some((s) => s.stash_id === stashId);
    case 'NOT_EQUALS':
      return !onEndpoint.some((s) => s.stash_id === stashId);
    case 'IS_NULL':
      return onEndpoint.length === 0;
    case 'NOT_NULL':
      return onEndpoint.length > 0;
    default:
      throw new Error(`modifier ${modifier} is not valid for a stash id criterion`);
  }
}

export function missing(checks: Record<string, () => boolean>, what: unknown, typeName: string): boolean {
  const check = checks[String(what)];
  if (!check) throw new Error(`the Stash double does not implement ${typeName}.is_missing "${String(what)}"`);
  return check();
}

interface FindFilter {
  q?: string | null;
  page?: number | null;
  per_page?: number | null;
  sort?: string | null;
  direction?: 'ASC' | 'DESC' | null;
}

/**
 * Sorts and pages as Stash does: `per_page` defaults to 25 and -1 means all, `page` starts at 1, and a sort
 * outside the allowed list is an error (Stash checks it since CVE-2024-32231).
 */
export function applyFindFilter<T extends { id: string }>(
  records: T[],
  filter: unknown,
  sorts: Record<string, (record: T) => string | number | null>,
  search: (record: T) => string,
): { count: number; items: T[] } {
  const { q, page, per_page: perPage, sort, direction } = (filter ?? {}) as FindFilter;
  let items = q ? records.filter((record) => search(record).toLowerCase().includes(q.toLowerCase())) : [...records];
  const sortKey = sort ?? 'id';
  const sortBy = sortKey === 'random' ? sorts.id : sorts[sortKey];
  if (!sortBy) throw new Error(`invalid sort: ${sortKey}`);
  const sign = direction === 'DESC' ? -1 : 1;
  items.sort((a, b) => sign * compare(sortBy(a), sortBy(b)) || compare(Number(a.id), Number(b.id)));
  const count = items.length;
  const size = perPage ?? 25;
  if (size >= 0) {
    const start = (Math.max(1, page ?? 1) - 1) * size;
    items = items.slice(start, start + size);
  }
  return { count, items };
}

function compare(a: string | number | null, b: string | number | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a).localeCompare(String(b));
}
