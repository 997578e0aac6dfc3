// The page at `/`: what a person opening the sidecar's address needs, with no script and nothing fetched
// from elsewhere.

export interface StatusPageModel {
  version: string;
  status: 'ok' | 'degraded';
  databaseLoaded: boolean;
  performerCount: number;
  faceCount: number;
  modelProfile: string;
  executionProvider: string;
  executionProviderReason: string;
  /** Model files the profile needs and does not have (the service runs degraded until they are fetched). */
  missingModels: string[];
  stash: { configured: boolean; url: string | null; reachable: boolean | null; version: string | null; error: string | null } | null;
  /** The plugin source URL to paste into Stash. */
  pluginIndexUrl: string;
  graphqlPath: string;
  auth: AuthHint;
}

/** How a client gets in: no key (AUTH=none), or the key file / API_KEY and the header to send it in. */
export type AuthHint = { kind: 'none' } | { kind: 'key'; keyFile: string; fromEnv: boolean };

export function renderStatusPage(model: StatusPageModel): string {
  const rows: [string, string][] = [
    ['Status', model.status === 'ok' ? 'ok' : 'degraded (see below)'],
    ['Version', model.version],
    ['Face database', model.databaseLoaded ? `${count(model.performerCount, 'performer')}, ${count(model.faceCount, 'face')}` : 'not loaded'],
    ['Model profile', model.modelProfile],
    ['Runs on', `${model.executionProvider}${model.executionProviderReason ? ` (${model.executionProviderReason})` : ''}`],
    ['Stash', stashLine(model.stash)],
  ];
  const notes: string[] = [];
  if (model.missingModels.length > 0) {
    notes.push(
      `Model files missing: ${model.missingModels.map(escapeHtml).join(', ')}. Identification answers MODEL_MISSING until they are fetched: ` +
        `run the <code>downloadModels</code> mutation in GraphiQL, press “Download models” in the Stash plugin, or run ` +
        `<code>stash-sense models fetch</code>.`,
    );
  }
  if (model.databaseLoaded && model.performerCount === 0) {
    notes.push('The face database is empty: enrol performers (<code>enrollFromStash</code>, <code>stash-sense enroll DIR</code>) or import the upstream release (<code>importUpstream</code>).');
  }
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Stash Sense</title>
<link rel="icon" href="/icon.png">
<style>
body { font: 15px/1.5 system-ui, sans-serif; margin: 2rem auto; max-width: 46rem; padding: 0 1rem; color: #222; }
th { text-align: left; padding-right: 1.5rem; font-weight: 600; vertical-align: top; }
code { background: #f2f2f2; padding: 0 .25rem; border-radius: 3px; }
.note { background: #fff6dd; border-left: 4px solid #e0a800; padding: .5rem .75rem; margin: 1rem 0; }
</style>
</head>
<body>
<h1>Stash Sense</h1>
<table>
${rows.map(([name, value]) => `<tr><th>${name}</th><td>${escapeHtml(value)}</td></tr>`).join('\n')}
</table>
${notes.map((note) => `<p class="note">${note}</p>`).join('\n')}
<h2>Use it</h2>
<ul>
<li><a href="${escapeHtml(model.graphqlPath)}">GraphiQL</a>: try the API in the browser (works offline).</li>
<li>Stash plugin: in Stash, Settings → Plugins → Available Plugins → Add Source, paste <code>${escapeHtml(model.pluginIndexUrl)}</code>.</li>
<li><a href="/health">/health</a>: the JSON Docker's health check reads.</li>
</ul>
<h2>API key</h2>
<p>${authText(model.auth)}</p>
</body>
</html>
`;
}

function authText(auth: AuthHint): string {
  if (auth.kind === 'none') return 'Not required: this sidecar runs with <code>AUTH=none</code>, so anyone who can reach it can use the API.';
  const where = auth.fromEnv
    ? 'It is the value of <code>API_KEY</code> set for this sidecar.'
    : `It is in the file <code>${escapeHtml(auth.keyFile)}</code> (in Docker: <code>docker exec stash-sense cat /data/api-key</code>), or <code>API_KEY</code> when you set one.`;
  return `Required for <code>/graphql</code>. ${where} Send it as the header <code>ApiKey: &lt;key&gt;</code> (or <code>Authorization: Bearer &lt;key&gt;</code>); in GraphiQL, under Headers.`;
}

function stashLine(stash: StatusPageModel['stash']): string {
  if (!stash) return 'not checked';
  if (!stash.configured) return 'not configured (set STASH_URL); image identification only';
  if (stash.reachable) return `connected to ${stash.url ?? ''}${stash.version ? `, Stash ${stash.version}` : ''}`;
  return `not reachable at ${stash.url ?? ''}${stash.error ? `: ${stash.error}` : ''}`;
}

function count(value: number, noun: string): string {
  return `${value.toLocaleString('en-US')} ${noun}${value === 1 ? '' : 's'}`;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char]!);
}
