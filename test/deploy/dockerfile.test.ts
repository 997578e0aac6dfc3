import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { validate } from 'dockerfile-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { assembleContext, findStage, readContext } from '../../scripts/rehearse-docker.lib.js';
import { projectRoot, readDockerfile, readProjectFile, runtimeEnv, stageChain, stepsOf } from './deploy-files.js';

const dockerfile = readDockerfile();
const dockerignore = readProjectFile('.dockerignore');

/** Files that must never reach an image layer, as a developer's checkout may hold them. */
const forbidden = [
  '.env',
  '.env.production',
  'prod.env',
  'config/.env',
  'config/stash.env',
  '.npmrc',
  'plugin-bridge/.npmrc',
  'certs/server.pem',
  'certs/server.key',
  '.ssh/id_rsa',
  '.git/config',
  'data/performers.db',
  'data/stash_sense.db',
  'stash_sense.db',
  'stash_sense.db-wal',
  'exports/performers.db-shm',
  'data/embedded.hnsw',
  'facenet512.hnsw',
  'release/arcface.voy',
  'node_modules/graphql/index.js',
  'plugin-bridge/node_modules/x/index.js',
  'dist/cli/main.js',
  'models/fr_detect.onnx',
  'models/fr_feature.onnx.partial',
  'test/vision/detector.test.ts',
  'bench/results/vision.json',
  'coverage/index.html',
  'test-artifacts/frame.png',
  '.vscode/settings.json',
  '.idea/workspace.xml',
  '.DS_Store',
  'src/.DS_Store',
  'npm-debug.log',
];
/** Files the build stage reads. */
const needed = [
  'package.json',
  'package-lock.json',
  'tsconfig.json',
  'tsconfig.build.json',
  'bin/stash-sense.js',
  'src/cli/main.ts',
  'src/vision/pipeline.ts',
  'schema/base/base.graphql',
  'scripts/fetch-models.mjs',
  'models/manifest.json',
  'plugin-bridge/index.yml',
];

describe('Dockerfile', () => {
  let fixture: string | undefined;
  afterEach(() => {
    if (fixture) rmSync(fixture, { recursive: true, force: true });
    fixture = undefined;
  });

  it('is a valid BuildKit Dockerfile', () => {
    expect(readProjectFile('Dockerfile').split('\n')[0]).toBe('# syntax=docker/dockerfile:1');
    const problems = validate(readProjectFile('Dockerfile')).map((problem) => `line ${problem.range.start.line + 1}: ${problem.message}`);
    expect(problems).toEqual([]);
  });

  it('copies only sources that are in the build context as .dockerignore leaves it', () => {
    const context = readContext(projectRoot);
    const sources = dockerfile.stages.flatMap((stage) => stepsOf(stage, 'COPY')).filter((copy) => copy.from === null && copy.heredoc === null);
    expect(sources.length).toBeGreaterThan(0);
    const missing = sources.flatMap((copy) => copy.sources.filter((source) => !context.includes(source)).map((source) => `line ${copy.line}: ${source}`));
    expect(missing).toEqual([]);
  });

  it('copies from earlier stages only', () => {
    const names = dockerfile.stages.map((stage) => stage.name);
    dockerfile.stages.forEach((stage, index) => {
      for (const copy of stepsOf(stage, 'COPY')) {
        if (copy.from !== null) expect(names.slice(0, index), `line ${copy.line}`).toContain(copy.from);
      }
    });
  });

  it('keeps secrets, data, installs, tests and editor files out of the build context', () => {
    fixture = mkdtempSync(join(tmpdir(), 'stash-sense-context-'));
    for (const file of [...forbidden, ...needed]) {
      mkdirSync(dirname(join(fixture, file)), { recursive: true });
      writeFileSync(join(fixture, file), 'x');
    }
    const context = assembleContext(fixture, dockerignore);
    expect(context.files.filter((file) => forbidden.includes(file))).toEqual([]);
    expect(needed.filter((file) => !context.includes(file))).toEqual([]);
  });

  it('sends no secret or data file from this checkout', () => {
    const leaked = readContext(projectRoot).files.filter((file) =>
      /(^|\/)(\.env(\..*)?|[^/]*\.env|\.npmrc|id_rsa.*|[^/]*\.(pem|key|db|db-wal|db-shm|sqlite3?|hnsw|voy))$|(^|\/)(node_modules|data|\.git)\//.test(file),
    );
    expect(leaked).toEqual([]);
  });

  it('builds the native addons on the same base the runtime runs on', () => {
    // better-sqlite3 and hnswlib-node only load where the glibc and Node they were compiled against are.
    const build = stageChain(dockerfile, 'build');
    const runtime = stageChain(dockerfile, 'runtime');
    expect(build).toContain('base');
    expect(runtime).toContain('base');
    expect(findStage(dockerfile, 'base').base).toBe('${CUDA_IMAGE}');
  });

  it('runs on a CUDA runtime image with cuDNN', () => {
    expect(dockerfile.globalArgs.get('CUDA_IMAGE')).toMatch(/^nvidia\/cuda:\d+\.\d+\.\d+-cudnn-runtime-ubuntu\d+\.\d+$/);
    expect(dockerfile.globalArgs.get('NODE_IMAGE')).toMatch(/^node:20-/);
  });

  it('installs the CUDA provider, builds, fetches the models and prunes in the build stage, with an npm cache mount', () => {
    const build = findStage(dockerfile, 'build');
    expect(stepsOf(build, 'ARG').find((arg) => arg.name === 'ONNXRUNTIME_NODE_INSTALL')?.value).toBe('cuda12');
    expect(stepsOf(build, 'ARG').find((arg) => arg.name === 'BAKE_STASH_SENSE_MODELS')?.value).toBe('false');
    const runs = stepsOf(build, 'RUN');
    const commands = runs.map((run) => run.command).join('\n');
    for (const command of ['npm ci', 'npm run build', 'npm run models:fetch', 'models fetch --profile stash-sense', 'npm prune --omit=dev', 'rm -rf src']) {
      expect(commands).toContain(command);
    }
    expect(runs.find((run) => run.command.startsWith('npm ci'))?.flags.get('mount')).toBe('type=cache,target=/root/.npm');
  });

  it('starts the service the way npm start does, as the unRAID user, with /data, port 5000 and a patient health check', () => {
    const runtime = findStage(dockerfile, 'runtime');
    const env = runtimeEnv(dockerfile);
    const start = (JSON.parse(readProjectFile('package.json')) as { scripts: { start: string } }).scripts.start;
    expect(stepsOf(runtime, 'CMD')[0]?.exec?.join(' ')).toBe(start);
    expect(stepsOf(runtime, 'ENTRYPOINT')[0]?.exec).toEqual(['tini', '--', 'stash-sense-entrypoint']);
    expect(env.get('DATA_DIR')).toBe('/data');
    // No MODELS_DIR: the embedded models are in WORKDIR's models/, the stash-sense profile's in DATA_DIR/models.
    expect(env.get('MODELS_DIR')).toBeUndefined();
    expect(stepsOf(runtime, 'WORKDIR')[0]?.path).toBe('/app');
    expect(loadConfig({ DATA_DIR: '/data', MODEL_PROFILE: 'stash-sense' }).paths.modelsDir).toBe('/data/models');
    expect([env.get('PUID'), env.get('PGID')]).toEqual(['99', '100']);
    expect(stepsOf(runtime, 'EXPOSE')[0]?.ports).toEqual([env.get('PORT')]);
    const healthcheck = stepsOf(runtime, 'HEALTHCHECK')[0];
    expect(healthcheck?.command).toContain('http://127.0.0.1:${PORT}/health');
    expect(durationSeconds(healthcheck?.options.get('start-period') ?? '0s')).toBeGreaterThanOrEqual(300);
    const runtimeBase = findStage(dockerfile, 'runtime-base');
    expect(stepsOf(runtimeBase, 'RUN').map((run) => run.command).join('\n')).toMatch(/useradd .*--uid 99 --gid 100 .*chown 99:100 \/data/s);
  });

  it('ships the runtime only what the build stage left in /app', () => {
    const copies = stepsOf(findStage(dockerfile, 'runtime'), 'COPY');
    expect(copies.map((copy) => [copy.from, copy.sources, copy.dest])).toEqual([['build', ['/app'], '/app']]);
  });
});

function durationSeconds(text: string): number {
  const match = /^(\d+)(s|m|h)$/.exec(text);
  if (!match) throw new Error(`unexpected duration ${text}`);
  return Number(match[1]) * { s: 1, m: 60, h: 3600 }[match[2] as 's' | 'm' | 'h'];
}
