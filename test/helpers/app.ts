import { openApp, type App, type OpenAppOptions } from '../../src/app.js';
import { loadConfig, type Env } from '../../src/config.js';
import { createRecordingLogger } from '../../src/logger.js';
import { repoRoot } from './fixtures.js';

/** The real app (real models, real SQLite and index) over a temp data dir, quiet unless a test reads its log. */
export async function openTestApp(
  dataDir: string,
  env: Env = {},
  options: OpenAppOptions = {},
): Promise<{ app: App; logger: ReturnType<typeof createRecordingLogger> }> {
  const logger = createRecordingLogger();
  const config = loadConfig({ MODELS_DIR: `${repoRoot}/models`, EXECUTION_PROVIDER: 'cpu', ...env, DATA_DIR: dataDir });
  return { app: await openApp(config, logger, options), logger };
}
