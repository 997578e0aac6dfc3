import { join } from 'node:path';
import type { App, OpenAppOptions } from '../../src/app.js';
import type { Env } from '../../src/config.js';
import { createStashDouble, type StashDouble, type StashDoubleOptions } from '../stash-double/index.js';
import { openTestApp } from './app.js';
import { splitPeople, writeEnrolmentFolder } from './enrolment.js';
import { startTestServer } from './server.js';

export interface StashSidecar {
  app: App;
  double: StashDouble;
  server: Awaited<ReturnType<typeof startTestServer>>;
  close(): Promise<void>;
}

/**
 * The Stash double, and the real sidecar pointed at it over loopback HTTP, with the enrolled photos of
 * `splitPeople()` in its face database (unless `enroll: false`).
 */
export async function startStashSidecar(
  workDir: string,
  options: { stash: StashDoubleOptions; stashIds?: Record<string, string>; env?: Env; enroll?: boolean; app?: OpenAppOptions },
): Promise<StashSidecar> {
  const double = await createStashDouble(options.stash);
  const { app } = await openTestApp(join(workDir, 'data'), { STASH_URL: double.url, STASH_API_KEY: double.apiKey ?? '', ...options.env }, options.app);
  if (options.enroll !== false) {
    writeEnrolmentFolder(join(workDir, 'people'), splitPeople().enrolled, options.stashIds);
    await app.services.enroll.enrollFolder(join(workDir, 'people'));
  }
  const server = await startTestServer(app);
  return {
    app,
    double,
    server,
    async close() {
      await server.close();
      await app.close();
      await double.close();
    },
  };
}
