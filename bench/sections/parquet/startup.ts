import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import { median } from '../../lib/stats';

/**
 * Start-up cost and bundling of each library, the two things a Lambda cares about besides speed:
 * - cold start: plain `node` (no tsx, whose loader would slow every import) imports the library in a fresh
 *   process; we keep the in-process import time and the whole process's wall time over an empty process;
 * - bundling: esbuild `bundle, platform=node, format=cjs` on a tiny entry that round-trips a few values, then the
 *   bundle is run from a directory with no node_modules above it, as it would run in a Lambda.
 */

export interface Library {
  id: string;
  label: string;
  /** ES module code run after `t0` is taken, e.g. `await import('hyparquet')`. */
  importCode: string;
  /** Entry for the bundle check (bundled as ESM input, emitted as CJS); omitted = not bundled. */
  bundleEntry?: string;
  /** Packages to leave out of the bundle when plain bundling fails (native binaries), and to ship beside it. */
  nativePackages?: string[];
}

export interface ColdStart {
  importMs: number;
  overEmptyMs: number;
  rssMB: number;
}
export interface BundleCheck {
  /** How the bundle was built: 'plain', or the externals it needed. */
  how: string;
  /** Why plain bundling failed, when a fallback with externals was tried. */
  plainError?: string;
  error?: string;
  bundleKB?: number;
  /** 'yes', 'no: <error>', or 'with <packages> copied beside it (N MB)'. */
  runs?: string;
}

function runNode(args: string[], cwd: string): { ok: boolean; stdout: string; stderr: string; ms: number } {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { cwd, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
  return { ok: r.status === 0, stdout: r.stdout, stderr: r.stderr, ms: performance.now() - t0 };
}

const probeScript = (code: string) =>
  `const t0 = performance.now(); ${code}; const ms = performance.now() - t0; ` +
  `process.stdout.write(JSON.stringify({ ms, rss: process.memoryUsage.rss() }));`;

/** Runs every library's import `runs` times, round-robin so drift of the machine hits all alike. */
export function coldStarts(libs: readonly Library[], repoRoot: string, runs: number): Map<string, ColdStart | { error: string }> {
  const samples = new Map<string, { ms: number[]; wall: number[]; rss: number[]; error?: string }>();
  const targets = [{ id: '', importCode: '' }, ...libs];
  for (const t of targets) samples.set(t.id, { ms: [], wall: [], rss: [] });
  for (let i = 0; i < runs; i++) {
    for (const t of targets) {
      const s = samples.get(t.id)!;
      if (s.error) continue;
      const r = runNode(['--input-type=module', '-e', probeScript(t.importCode)], repoRoot);
      if (!r.ok) {
        s.error = r.stderr.split('\n').find((l) => /Error/.test(l)) ?? r.stderr.slice(0, 200);
        continue;
      }
      const { ms, rss } = JSON.parse(r.stdout) as { ms: number; rss: number };
      s.ms.push(ms);
      s.wall.push(r.ms);
      s.rss.push(rss / 1e6);
    }
  }
  const empty = median(samples.get('')!.wall);
  const out = new Map<string, ColdStart | { error: string }>();
  for (const lib of libs) {
    const s = samples.get(lib.id)!;
    out.set(
      lib.id,
      s.error ? { error: s.error } : { importMs: median(s.ms), overEmptyMs: median(s.wall) - empty, rssMB: median(s.rss) },
    );
  }
  return out;
}

const firstError = (err: unknown): string => {
  const e = err as { errors?: { text: string }[]; message?: string };
  const texts = [...new Set((e.errors ?? []).map((x) => x.text))];
  return texts.length
    ? `${texts.slice(0, 2).join('; ')}${texts.length > 2 ? ` (+${texts.length - 2} more)` : ''}`
    : String(e.message ?? err);
};

function dirMB(dir: string): number {
  let bytes = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) bytes += statSync(path.join(e.parentPath, e.name)).size;
  }
  return bytes / 1e6;
}

export async function bundleCheck(lib: Library, repoRoot: string, workDir: string): Promise<BundleCheck> {
  if (!lib.bundleEntry) return { how: 'not tried' };
  const dir = path.join(workDir, 'bundles', lib.id);
  mkdirSync(dir, { recursive: true });
  const outfile = path.join(dir, 'index.cjs');
  const attempt = (external: string[]) =>
    build({
      stdin: { contents: lib.bundleEntry!, resolveDir: repoRoot, sourcefile: `${lib.id}-entry.mjs`, loader: 'js' },
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      outfile,
      write: true,
      logLevel: 'silent',
      external,
    });
  let how = 'plain';
  let plainError: string | undefined;
  try {
    await attempt([]);
  } catch (err) {
    plainError = firstError(err);
    if (!lib.nativePackages) return { how, error: plainError };
    how = `external ${lib.nativePackages.join(', ')}`;
    try {
      await attempt(lib.nativePackages);
    } catch (err2) {
      return { how, error: `plain: ${plainError}; ${how}: ${firstError(err2)}` };
    }
  }
  const check: BundleCheck = { how, plainError, bundleKB: statSync(outfile).size / 1e3 };
  const run = runNode([outfile], dir);
  if (run.ok) return { ...check, runs: 'yes' };
  const why =
    run.stderr
      .split('\n')
      .find((l) => /Error|Cannot/.test(l))
      ?.trim() ?? run.stderr.slice(0, 200);
  if (!lib.nativePackages) return { ...check, runs: `no: ${why}` };
  // Ship the native packages next to the bundle, as a Lambda layer or the zip's node_modules would.
  let mb = 0;
  for (const p of lib.nativePackages.flatMap((pattern) => expand(pattern, repoRoot))) {
    const from = path.join(repoRoot, 'node_modules', p);
    cpSync(from, path.join(dir, 'node_modules', p), { recursive: true, dereference: true });
    mb += dirMB(from);
  }
  const again = runNode([outfile], dir);
  const short = why.replace(/^Error: /, '');
  return {
    ...check,
    runs: again.ok ? `no (${short}); yes with the ${mb.toFixed(0)} MB native package copied beside it` : `no: ${short}`,
  };
}

/** `@scope/prefix-*` to the installed packages it matches (for the native binaries of this platform). */
function expand(pattern: string, repoRoot: string): string[] {
  if (!pattern.endsWith('*')) return [pattern];
  const [scope, prefix] = pattern.slice(0, -1).split('/');
  return readdirSync(path.join(repoRoot, 'node_modules', scope))
    .filter((n) => n.startsWith(prefix))
    .map((n) => `${scope}/${n}`);
}
