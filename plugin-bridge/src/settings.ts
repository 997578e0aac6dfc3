import { pluginSettingsQuery } from './operations.js';

/** Filled in by the sidecar when it serves the plugin: its PUBLIC_URL. */
export const defaultSidecarUrl: string = '__STASH_SENSE_PUBLIC_URL__';

export interface PluginSettings {
  sidecarUrl: string;
  /** The sidecar's API key (DATA_DIR/api-key on the sidecar); empty when the sidecar runs with AUTH=none. */
  apiKey: string;
  /** 0–1; candidates below it are hidden. */
  minConfidence: number;
  /** Candidates per person, sent as topK. */
  maxResults: number;
}

export const defaultSettings: PluginSettings = { sidecarUrl: defaultSidecarUrl, apiKey: '', minConfidence: 0, maxResults: 3 };

/**
 * Reads the plugin's settings from Stash (Settings → Plugins → Stash Sense) over Stash's own GraphQL, with
 * the user's session. Any failure falls back to the defaults: the panel must still open.
 */
export async function loadSettings(): Promise<PluginSettings> {
  try {
    const response = await fetch(new URL('graphql', document.baseURI).toString(), {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: pluginSettingsQuery }),
    });
    const body = (await response.json()) as { data?: { configuration?: { plugins?: Record<string, Record<string, unknown> | undefined> } } };
    return parseSettings(body.data?.configuration?.plugins?.['stash-sense'] ?? {});
  } catch (error: unknown) {
    console.warn('Stash Sense: could not read the plugin settings from Stash; using the defaults', error);
    return defaultSettings;
  }
}

export function parseSettings(raw: Record<string, unknown>): PluginSettings {
  const text = typeof raw.sidecarUrl === 'string' ? raw.sidecarUrl.trim() : '';
  const number = (value: unknown): number | undefined => {
    const parsed = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
    return Number.isFinite(parsed) ? parsed : undefined;
  };
  const percent = number(raw.minConfidence);
  const results = number(raw.maxResults);
  return {
    sidecarUrl: (text || defaultSettings.sidecarUrl).replace(/\/+$/, ''),
    apiKey: typeof raw.apiKey === 'string' ? raw.apiKey.trim() : '',
    minConfidence: percent === undefined ? 0 : Math.min(Math.max(percent, 0), 100) / 100,
    maxResults: results === undefined || results < 1 ? defaultSettings.maxResults : Math.min(Math.round(results), 20),
  };
}
