import { promises as fs } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';

/**
 * `npm run build:collector`: bundles the container's two entry points into collector-fargate/dist/, which is
 * all the runtime image holds (no node_modules). The AWS SDK, ws and pino are bundled; nothing native is, so
 * the bundle built on any machine runs on the ARM64 task. dist/meta.json (esbuild's metafile) records every
 * input, which the tests check for DuckDB, TA-Lib and native addons.
 */

const here = __dirname;
const dist = path.join(here, 'dist');

async function main(): Promise<void> {
  await fs.rm(dist, { recursive: true, force: true });
  const result = await build({
    entryPoints: { main: path.join(here, 'main.ts'), healthcheck: path.join(here, 'healthcheck.ts') },
    outdir: dist,
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    // ws loads these optional native speed-ups inside try/catch and falls back to JavaScript without them.
    external: ['bufferutil', 'utf-8-validate'],
    // Stack traces map back to the TypeScript with `node --enable-source-maps`; the sources themselves are not needed.
    sourcemap: true,
    sourcesContent: false,
    metafile: true,
    logLevel: 'warning',
  });
  await fs.writeFile(path.join(dist, 'meta.json'), JSON.stringify(result.metafile));
  for (const [file, out] of Object.entries(result.metafile.outputs)) {
    if (file.endsWith('.js'))
      process.stderr.write(`${path.relative(process.cwd(), file)}: ${(out.bytes / 1024).toFixed(0)} KiB\n`);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`build:collector failed: ${(err as Error).message}\n`);
  process.exitCode = 1;
});
