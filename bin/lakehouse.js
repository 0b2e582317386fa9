#!/usr/bin/env node
// The `lakehouse` command: registers tsx so the TypeScript CLI runs from a checkout without a build step.
// In-process on purpose: no extra child to pass signals on to. (`npx lakehouse` still puts npm's `sh -c` in
// between, which swallows SIGTERM; lib/collector/stop-request.ts therefore also stops when the parent is gone.)
require('tsx/cjs');
require('./cli.ts').lakehouseMain();
