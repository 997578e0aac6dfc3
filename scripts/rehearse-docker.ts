#!/usr/bin/env -S npx tsx
// Rehearses the Docker image on a machine without Docker, to show the image's contents are enough:
//   1. assembles the build context exactly as `docker build` does (.dockerignore),
//   2. replays the Dockerfile's `build` stage (its COPYs and RUNs, CPU onnxruntime) in a temporary root,
//   3. lays out the `runtime` stage from it (COPY --from=build, ENV, the entrypoint written in the Dockerfile),
//   4. starts the runtime's ENTRYPOINT + CMD with its environment (a temporary DATA_DIR), enrols two
//      people with the image's CLI, and checks /health, the HEALTHCHECK command and one identifyImage,
//   5. stops it with SIGTERM, as `docker stop` does.
// Usage: npx tsx scripts/rehearse-docker.ts [--faces DIR] [--keep]
// Only the `build` and `runtime` stages are replayed: the stages they start from install system
// packages (Node, compilers, ffmpeg, curl), which this machine must already have.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, dirname, join, posix, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { findStage, parseDockerfile, readContext, type Dockerfile, type Stage, type Step } from './rehearse-docker.lib.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values: options } = parseArgs({ options: { faces: { type: 'string' }, keep: { type: 'boolean' } } });
const facesDir = resolve(options.faces ?? join(root, '..', 'shared', 'faces'));
/** The CPU variant of onnxruntime-node: the CUDA provider is a NuGet download only real image builds make. */
const buildArgOverrides = new Map([['ONNXRUNTIME_NODE_INSTALL', 'skip']]);
const secret = 'rehearsal-secret-3f9c1e';
const enrolled = { kit_harington: ['01.jpg', '02.jpg'], biden: ['01.jpg', '02.jpg'] };
const probe = { file: 'people/kit_harington/03.jpg', expected: 'kit_harington' };

const work = mkdtempSync(join(tmpdir(), 'stash-sense-rehearsal-'));
// The service runs as 99:100 (the image's user), so it must be able to reach these folders.
chmodSync(work, 0o755);
const started = Date.now();
let server: ChildProcess | undefined;

try {
  const dockerfile = parseDockerfile(readFileSync(join(root, 'Dockerfile'), 'utf8'));
  const contextDir = join(work, 'context');
  step('assemble the build context from .dockerignore', () => {
    const context = readContext(root);
    for (const file of context.files) cpSync(join(root, file), join(contextDir, file), { recursive: true });
    return `${context.files.length} files`;
  });

  const roots = new Map<string, string>();
  replayStage(dockerfile, findStage(dockerfile, 'build'), contextDir, roots);
  const runtime = replayStage(dockerfile, findStage(dockerfile, 'runtime'), contextDir, roots);
  checkRuntimeContents(runtime);

  const port = await freePort();
  const env = runtimeEnv(runtime, port);
  const dataDir = env.DATA_DIR ?? '';
  const entrypoint = resolveEntrypoint(runtime);
  const command = runtime.cmd;

  step('enrol two people with the image CLI', () => {
    const photos = join(dataDir, 'enrol');
    for (const [person, files] of Object.entries(enrolled)) {
      for (const file of files) cpSync(join(facesDir, 'people', person, file), join(photos, person, file));
    }
    chmodTree(dataDir);
    const result = runSync([...entrypoint, 'node', 'bin/stash-sense.js', 'enroll', photos], runtime.workdir, env);
    process.stdout.write(indent(result));
    return 'ok';
  });

  server = spawn(entrypoint[0] ?? '', [...entrypoint.slice(1), ...command], { cwd: runtime.workdir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const logs: string[] = [];
  server.stdout?.on('data', (chunk: Buffer) => logs.push(chunk.toString()));
  server.stderr?.on('data', (chunk: Buffer) => logs.push(chunk.toString()));
  const base = `http://127.0.0.1:${port}`;

  const health = await stepAsync('start the service and wait for /health', async () => waitForHealth(base, server as ChildProcess, logs));
  process.stdout.write(indent(logs.join('')));
  await stepAsync('check /health', async () => {
    expect(health.execution_provider === 'cpu', `execution_provider is ${String(health.execution_provider)}, expected cpu (auto without a GPU)`);
    expect(health.model_profile === 'embedded', `model_profile is ${String(health.model_profile)}`);
    expect(health.database_loaded === true, 'database_loaded is not true after enrolling');
    expect(Number(health.performer_count) === Object.keys(enrolled).length, `performer_count is ${String(health.performer_count)}`);
    return JSON.stringify(health);
  });
  step('run the HEALTHCHECK command', () => {
    runSync(['sh', '-c', runtime.healthcheck], runtime.workdir, env);
    return 'exit 0';
  });
  await stepAsync('identifyImage', async () => identify(base, join(facesDir, probe.file), probe.expected, dataDir));
  step('check the process user and the data files', () => checkOwnership(server as ChildProcess, dataDir));
  await stepAsync('stop with SIGTERM', async () => stop(server as ChildProcess));
  const allLogs = logs.join('');
  expect(!allLogs.includes(secret), 'STASH_API_KEY appears in the service log');
  console.log(`\nrehearsal passed in ${((Date.now() - started) / 1000).toFixed(0)} s`);
} catch (error: unknown) {
  console.error(`\nrehearsal FAILED: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
} finally {
  if (server && server.exitCode === null && server.signalCode === null) server.kill('SIGKILL');
  if (options.keep) console.log(`kept ${work}`);
  else rmSync(work, { recursive: true, force: true });
}

interface ReplayedStage {
  /** Host folder standing for the stage's `/`. */
  root: string;
  workdir: string;
  env: Map<string, string>;
  cmd: string[];
  entrypoint: string[];
  healthcheck: string;
}

/** Replays one stage's own steps; steps that install system software belong in the stages it starts from. */
function replayStage(dockerfile: Dockerfile, stage: Stage, contextDir: string, roots: Map<string, string>): ReplayedStage {
  const name = stage.name ?? 'unnamed';
  const stageRoot = join(work, name);
  roots.set(name, stageRoot);
  mkdirSync(stageRoot, { recursive: true });
  const state: ReplayedStage = { root: stageRoot, workdir: stageRoot, env: new Map(), cmd: [], entrypoint: [], healthcheck: '' };
  let containerWorkdir = '/';
  // Files that the stages below this one write from the Dockerfile itself (the entrypoint script).
  for (const ancestor of ancestors(dockerfile, stage)) {
    for (const written of ancestor.steps) {
      if (written.kind === 'COPY' && written.heredoc !== null) writeHeredoc(join(stageRoot, written.dest), written.heredoc, written.flags.get('chmod'));
    }
  }
  const toHost = (containerPath: string) => join(stageRoot, posix.resolve(containerWorkdir, containerPath));
  for (const item of stage.steps) {
    switch (item.kind) {
      case 'WORKDIR':
        containerWorkdir = posix.resolve(containerWorkdir, expand(item.path, state.env));
        state.workdir = toHost('.');
        mkdirSync(state.workdir, { recursive: true });
        break;
      case 'ARG':
        state.env.set(item.name, buildArgOverrides.get(item.name) ?? item.value ?? '');
        break;
      case 'ENV':
        for (const [key, value] of item.values) state.env.set(key, expand(value, state.env));
        break;
      case 'COPY':
        step(`${name}: COPY${item.from ? ` --from=${item.from}` : ''} ${item.sources.join(' ')} ${item.dest}`, () => copy(item, contextDir, roots, toHost));
        break;
      case 'RUN': {
        for (const [flag, value] of item.flags) if (flag !== 'mount' || !value.startsWith('type=cache')) throw new Error(`line ${item.line}: RUN --${flag}=${value} cannot be rehearsed`);
        const env = { ...process.env, ...hostEnv(state.env, stageRoot) };
        step(`${name}: RUN ${firstLine(item.command)}`, () => {
          runSync(['sh', '-c', item.command], state.workdir, env, true);
          return 'ok';
        });
        break;
      }
      case 'CMD':
      case 'ENTRYPOINT':
        if (!item.exec) throw new Error(`line ${item.line}: ${item.kind} must use the exec form`);
        if (item.kind === 'CMD') state.cmd = item.exec;
        else state.entrypoint = item.exec;
        break;
      case 'HEALTHCHECK':
        state.healthcheck = item.command ?? '';
        break;
      case 'EXPOSE':
      case 'LABEL':
        break;
      default:
        throw new Error(`line ${item.line}: ${item.kind} in the ${name} stage cannot be rehearsed; put it in the stage it starts from`);
    }
  }
  return state;
}

function copy(item: Extract<Step, { kind: 'COPY' }>, contextDir: string, roots: Map<string, string>, toHost: (path: string) => string): string {
  if (item.heredoc !== null) {
    writeHeredoc(toHost(item.dest), item.heredoc, item.flags.get('chmod'));
    return 'written from the Dockerfile';
  }
  const sourceRoot = item.from === null ? contextDir : roots.get(item.from);
  if (!sourceRoot) throw new Error(`line ${item.line}: COPY --from=${item.from} names a stage that was not rehearsed`);
  const dest = toHost(item.dest);
  const intoFolder = item.dest.endsWith('/') || item.sources.length > 1 || (existsSync(dest) && statSync(dest).isDirectory());
  for (const source of item.sources) {
    if (/[*?[]/.test(source)) throw new Error(`line ${item.line}: wildcards in COPY are not rehearsed`);
    const from = join(sourceRoot, source);
    if (!existsSync(from)) throw new Error(`line ${item.line}: COPY source ${source} is not in the ${item.from ?? 'build context'}`);
    // Like Docker: a folder's contents land in dest; a file lands in dest/ or becomes dest.
    const target = statSync(from).isDirectory() ? dest : intoFolder ? join(dest, basename(source)) : dest;
    mkdirSync(statSync(from).isDirectory() ? target : dirname(target), { recursive: true });
    cpSync(from, target, { recursive: true });
  }
  return 'ok';
}

function checkRuntimeContents(runtime: ReplayedStage): void {
  step('check the runtime layout', () => {
    expect(!existsSync(join(runtime.workdir, 'src')), 'the runtime has src/, so bin/stash-sense.js would run the TypeScript through tsx');
    expect(existsSync(join(runtime.workdir, 'dist', 'cli', 'main.js')), 'the runtime has no dist/cli/main.js');
    expect(!existsSync(join(runtime.workdir, 'node_modules', 'typescript')), 'dev dependencies were not pruned');
    const ortBinaries = join(runtime.workdir, 'node_modules', 'onnxruntime-node', 'bin', 'napi-v6');
    const platforms = readdirSync(ortBinaries).flatMap((os) => readdirSync(join(ortBinaries, os)).map((arch) => `${os}/${arch}`));
    expect(platforms.join() === `${process.platform}/${process.arch}`, `onnxruntime-node keeps binaries for ${platforms.join(', ')}`);
    const models = readdirSync(join(runtime.workdir, 'models')).filter((file) => file.endsWith('.onnx'));
    expect(models.length >= 3, `models/ holds ${models.join(', ') || 'no model'}`);
    chmodTree(runtime.root);
    return `dist/ without src/, ${models.length} models`;
  });
}

function resolveEntrypoint(runtime: ReplayedStage): string[] {
  // tini only reaps and forwards signals as PID 1; the rest of the entrypoint runs as written.
  const [first, ...rest] = runtime.entrypoint;
  const words = first === 'tini' ? rest.filter((word, index) => !(index === 0 && word === '--')) : runtime.entrypoint;
  return words.map((word, index) => (index === 0 && existsSync(join(runtime.root, 'usr/local/bin', word)) ? join(runtime.root, 'usr/local/bin', word) : word));
}

function runtimeEnv(runtime: ReplayedStage, port: number): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, ...hostEnv(runtime.env, runtime.root) };
  env.PORT = String(port);
  // Stash is configured but down, as on a host where Stash starts after the sidecar.
  env.STASH_URL = 'http://127.0.0.1:9';
  env.STASH_API_KEY = secret;
  mkdirSync(env.DATA_DIR ?? join(runtime.root, 'data'), { recursive: true });
  return env;
}

/** The stage's environment with the image's own absolute paths (/app, /data) moved under the stage root. */
function hostEnv(env: Map<string, string>, stageRoot: string): Record<string, string> {
  const system = new Set(['tmp', 'usr', 'bin', 'sbin', 'etc', 'lib', 'lib64', 'opt', 'proc', 'dev', 'sys', 'run', 'var', 'root', 'home', 'nonexistent']);
  return Object.fromEntries(
    [...env].map(([key, value]) => [key, value.startsWith('/') && !system.has(value.split('/')[1] ?? '') ? join(stageRoot, value) : value]),
  );
}

async function waitForHealth(base: string, child: ChildProcess, logs: string[]): Promise<Record<string, unknown>> {
  const deadline = Date.now() + 180_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`the service exited (${child.exitCode ?? child.signalCode}):\n${logs.join('')}`);
    try {
      const response = await fetch(`${base}/health`);
      if (response.ok) return (await response.json()) as Record<string, unknown>;
    } catch {
      // not listening yet
    }
    await new Promise((done) => setTimeout(done, 500));
  }
  throw new Error(`/health did not answer within 180 s:\n${logs.join('')}`);
}

async function identify(base: string, photo: string, expected: string, dataDir: string): Promise<string> {
  // Authentication is on by default: the key the container generated on first start, as a user reads it.
  const apiKey = readFileSync(join(dataDir, 'api-key'), 'utf8').trim();
  const query = `mutation Identify($base64: String!) {
    identifyImage(base64: $base64) { faces { box { x y width height } score candidates { performerId name distance confidence } } }
  }`;
  const response = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ApiKey: apiKey },
    body: JSON.stringify({ query, variables: { base64: readFileSync(photo).toString('base64') } }),
  });
  const body = (await response.json()) as { data?: { identifyImage?: { faces: { candidates: { name: string; distance: number }[] }[] } }; errors?: unknown };
  const faces = body.data?.identifyImage?.faces;
  expect(response.ok && faces !== undefined, `identifyImage failed (${response.status}): ${JSON.stringify(body.errors ?? body)}`);
  expect((faces ?? []).length >= 1, 'identifyImage found no face');
  const top = faces?.[0]?.candidates[0];
  expect(top?.name === expected, `the top candidate is ${top?.name ?? 'nobody'}, expected ${expected}`);
  return `${faces?.length} face(s), top candidate ${top?.name} at distance ${top?.distance.toFixed(3)}`;
}

function checkOwnership(child: ChildProcess, dataDir: string): string {
  if (process.getuid?.() !== 0) return 'skipped: not root, so the entrypoint does not change user';
  const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
  const uid = /^Uid:\s+(\d+)/m.exec(status)?.[1];
  const gid = /^Gid:\s+(\d+)/m.exec(status)?.[1];
  expect(uid === '99' && gid === '100', `the service runs as ${uid}:${gid}, expected 99:100`);
  const foreign = readdirSync(dataDir).filter((entry) => statSync(join(dataDir, entry)).uid !== 99);
  expect(foreign.length === 0, `DATA_DIR entries not owned by 99: ${foreign.join(', ')}`);
  return `runs as 99:100; DATA_DIR holds ${readdirSync(dataDir).join(', ')}`;
}

async function stop(child: ChildProcess): Promise<string> {
  const exited = new Promise<string>((done) => child.once('exit', (code, signal) => done(`exited (${code ?? signal})`)));
  child.kill('SIGTERM');
  // `docker stop` waits 10 s before SIGKILL.
  const timeout = new Promise<string>((_, fail) => setTimeout(() => fail(new Error('still running 10 s after SIGTERM')), 10_000));
  return Promise.race([exited, timeout]);
}

function ancestors(dockerfile: Dockerfile, stage: Stage): Stage[] {
  const chain: Stage[] = [];
  let base = dockerfile.stages.find((candidate) => candidate.name === stage.base);
  while (base) {
    chain.push(base);
    const next = base.base;
    base = dockerfile.stages.find((candidate) => candidate.name === next);
  }
  return chain;
}

function writeHeredoc(path: string, content: string, chmod: string | undefined): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content, { mode: chmod ? parseInt(chmod, 8) : 0o644 });
}

function runSync(command: string[], cwd: string, env: NodeJS.ProcessEnv, inherit = false): string {
  const result = spawnSync(command[0] ?? '', command.slice(1), { cwd, env, encoding: 'utf8', stdio: inherit ? 'inherit' : 'pipe', maxBuffer: 64 * 1024 * 1024 });
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
  if (result.status !== 0) throw new Error(`${command.join(' ').slice(0, 200)} exited with ${result.status ?? result.signal}\n${output}`);
  return output;
}

function chmodTree(path: string): void {
  // mkdtemp and some tools create 0700 folders; the image's files are world-readable.
  for (const entry of readdirSync(path, { withFileTypes: true, recursive: true })) {
    if (entry.isDirectory()) chmodSync(join(entry.parentPath, entry.name), 0o755);
  }
  chmodSync(path, 0o755);
}

function expand(value: string, env: Map<string, string>): string {
  return value.replace(/\$\{(\w+)\}|\$(\w+)/g, (_, braced: string | undefined, bare: string | undefined) => env.get(braced ?? bare ?? '') ?? '');
}

function expect(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

function step(title: string, run: () => string): void {
  const begun = Date.now();
  console.log(`▶ ${title}`);
  const result = run();
  console.log(`  ✓ ${result} (${((Date.now() - begun) / 1000).toFixed(1)} s)`);
}

async function stepAsync<T>(title: string, run: () => Promise<T>): Promise<T> {
  const begun = Date.now();
  console.log(`▶ ${title}`);
  const result = await run();
  const text = typeof result === 'string' ? result : 'ok';
  console.log(`  ✓ ${text} (${((Date.now() - begun) / 1000).toFixed(1)} s)`);
  return result;
}

function firstLine(command: string): string {
  const [line = ''] = command.split('\n');
  return line.length > 100 ? `${line.slice(0, 100)}…` : line;
}

function indent(text: string): string {
  return text.trim() === '' ? '' : `${text.trimEnd().replace(/^/gm, '    │ ')}\n`;
}

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const probeServer = createServer();
    probeServer.once('error', fail);
    probeServer.listen(0, '127.0.0.1', () => {
      const address = probeServer.address();
      probeServer.close(() => (typeof address === 'object' && address ? done(address.port) : fail(new Error('no port'))));
    });
  });
}
