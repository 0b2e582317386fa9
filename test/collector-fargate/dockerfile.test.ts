import fs from 'node:fs';
import path from 'node:path';
import { DOCKERFILE, REPO, execForm, inBuildContext, parseDockerfile, type Stage } from './docker-like';

/**
 * The image contract the CDK stack and ECS rely on, checked statically (no Docker here): container.test.ts
 * runs the same instructions; this file pins what a Docker build needs beyond them.
 */

const stages = parseDockerfile(fs.readFileSync(path.join(REPO, DOCKERFILE), 'utf8'));
const runtime = stages[stages.length - 1];
const build = stages.find((s) => s.name === 'build')!;
const ops = (s: Stage, op: string) => s.instructions.filter((i) => i.op === op);

describe('collector-fargate/Dockerfile', () => {
  it('builds in a separate stage on the builder’s platform and ships Node 22 with the bundle only', () => {
    expect(stages).toHaveLength(2);
    expect(build.flags).toEqual(['--platform=$BUILDPLATFORM']);
    expect(build.image).toMatch(/^node:22-/);
    expect(runtime.image).toMatch(/^node:22-/);
    // esbuild targets the runtime's Node major.
    expect(fs.readFileSync(path.join(REPO, 'collector-fargate/build.ts'), 'utf8')).toContain("target: 'node22'");
    expect(ops(runtime, 'RUN')).toEqual([]);
    expect(ops(runtime, 'COPY').map((i) => i.args)).toEqual([
      expect.stringMatching(/^--from=build \/src\/collector-fargate\/dist\/ /),
    ]);
  });

  it('installs from the lockfile without install scripts, then runs the same build script as the tests', () => {
    const runs = ops(build, 'RUN').map((i) => i.args);
    expect(runs).toEqual([expect.stringMatching(/^npm ci --ignore-scripts\b/), 'npm run build:collector']);
    const pkg = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8'));
    expect(pkg.scripts['build:collector']).toBe('tsx collector-fargate/build.ts');
    // The lockfile is copied before the sources, so the npm ci layer stays cached while only code changes.
    const copies = ops(build, 'COPY').map((i) => i.args);
    expect(copies[0]).toBe('package.json package-lock.json ./');
    expect(build.instructions.findIndex((i) => i.op === 'RUN')).toBe(
      build.instructions.findIndex((i) => i.args === copies[0]) + 1,
    );
  });

  it('runs as the unprivileged node user, with node as PID 1 in exec form', () => {
    const user = runtime.instructions.findIndex((i) => i.op === 'USER');
    expect(runtime.instructions[user].args).toBe('node');
    expect(user).toBeLessThan(runtime.instructions.findIndex((i) => i.op === 'CMD'));
    expect(ops(runtime, 'ENTRYPOINT')).toEqual([]);
    expect(execForm(ops(runtime, 'CMD')[0].args)).toEqual(['node', '--enable-source-maps', '/app/main.js']);
    expect(ops(runtime, 'STOPSIGNAL').map((i) => i.args)).toEqual(['SIGTERM']);
  });

  it('checks health with the bundled health check, in exec form', () => {
    const [hc] = ops(runtime, 'HEALTHCHECK');
    expect(execForm(hc.args)).toEqual(['node', '/app/healthcheck.js']);
    // The first beat is written at start and one every 15 s; the check allows 90 s, so 30 s checks are plenty.
    expect(hc.args).toMatch(/--interval=30s/);
  });
});

describe('the build context (.dockerignore, as CDK stages it)', () => {
  it('holds what the build stage copies', () => {
    for (const f of [
      'package.json',
      'package-lock.json',
      'tsconfig.json',
      'lib/collector/service.ts',
      'lib/storage/s3-store.ts',
      'collector-fargate/main.ts',
      'collector-fargate/build.ts',
      DOCKERFILE,
    ]) {
      expect([f, inBuildContext(f)]).toEqual([f, true]);
    }
    for (const copy of ops(build, 'COPY')) {
      for (const src of copy.args.split(/\s+/).slice(0, -1)) expect([src, inBuildContext(src)]).toEqual([src, true]);
    }
  });

  it('leaves out modules, build output, the git history, lakes and everything the image does not need', () => {
    for (const f of [
      'node_modules/ws/index.js',
      'lib/node_modules/x/index.js',
      'cdk.out/manifest.json',
      '.git/HEAD',
      'lake/bronze/x.parquet',
      '.lake-demo/x',
      'bench/out/report.json',
      'collector-fargate/dist/main.js',
      'collector-fargate/README.md',
      'test/collector/collector-sim.test.ts',
      'lambdas/silver.ts',
      'bin/cli.ts',
      'README.md',
    ])
      expect([f, inBuildContext(f)]).toEqual([f, false]);
  });
});
