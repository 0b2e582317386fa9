#!/usr/bin/env node
// The `lakehouse` command: registers tsx so the TypeScript CLI runs from a checkout without a build step.
require('tsx/cjs');
require('./cli.ts');
