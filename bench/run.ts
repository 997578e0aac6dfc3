// `npm run bench [-- name...]`: runs the benchmarks, prints a table each, writes bench/results/<timestamp>.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import { arch, cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { formatTable, type Benchmark, type BenchSection } from './report.js';

const registry: Record<string, () => Promise<Benchmark>> = {
  state: async () => (await import('./state.bench.js')).benchmark,
  index: async () => (await import('./index.bench.js')).benchmark,
  frames: async () => (await import('./frames.bench.js')).benchmark,
  import: async () => (await import('./import.bench.js')).benchmark,
  vision: async () => (await import('./vision.bench.js')).benchmark,
  scene: async () => (await import('./scene.bench.js')).benchmark,
  recommendations: async () => (await import('./recommendations.bench.js')).benchmark,
  accuracy: async () => (await import('./accuracy.bench.js')).benchmark,
  body: async () => (await import('./body.bench.js')).benchmark,
  distributed: async () => (await import('./distributed.bench.js')).benchmark,
};

const wanted = process.argv.slice(2);
const names = wanted.length > 0 ? wanted : Object.keys(registry);
const sections: BenchSection[] = [];
for (const name of names) {
  const load = registry[name];
  if (!load) throw new Error(`unknown benchmark "${name}"; known: ${Object.keys(registry).join(', ')}`);
  const benchmark = await load();
  console.error(`running ${benchmark.name}…`);
  const result = await benchmark.run();
  for (const section of Array.isArray(result) ? result : [result]) {
    sections.push(section);
    console.log(`${formatTable(section)}\n`);
  }
}

const machine = { node: process.version, arch: arch(), cpus: cpus().length, cpuModel: cpus()[0]?.model, totalMemBytes: totalmem() };
const dir = join(process.cwd(), 'bench', 'results');
mkdirSync(dir, { recursive: true });
const file = join(dir, `${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
writeFileSync(file, `${JSON.stringify({ machine, sections }, null, 2)}\n`);
writeFileSync(join(dir, 'latest.json'), `${JSON.stringify({ machine, sections }, null, 2)}\n`);
console.log(`results written to ${file}`);
