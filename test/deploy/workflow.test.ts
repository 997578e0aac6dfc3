import { describe, expect, it } from 'vitest';
import { isRecord, readYaml } from './deploy-files.js';

interface WorkflowStep {
  name?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
}

const workflow = readYaml('.github/workflows/docker.yml');
if (!isRecord(workflow) || !isRecord(workflow.jobs) || !isRecord(workflow.jobs.image)) throw new Error('docker.yml has no image job');
const steps = workflow.jobs.image.steps as WorkflowStep[];

describe('image workflow', () => {
  it('runs on version tags', () => {
    expect(workflow.on).toMatchObject({ push: { tags: ['v*'] } });
    expect(workflow.permissions).toEqual({ contents: 'read', packages: 'write' });
  });

  it('builds, smoke-tests the image on CPU, then pushes it to ghcr.io', () => {
    const builds = steps.filter((step) => step.uses?.startsWith('docker/build-push-action@'));
    expect(builds.map((step) => [step.with?.load ?? false, step.with?.push ?? false])).toEqual([
      [true, false],
      [false, true],
    ]);
    const order = steps.map((step) => step.name ?? step.uses ?? '');
    expect(order.indexOf('Smoke test (CPU, no GPU on the runner)')).toBeGreaterThan(order.indexOf('Build'));
    expect(order.indexOf('Push')).toBeGreaterThan(order.indexOf('Smoke test (CPU, no GPU on the runner)'));
    expect(steps.find((step) => step.uses?.startsWith('docker/login-action@'))?.with?.registry).toBe('ghcr.io');
    expect(builds.every((step) => step.with?.platforms === 'linux/amd64')).toBe(true);
  });
});
