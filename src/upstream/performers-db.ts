// Upstream's performers.db (reference/upstream-pipeline.md §2.5), read-only: the aliases and the stash-box
// ids of every endpoint, which faces.json/performers.json (one id per performer) leave out.
import Database from 'better-sqlite3';
import { SenseError } from '../errors.js';
import { endpointSpellings, endpointUrlOfDomain, domainOfEndpoint, type StashBoxId } from './stash-box.js';

export interface UpstreamPerformerDetails {
  name: string;
  country: string | null;
  imageUrl: string | null;
  aliases: string[];
  stashIds: StashBoxId[];
}

export interface UpstreamPerformersDb {
  /** The performer holding stash-box id `stashId` on `domain` (e.g. 'stashdb.org'), if any. */
  find(domain: string, stashId: string): UpstreamPerformerDetails | undefined;
  close(): void;
}

const REQUIRED_COLUMNS: Record<string, string[]> = {
  performers: ['id', 'canonical_name', 'country', 'image_url'],
  stashbox_ids: ['performer_id', 'endpoint', 'stashbox_performer_id'],
  aliases: ['performer_id', 'alias'],
};

export function openUpstreamPerformersDb(path: string): UpstreamPerformersDb {
  let db: Database.Database;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
    for (const [table, columns] of Object.entries(REQUIRED_COLUMNS)) {
      const present = new Set((db.pragma(`table_info(${table})`) as { name: string }[]).map((column) => column.name));
      const missing = columns.filter((column) => !present.has(column));
      if (missing.length > 0) {
        db.close();
        throw new SenseError('BAD_INPUT', `performers.db is not upstream's performer database: table ${table} lacks ${missing.join(', ')}`);
      }
    }
  } catch (error: unknown) {
    if (error instanceof SenseError) throw error;
    throw new SenseError('BAD_INPUT', `performers.db cannot be read as SQLite: ${(error as Error).message}`);
  }
  const byStashId = db.prepare<[string, string, string, string], { performer_id: number }>(
    'SELECT performer_id FROM stashbox_ids WHERE stashbox_performer_id = ? AND endpoint IN (?, ?, ?) LIMIT 1',
  );
  const performer = db.prepare<[number], { canonical_name: string; country: string | null; image_url: string | null }>(
    'SELECT canonical_name, country, image_url FROM performers WHERE id = ?',
  );
  const stashIds = db.prepare<[number], { endpoint: string; stashbox_performer_id: string }>(
    'SELECT endpoint, stashbox_performer_id FROM stashbox_ids WHERE performer_id = ? ORDER BY rowid',
  );
  const aliases = db.prepare<[number], { alias: string }>('SELECT alias FROM aliases WHERE performer_id = ? ORDER BY rowid');
  return {
    find(domain, stashId) {
      const spellings = endpointSpellings(domain);
      const [a, b = a, c = b] = spellings as [string, string?, string?];
      const hit = byStashId.get(stashId, a, b, c);
      if (!hit) return undefined;
      const row = performer.get(hit.performer_id);
      if (!row) return undefined;
      return {
        name: row.canonical_name,
        country: row.country,
        imageUrl: row.image_url,
        aliases: aliases.all(hit.performer_id).map((alias) => alias.alias),
        stashIds: stashIds.all(hit.performer_id).map((id) => ({
          endpoint: endpointUrlOfDomain(domainOfEndpoint(id.endpoint)),
          stashId: id.stashbox_performer_id,
        })),
      };
    },
    close() {
      db.close();
    },
  };
}
