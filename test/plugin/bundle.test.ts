import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { bundlePath, buildPluginBundle } from '../../plugin-bridge/build.js';
import { makeTempDir, repoRoot } from '../helpers/fixtures.js';

const temp = makeTempDir();
afterAll(() => temp.remove());

describe('the plugin bundle (plugin-bridge/stash-sense.js)', () => {
  it('is what plugin-bridge/src builds to (rebuild with `npx tsx plugin-bridge/build.ts`)', async () => {
    expect(await readFile(bundlePath, 'utf8')).toBe(await buildPluginBundle());
  });

  it('renders with Stash’s React from window.PluginApi and carries no React of its own', async () => {
    const bundle = await readFile(bundlePath, 'utf8');
    expect(bundle).toContain('window.PluginApi');
    expect(bundle).toContain('"__STASH_SENSE_PUBLIC_URL__"');
    for (const marker of ['__SECRET_INTERNALS_DO_NOT_USE_OR_YOU_WILL_BE_FIRED', 'react.production', 'react-dom', 'require(']) {
      expect(bundle).not.toContain(marker);
    }
  });

  it('refuses a source file that imports React itself', async () => {
    const entry = join(temp.path, 'bad.tsx');
    await writeFile(entry, "import React from 'react';\nexport const x = React.createElement('div');\n");
    await expect(buildPluginBundle(entry)).rejects.toThrow(/use the copy Stash provides through window\.PluginApi/);
  });

  it('type-checks strictly against the DOM and React 17 types', async () => {
    const run = promisify(execFile);
    const result = await run(process.execPath, [join(repoRoot, 'node_modules/typescript/bin/tsc'), '-p', join(repoRoot, 'plugin-bridge/tsconfig.json')]).then(
      () => ({ code: 0, output: '' }),
      (error: { code?: number; stdout?: string }) => ({ code: error.code ?? 1, output: error.stdout ?? '' }),
    );
    expect(result).toEqual({ code: 0, output: '' });
  });
});
