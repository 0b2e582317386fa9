import LightRunner from 'jest-light-runner/child-process';

/**
 * jest-light-runner in child processes, with two repairs.
 *
 * Timeouts: it hands jest's `testTimeout` (jest.config.js or `--testTimeout`) to the test processes, where
 * test/setup/guard.ts enforces it; the runner itself enforces none.
 *
 * A start-up race: each test process asks the runner for its configuration once, when it starts. The runner
 * (0.7.13) answers every process that has been given a file so far and then forgets them, so when two processes
 * start together and the first one asks, the second is sent its answer before it listens for it; when it then
 * asks, nobody answers and it waits forever with its file. Under load that happened often enough to hang whole
 * runs (the idle "runner stall" CI used to retry). Here every file is posted with a channel of its own, which
 * tinypool binds to the process that runs it, so a process's question is answered to that process, every time.
 */
export default class GuardedLightRunner extends LightRunner {
  constructor(globalConfig, context, runnerConfig) {
    super(globalConfig, context, runnerConfig);
    // The test processes are forked later with this environment.
    process.env.LAKEHOUSE_TEST_TIMEOUT_MS = String(globalConfig.testTimeout);
    const runtime = this._runtime;
    this._testRunners = new (class extends Map {
      set(projectConfig, entry) {
        if (runtime !== 'child_process') return super.set(projectConfig, entry);
        const workerData = { globalConfig, projectConfig, runtime };
        const run = (test) => entry.pool.run(test.path, { channel: workerDataChannel(workerData) });
        return super.set(projectConfig, { ...entry, run });
      }
    })();
  }
}

function workerDataChannel(workerData) {
  const listeners = new Set();
  return {
    onMessage(listener) {
      listeners.add(listener);
    },
    postMessage(message) {
      if (message !== 'jest-light-runner-get-worker-data') return;
      for (const listener of listeners) listener({ type: 'jest-light-runner-worker-data', workerData });
    },
  };
}
