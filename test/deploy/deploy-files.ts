// Reads the deployment files the tests check, from the project root (vitest runs with cwd = project root).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { findStage, parseDockerfile, type Dockerfile, type Stage, type Step } from '../../scripts/rehearse-docker.lib.js';

export const projectRoot = process.cwd();

export function readProjectFile(path: string): string {
  return readFileSync(resolve(projectRoot, path), 'utf8');
}

export function readYaml(path: string): unknown {
  return parseYaml(readProjectFile(path));
}

export function readDockerfile(): Dockerfile {
  return parseDockerfile(readProjectFile('Dockerfile'));
}

export function stepsOf<K extends Step['kind']>(stage: Stage, kind: K): Extract<Step, { kind: K }>[] {
  return stage.steps.filter((step): step is Extract<Step, { kind: K }> => step.kind === kind);
}

/** The runtime stage's environment as the image sets it. */
export function runtimeEnv(dockerfile: Dockerfile): Map<string, string> {
  return new Map(stepsOf(findStage(dockerfile, 'runtime'), 'ENV').flatMap((step) => step.values));
}

/** The script the image writes to `dest` from a heredoc in the Dockerfile. */
export function heredocFile(dockerfile: Dockerfile, dest: string): string {
  for (const stage of dockerfile.stages) {
    for (const step of stepsOf(stage, 'COPY')) if (step.dest === dest && step.heredoc !== null) return step.heredoc;
  }
  throw new Error(`The Dockerfile writes no ${dest}`);
}

/** Stages from `name` down to the first one, following FROM lines that name a stage. */
export function stageChain(dockerfile: Dockerfile, name: string): string[] {
  const chain: string[] = [];
  let stage: Stage | undefined = findStage(dockerfile, name);
  while (stage) {
    chain.push(stage.name ?? stage.base);
    const base: string = stage.base;
    stage = dockerfile.stages.find((candidate) => candidate.name === base);
    if (!stage) chain.push(base);
  }
  return chain;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
