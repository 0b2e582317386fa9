import LightRunner from 'jest-light-runner/child-process';

/**
 * jest-light-runner in child processes, handing jest's `testTimeout` (jest.config.js or `--testTimeout`) to the
 * test processes, where test/setup/guard.ts enforces it: the runner itself enforces no timeout.
 */
export default class GuardedLightRunner extends LightRunner {
  constructor(globalConfig, context, runnerConfig) {
    super(globalConfig, context, runnerConfig);
    // The test processes are forked later with this environment.
    process.env.LAKEHOUSE_TEST_TIMEOUT_MS = String(globalConfig.testTimeout);
  }
}
