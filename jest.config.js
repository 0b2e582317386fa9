/**
 * Tests run in plain child processes (jest-light-runner) with tsx loading TypeScript, not in jest's vm
 * sandbox: inside the sandbox every global lookup (Math, Number, Float64Array) goes through a context
 * interceptor and numeric loops ran ~150x slower than in production. We use real parts, never module mocks.
 * Types are checked separately by `tsc --noEmit`.
 */
/** @type {import('jest').Config} */
module.exports = {
  // Child processes, not worker threads: Node 20 does not apply tsx's --import loader hooks inside workers.
  // The wrapper passes testTimeout on; test/setup/guard.ts enforces it and buffers each test's output.
  runner: '<rootDir>/test/setup/runner.mjs',
  setupFilesAfterEnv: ['<rootDir>/test/setup/guard.ts'],
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  moduleFileExtensions: ['ts', 'js', 'json'],
  testTimeout: 120000,
  maxWorkers: 2,
};
