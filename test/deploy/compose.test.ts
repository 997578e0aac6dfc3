import { describe, expect, it } from 'vitest';
import { validateCompose } from './compose-schema.js';
import { isRecord, readDockerfile, readProjectFile, readYaml, runtimeEnv } from './deploy-files.js';

const files = ['docker-compose.yml', 'docker-compose.cpu.yml'] as const;

describe('docker compose files', () => {
  it.each(files)('%s follows the Compose specification', (file) => {
    const valid = validateCompose(readYaml(file));
    expect(validateCompose.errors?.map((error) => `${error.instancePath} ${error.message}`) ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('the schema check catches a misspelt key', () => {
    const compose = service('docker-compose.yml');
    expect(validateCompose({ services: { 'stash-sense': { ...compose, restart_policy: 'always' } } })).toBe(false);
  });

  it.each(files)('%s runs the image on host port 6960 with ./data at /data, restarting unless stopped', (file) => {
    const compose = service(file);
    const env = runtimeEnv(readDockerfile());
    expect(compose.restart).toBe('unless-stopped');
    expect(compose.ports).toEqual([`6960:${env.get('PORT')}`]);
    expect(compose.volumes).toEqual([`./data:${env.get('DATA_DIR')}`]);
    expect(compose.build).toEqual({ context: '.' });
  });

  it.each(files)('%s takes STASH_URL and STASH_API_KEY from the host environment', (file) => {
    const environment = service(file).environment;
    expect(isRecord(environment)).toBe(true);
    expect((environment as Record<string, unknown>).STASH_URL).toBe('${STASH_URL:-}');
    expect((environment as Record<string, unknown>).STASH_API_KEY).toBe('${STASH_API_KEY:-}');
  });

  it.each(files)('%s checks /health on the container port and waits as long as the image does', (file) => {
    const healthcheck = service(file).healthcheck as Record<string, unknown>;
    expect(healthcheck.test).toEqual(['CMD', 'curl', '-fsS', '--max-time', '8', `http://127.0.0.1:${runtimeEnv(readDockerfile()).get('PORT')}/health`]);
    expect(healthcheck.start_period).toBe('10m');
  });

  it.each(files)('%s passes every setting of the README configuration table (the image fixes HOST, PORT, DATA_DIR)', (file) => {
    const environment = service(file).environment as Record<string, unknown>;
    const fixedByImage = ['HOST', 'PORT', 'DATA_DIR'];
    const settings = readmeSettings().filter((name) => !fixedByImage.includes(name));
    expect(settings).toEqual(expect.arrayContaining(['PUBLIC_URL', 'CORS_ORIGINS', 'MODELS_DIR']));
    // Optional settings whose empty value would mean something else (the API key) are there, commented out.
    const commented = (name: string) => new RegExp(`^\\s+# ${name}: \\$\\{${name}:-\\}$`, 'm').test(readProjectFile(file));
    expect(settings.filter((name) => !(name in environment) && !commented(name))).toEqual([]);
    expect(commented('API_KEY')).toBe(true);
  });

  it('names one image: the one the README builds, compose runs and the unRAID template uses', () => {
    const image = String(service('docker-compose.yml').image);
    expect(image).toBe('${STASH_SENSE_IMAGE:-stash-sense:latest}');
    expect(service('docker-compose.cpu.yml').image).toBe(image);
    const readme = readProjectFile('README.md');
    expect(readme).toContain('docker build -t stash-sense:latest .');
    expect(readme).not.toContain('ghcr.io/stash-sense/stash-sense');
    expect(readProjectFile('unraid-template.xml')).toContain('<Repository>stash-sense:latest</Repository>');
  });

  it('reserves every NVIDIA GPU in the default file', () => {
    expect(service('docker-compose.yml').deploy).toEqual({ resources: { reservations: { devices: [{ driver: 'nvidia', count: 'all', capabilities: ['gpu'] }] } } });
  });

  it('the CPU file is the default one without the GPU reservation and on the CPU provider', () => {
    const { deploy, environment: gpuEnvironment, ...gpu } = service('docker-compose.yml');
    const { environment: cpuEnvironment, ...cpu } = service('docker-compose.cpu.yml');
    expect(deploy).toBeDefined();
    expect(cpu).toEqual(gpu);
    expect(cpuEnvironment).toEqual({ ...(gpuEnvironment as object), EXECUTION_PROVIDER: 'cpu' });
  });
});

/** The variables named in the README's Configuration table (`| \`NAME\` | …`, or `NAME` / `OTHER`). */
function readmeSettings(): string[] {
  const readme = readProjectFile('README.md');
  const table = readme.slice(readme.indexOf('## Configuration'), readme.indexOf('\n## ', readme.indexOf('## Configuration') + 1));
  return [...table.matchAll(/^\| (`[A-Z_]+`(?: \/ `[A-Z_]+`)*) \|/gm)].flatMap((match) => [...match[1]!.matchAll(/`([A-Z_]+)`/g)].map((name) => name[1]!));
}

function service(file: string): Record<string, unknown> {
  const compose = readYaml(file);
  if (!isRecord(compose) || !isRecord(compose.services) || !isRecord(compose.services['stash-sense'])) throw new Error(`${file} has no stash-sense service`);
  return compose.services['stash-sense'];
}
