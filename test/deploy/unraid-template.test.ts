import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { ICON_PATH } from '../../src/web/index.js';
import { heredocFile, isRecord, projectRoot, readDockerfile, readProjectFile, readYaml, runtimeEnv } from './deploy-files.js';

interface ConfigEntry {
  Name: string;
  Target: string;
  Default: string;
  Type: 'Port' | 'Path' | 'Variable' | 'Device' | 'Label';
  Mode: string;
  Mask: string;
  Display: string;
  Required: string;
  '#text'?: string | number;
}

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', parseAttributeValue: false, parseTagValue: false, isArray: (name) => name === 'Config' });
const container = (parser.parse(readProjectFile('unraid-template.xml')) as { Container: Record<string, unknown> & { Config: ConfigEntry[]; version: string } }).Container;
const configs = container.Config;
const dockerfile = readDockerfile();
const imageEnv = runtimeEnv(dockerfile);

/** Every variable loadConfig looks at, found by handing it an environment that records what is read. */
function variablesTheServiceReads(): Set<string> {
  const read = new Set<string>();
  const recording = (values: Record<string, string>) =>
    new Proxy(values, {
      get(target, key) {
        if (typeof key === 'string') read.add(key);
        return target[key as string];
      },
    });
  loadConfig(recording({}));
  loadConfig(recording({ STASH_URL: 'http://stash:9999' }));
  return read;
}

/** Variables the entrypoint reads (${NAME...}), and those the NVIDIA container runtime reads. */
function variablesTheContainerReads(): Set<string> {
  const entrypoint = heredocFile(dockerfile, '/usr/local/bin/stash-sense-entrypoint');
  return new Set([...[...entrypoint.matchAll(/\$\{([A-Z_]+)/g)].map((match) => match[1] ?? ''), 'NVIDIA_VISIBLE_DEVICES', 'NVIDIA_DRIVER_CAPABILITIES']);
}

/** The image docker-compose.yml runs when STASH_SENSE_IMAGE is not set. */
function composeImage(): string {
  const compose = readYaml('docker-compose.yml');
  const image = isRecord(compose) && isRecord(compose.services) && isRecord(compose.services['stash-sense']) ? String(compose.services['stash-sense'].image) : '';
  return /^\$\{STASH_SENSE_IMAGE:-(.+)\}$/.exec(image)?.[1] ?? image;
}

/** The value a fresh install gets: the element's text, else the first of `a|b|c` choices. */
function initialValue(config: ConfigEntry): string {
  const text = config['#text'];
  return text !== undefined && String(text) !== '' ? String(text) : (config.Default.split('|')[0] ?? '');
}

describe('unRAID template', () => {
  it('is a version 2 container template for the GPU image with a WebUI on the status page', () => {
    expect(container.version).toBe('2');
    expect(container.Name).toBe('stash-sense');
    // The image the README builds and compose runs, not a registry path nobody publishes.
    expect(container.Repository).toBe(composeImage());
    expect(container.Registry).toBeUndefined();
    expect(container.WebUI).toBe('http://[IP]:[PORT:6960]/');
    expect(String(container.ExtraParams).split(/\s+/)).toEqual(expect.arrayContaining(['--runtime=nvidia', '--gpus', 'all']));
    expect(String(container.Requires)).toMatch(/Nvidia Driver plugin/);
  });

  it('has an icon: a PNG committed in the repository, at the raw address beside the template, and served by the sidecar', async () => {
    const icon = String(container.Icon);
    const templateBase = String(container.TemplateURL).replace(/unraid-template\.xml$/, '');
    expect(icon.startsWith(templateBase)).toBe(true);
    const file = icon.slice(templateBase.length);
    expect(existsSync(join(projectRoot, file))).toBe(true);
    const metadata = await sharp(readFileSync(join(projectRoot, file))).metadata();
    expect(metadata.format).toBe('png');
    expect(metadata.width).toBe(metadata.height);
    expect(metadata.width).toBeGreaterThanOrEqual(64);
    expect(file).toBe(`plugin-bridge${ICON_PATH}`);
  });

  it('says what to do after the first start: the WebUI and API key, the plugin, the face database', () => {
    const overview = String(container.Overview);
    expect(overview).toContain('After the first start');
    expect(overview).toContain('http://[IP]:6960/plugin/index.yml');
    expect(overview).toMatch(/api-key/);
    expect(overview).toMatch(/enrollFromStash/);
    expect(overview).toMatch(/stash-sense enroll \/data\/people/);
    expect(overview).toMatch(/Model profile to stash-sense.*downloadModels.*import the release/s);
    expect(overview).toContain(`docker build -t ${composeImage()}`);
  });

  it('maps the port and the data path the Dockerfile declares', () => {
    const ports = configs.filter((config) => config.Type === 'Port');
    const paths = configs.filter((config) => config.Type === 'Path');
    expect(ports.map((config) => [config.Target, config.Default, config.Mode])).toEqual([[imageEnv.get('PORT'), '6960', 'tcp']]);
    expect(paths.map((config) => [config.Target, config.Mode])).toEqual([[imageEnv.get('DATA_DIR'), 'rw']]);
  });

  it('offers only variables that the service or the container reads', () => {
    const known = new Set([...variablesTheServiceReads(), ...variablesTheContainerReads()]);
    const variables = configs.filter((config) => config.Type === 'Variable').map((config) => config.Target);
    expect(variables.filter((name) => !known.has(name))).toEqual([]);
  });

  it('offers every setting a user may want', () => {
    const variables = configs.filter((config) => config.Type === 'Variable').map((config) => config.Target);
    for (const name of ['STASH_URL', 'STASH_API_KEY', 'EXECUTION_PROVIDER', 'MODEL_PROFILE', 'ENABLE_BODY_SIGNAL', 'ENABLE_TATTOO_SIGNAL', 'LOG_LEVEL', 'PUID', 'PGID']) {
      expect(variables).toContain(name);
    }
  });

  it('masks the API key and every other secret', () => {
    const secrets = configs.filter((config) => /KEY|TOKEN|PASSWORD|SECRET/.test(config.Target));
    expect(secrets.map((config) => config.Target)).toContain('STASH_API_KEY');
    expect(secrets.filter((config) => config.Mask !== 'true')).toEqual([]);
  });

  it('starts with values the service accepts', () => {
    const env = Object.fromEntries(configs.filter((config) => config.Type === 'Variable').map((config) => [config.Target, initialValue(config)]));
    expect(() => loadConfig({ ...env, STASH_URL: 'http://192.168.1.10:9999', STASH_API_KEY: 'key' })).not.toThrow();
    expect(initialValue(configs.find((config) => config.Target === 'EXECUTION_PROVIDER') as ConfigEntry)).toBe('auto');
  });
});
