import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/fixtures.js';

const srcDir = join(repoRoot, 'src');

/** Every relative module specifier a file names: static imports and re-exports (types included), and dynamic imports. */
function importSpecifiers(source: string): string[] {
  const patterns = [/\b(?:import|export)\s+(?:type\s+)?[^'";]*?\bfrom\s*['"]([^'"]+)['"]/g, /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g, /\bimport\s+['"]([^'"]+)['"]/g];
  return patterns.flatMap((pattern) => [...source.matchAll(pattern)].map((match) => match[1] ?? '')).filter((specifier) => specifier.startsWith('.'));
}

/** The folder under src/ a file belongs to; files directly in src/ (app.ts, errors.ts …) form the root "(src)". */
function folderOf(file: string): string {
  const parts = relative(srcDir, file).split(sep);
  return parts.length > 1 ? (parts[0] ?? '(src)') : '(src)';
}

function listSources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return listSources(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** Folder → folders it imports, from every file's specifiers (files in src/ itself are left out: they wire, nothing imports them back). */
function folderGraph(files: readonly { path: string; source: string }[]): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const file of files) {
    const from = folderOf(file.path);
    if (from === '(src)') continue;
    const edges = graph.get(from) ?? new Set<string>();
    graph.set(from, edges);
    for (const specifier of importSpecifiers(file.source)) {
      const target = resolve(dirname(file.path), specifier);
      if (!target.startsWith(srcDir + sep)) continue;
      const to = folderOf(target);
      if (to !== from && to !== '(src)') edges.add(to);
    }
  }
  return graph;
}

/** Every cycle as a path `a → b → a`, found by depth-first search (one report per back edge). */
function findCycles(graph: ReadonlyMap<string, ReadonlySet<string>>): string[] {
  const cycles: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string) => {
    state.set(node, 'visiting');
    stack.push(node);
    for (const next of [...(graph.get(node) ?? [])].sort()) {
      if (state.get(next) === 'visiting') cycles.push([...stack.slice(stack.indexOf(next)), next].join(' → '));
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of [...graph.keys()].sort()) if (!state.has(node)) visit(node);
  return cycles;
}

describe('the import graph of src/', () => {
  const files = listSources(srcDir).map((path) => ({ path, source: readFileSync(path, 'utf8') }));
  const graph = folderGraph(files);

  it('reads imports of every kind, types included', () => {
    const source = ["import { a } from '../x/index.js';", "import type { B } from '../y/index.js';", "export { c } from './z.js';", "const d = await import('../w/index.js');", "import 'node:fs';"].join('\n');
    expect(importSpecifiers(source).sort()).toEqual(['../w/index.js', '../x/index.js', '../y/index.js', './z.js']);
  });

  it('finds a cycle between two folders when there is one', () => {
    const cyclic = folderGraph([
      { path: join(srcDir, 'identify/scene.ts'), source: "import { link } from '../tagback/index.js';" },
      { path: join(srcDir, 'tagback/batch.ts'), source: "import type { Scene } from '../identify/index.js';" },
    ]);
    expect(findCycles(cyclic)).toEqual(['identify → tagback → identify']);
  });

  it('sees the folders of src/', () => {
    expect([...graph.keys()]).toEqual(expect.arrayContaining(['identify', 'stash', 'tagback', 'jobs', 'recommendations']));
    expect(graph.get('identify')?.has('stash')).toBe(true);
  });

  it('has no cycle between folders', () => {
    expect(findCycles(graph)).toEqual([]);
  });
});
