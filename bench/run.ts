import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs, type BenchArgs } from './lib/args';
import { runChild } from './lib/child';
import { renderTable } from './lib/markdown';
import { measureRuns } from './lib/measure';
import type { Json, SectionContext } from './lib/types';
import { SECTIONS } from './sections';

/**
 * `npm run bench`: runs the registered sections one after the other and prints each one's tables as Markdown on
 * stdout (progress goes to stderr, so `npm run bench > bench.md` keeps only the tables).
 */

const REPO_ROOT = path.resolve(__dirname, '..');
const OUT_DIR = path.join(__dirname, 'out');

const loadAvg = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' / ');

async function main(): Promise<void> {
  let args: BenchArgs;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(2);
  }
  const names = args.only ?? Object.keys(SECTIONS);
  const unknown = names.filter((n) => !SECTIONS[n]);
  if (unknown.length) {
    process.stderr.write(`unknown section(s): ${unknown.join(', ')}; known: ${Object.keys(SECTIONS).join(', ')}\n`);
    process.exit(2);
  }

  const date = new Date().toISOString().slice(0, 10);
  const machine =
    `Node ${process.version}, ${os.cpus().length} ` +
    `× ${os.cpus()[0]?.model.trim() ?? 'cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.platform()}-${os.arch()}`;
  const scale = args.scale !== 1 ? ` (--scale ${args.scale})` : '';
  process.stdout.write(
    `# Bench ${date}${scale}${args.quick ? ' (--quick: smoke test, not figures to quote)' : ''}\n\n${machine}\n`,
  );

  let failed = false;
  for (const name of names) {
    const { section } = await SECTIONS[name]();
    const started = performance.now();
    const load0 = loadAvg();
    const workDir = mkdtempSync(path.join(os.tmpdir(), `bench-${name}-`));
    const log = (m: string) => {
      const s = ((performance.now() - started) / 1000).toFixed(0).padStart(4);
      process.stderr.write(`[${name} ${s}s] ${m}\n`);
    };
    const ctx: SectionContext = {
      quick: args.quick,
      scale: args.scale,
      workDir,
      repoRoot: REPO_ROOT,
      log,
      child: (task) => runChild(task, REPO_ROOT),
      measure: (label, task, runs) => measureRuns(task, runs, REPO_ROOT, log, label),
    };
    try {
      const report = await section.run(ctx);
      const seconds = (performance.now() - started) / 1000;
      process.stdout.write(`\n## ${section.title}\n\n`);
      for (const t of report.tables) process.stdout.write(`${renderTable(t)}\n\n`);
      for (const n of report.notes ?? []) process.stdout.write(`- ${n}\n`);
      // Others may share the machine (2 cores): the load average says how much to trust small differences.
      process.stdout.write(`\n_Section ran in ${seconds.toFixed(0)} s; load average at start ${load0}, at end ${loadAvg()}._\n`);
      if (args.save) {
        mkdirSync(OUT_DIR, { recursive: true });
        const file = path.join(OUT_DIR, `${name}${args.scale !== 1 ? `.x${args.scale}` : ''}${args.quick ? '.quick' : ''}.json`);
        const json: Json = {
          section: name,
          date: new Date().toISOString(),
          quick: args.quick,
          scale: args.scale,
          machine,
          seconds,
          tables: report.tables as unknown as Json,
          notes: report.notes ?? [],
          data: report.data ?? null,
        };
        writeFileSync(file, `${JSON.stringify(json, null, 2)}\n`);
        log(`results written to ${path.relative(REPO_ROOT, file)}`);
      }
    } catch (err) {
      failed = true;
      process.stderr.write(`section ${name} failed: ${(err as Error).stack ?? String(err)}\n`);
      process.stdout.write(`\n## ${section.title}\n\nFAILED: ${(err as Error).message}\n`);
    } finally {
      rmSync(workDir, { recursive: true, force: true });
    }
  }
  process.exit(failed ? 1 : 0);
}

void main();
