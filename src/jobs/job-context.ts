// What a handler gets: its input, a signal, progress, and idempotent steps recorded in the state database.
import type { StateDatabase } from '../state/index.js';
import type { ResourcePools } from './resources.js';
import type { AsyncStep, Job, JobContext, ProgressUpdate } from './types.js';

export interface JobContextDeps<Input> {
  state: StateDatabase;
  job: Job;
  input: Input;
  signal: AbortSignal;
  pools: ResourcePools;
  progress(update: ProgressUpdate): void;
}

export function createJobContext<Input>(deps: JobContextDeps<Input>): JobContext<Input> {
  const { state, job, signal, pools } = deps;
  const store = state.jobStore;

  // Always the JSON round trip, so a handler sees the same value on a first run as on a resumed one.
  const asStored = <T>(value: T): T => (value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T));

  const finish = <T>(key: string, result: T, commit?: AsyncStep<T>['commit']): T => {
    const stored = asStored(result);
    state.transaction((tx) => {
      commit?.(tx, stored);
      store.recordStepDone(job.id, key, stored);
    });
    return stored;
  };

  return {
    job,
    input: deps.input,
    signal,
    progress: deps.progress,
    step(key, fn) {
      signal.throwIfAborted();
      return state.transaction((tx) => {
        const recorded = store.getStep(job.id, key);
        if (recorded?.status === 'done') return recorded.result as ReturnType<typeof fn>;
        const stored = asStored(fn(tx));
        store.recordStepDone(job.id, key, stored);
        return stored;
      });
    },
    async runStep(key, spec) {
      signal.throwIfAborted();
      const recorded = store.getStep(job.id, key);
      if (recorded?.status === 'done') return recorded.result as Awaited<ReturnType<typeof spec.run>>;
      if (spec.check) {
        if (recorded?.status === 'started') {
          const checked = await spec.check(signal);
          if (checked.applied) return finish(key, checked.result, spec.commit);
        }
        // Committed on its own before the action, so a crash during it leaves a trace for `check` to follow up.
        store.recordStepStarted(job.id, key);
      }
      const result = await spec.run(signal);
      return finish(key, result, spec.commit);
    },
    withResource: (resource, fn) => pools.withResource(resource, signal, fn),
  };
}
