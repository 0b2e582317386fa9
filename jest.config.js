/**
 * Tests run in plain worker threads (jest-light-runner) with tsx loading TypeScript, not in jest's vm
 * sandbox: inside the sandbox every global lookup (Math, Number, Float64Array) goes through a context
 * interceptor and numeric loops ran ~150x slower than in production. We use real parts, never module mocks.
 * Types are checked separately by `tsc --noEmit`.
 */
/** @type {import('jest').Config} */
module.exports = {
  // Child processes, not worker threads: Node 20 does not apply tsx's --import loader hooks inside workers.
  runner: 'jest-light-runner/child-process',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  moduleFileExtensions: ['ts', 'js', 'json'],
  testTimeout: 120000,
  maxWorkers: 2,
};
