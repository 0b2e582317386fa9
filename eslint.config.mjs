// ESLint 9 flat config with typescript-eslint (docs/decisions.md, "Lint and format"). Formatting is Biome's job
// (`npm run format`), so no stylistic rules here. `npm run lint` fails on any finding (--max-warnings 0).
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'cdk.out/**',
      'test-results/**',
      'coverage/**',
      'bench/out/**',
      'collector-fargate/dist/**',
      'lake/**',
      '.lake*/**',
    ],
  },
  {
    // Every TypeScript file is in tsconfig.json, so every one gets the type-aware rules.
    files: ['**/*.ts'],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // tsc's own convention (noUnusedLocals/noUnusedParameters): a leading underscore marks a name kept on purpose
      // (a parameter an interface requires, a field dropped from a rest copy with `{ files: _files, ...rest }`).
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
    },
  },
  {
    // Tests and benchmarks parse JSON, read Parquet rows and poke at results whose shape the assertion itself
    // checks; typing every such value would add casts without catching anything the assertion does not. The
    // rest of the type-aware set (floating promises, unbound methods, base-to-string, ...) stays on.
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    // The few JavaScript files (configs, the bin shim, test runner glue) are outside tsconfig.json: syntax-level
    // rules only.
    files: ['**/*.{js,mjs,cjs}'],
    extends: [tseslint.configs.recommended],
  },
  {
    // CommonJS by design: jest and dependency-cruiser load these with require, and bin/lakehouse.js registers tsx.
    files: ['**/*.{js,cjs}'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
