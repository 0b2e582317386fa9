// swc transpiles TypeScript (and the ESM-only hyparquet packages) to CommonJS; types are checked by `tsc --noEmit`.
const esmPackages = ['hyparquet', 'hyparquet-writer'];
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.(t|j)sx?$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } }],
  },
  transformIgnorePatterns: [`/node_modules/(?!(${esmPackages.join('|')})/)`],
  testTimeout: 120000,
  maxWorkers: 2,
};
