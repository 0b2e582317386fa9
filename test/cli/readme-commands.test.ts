import { spawn } from 'node:child_process';
import { existsSync, promises as fs, readFileSync } from 'node:fs';
import path from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { checkBuildRange } from '../../lib/app/build-plan';
import { dataRemovalWarning } from '../../lib/cdk/app';
import type { LakehouseConfig } from '../../lib/cdk/config';
import { glueDatabaseName } from '../../lib/cdk/lakehouse-stack';
import { dayJobRange } from '../../lambdas/shared/event';
import { buildApp } from '../cdk/build-stack';
import type { CliResult } from '../helpers/cli';
import { REPO } from '../helpers/cli-process';
import { tmpDir } from '../helpers/sample-rows';
import { TESTDATA } from '../helpers/testdata';

/**
 * Every command README.md shows, read from README.md itself so that an edit there is what gets run: the lines of its
 * ```bash blocks and the `npx …`, `npm …` and `aws …` commands quoted in its prose. Each command is handled by one
 * entry of HANDLERS below, and a command no entry knows fails the test.
 *
 * Run as written: every `npx lakehouse …` line, through bash, in a checkout-like folder whose `../shared/testdata`
 * is the shared test data, so the lines run verbatim (`npx lakehouse` is `node bin/lakehouse.js`, what npx runs),
 * building ./lake there. The lines that build a lake run first in README order, then the ones that read it: the
 * queries that explore the demo lake read the imported February 2023 lake instead (the same views;
 * test/cli/demo.test.ts runs the demo and queries its lake).
 *
 * Only checked, because they cannot run here (no AWS account, no network, or they would run the suite itself):
 * - `npm ci`: would reinstall node_modules under the running tests; package-lock.json is there for it.
 * - `npm test`: the whole suite, this test included; the script type-checks and runs jest.
 * - `npm run demo`: runs in test/cli/demo.test.ts (the same `lakehouse demo`, fewer live minutes); the script is that.
 * - `npm run bench`, `npm run cost`: minutes of measurements; the scripts exist.
 * - `npx cdk bootstrap|deploy|destroy …`: need an account (and Docker for the image). The app those commands
 *   synthesize is synthesized instead, with the same `-c` settings and the cdk-nag checks, without Lambda bundling
 *   (test/cdk/cdk-synth.test.ts runs the real `npx cdk synth`, bundling included); the stacks they name exist, each
 *   remote collector group gets its stack, and destroyDataOnDelete makes synth warn.
 * - `aws stepfunctions start-execution …`: its --input goes through the build planner's request parsing, with the
 *   optional fields its comment names; <BuildStateMachineArn> is an output of the stack.
 * - `aws lambda invoke …`: <CatalogFunctionName> is an output of the stack.
 * - `aws glue delete-database --name …`: the name is the stack's Glue database.
 * - `aws s3api put-bucket-lifecycle-configuration`: named only; the lake bucket has the lifecycle rules it would change.
 *
 * Runtime: ~25 s on two shared cores, most of it `lakehouse run` over February 2023 and the four syntheses.
 */

const README = readFileSync(path.join(REPO, 'README.md'), 'utf8');
const PACKAGE = JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as {
  name: string;
  scripts: Record<string, string>;
};

interface ReadmeCommand {
  /** The command as a shell gets it: continuations joined, the comment left out. */
  line: string;
  comment: string;
}

/**
 * Splits a shell line into words (single and double quotes, backslash escapes) and its trailing comment, which
 * starts at `commentAt` (the line's length when it has none).
 */
function shellWords(line: string): { words: string[]; comment: string; commentAt: number } {
  const words: string[] = [];
  let word: string | undefined;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"' && i + 1 < line.length) word += line[++i];
      else word += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      word ??= '';
    } else if (c === '\\' && i + 1 < line.length) {
      word = (word ?? '') + line[++i];
    } else if (/\s/.test(c)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else if (c === '#' && word === undefined) {
      return { words, comment: line.slice(i + 1).trim(), commentAt: i };
    } else {
      word = (word ?? '') + c;
    }
  }
  if (quote) throw new Error(`unclosed ${quote} in: ${line}`);
  if (word !== undefined) words.push(word);
  return { words, comment: '', commentAt: line.length };
}

function readmeCommands(): ReadmeCommand[] {
  const out: ReadmeCommand[] = [];
  for (const block of README.matchAll(/^```bash\n([\s\S]*?)^```$/gm)) {
    for (const raw of block[1].replace(/\\\n\s*/g, '').split('\n')) {
      if (!raw.trim() || raw.trim().startsWith('#')) continue;
      const { comment, commentAt } = shellWords(raw);
      out.push({ line: raw.slice(0, commentAt).trim(), comment });
    }
  }
  const prose = README.replace(/^```[\s\S]*?^```$/gm, '');
  for (const m of prose.matchAll(/`((?:npx|npm|aws) [^`]+)`/g)) {
    if (!out.some((c) => c.line === m[1])) out.push({ line: m[1], comment: '' });
  }
  return out;
}

type Kind = 'runs' | 'synthesized' | 'checked';
interface Handler {
  re: RegExp;
  kind: Kind;
  check?(c: ReadmeCommand): void | Promise<void>;
}

// ---- lakehouse lines: run in a checkout-like folder -------------------------------------------------------------

const sandbox = tmpDir('readme-commands');
const checkout = path.join(sandbox, 'checkout');
const BIN = path.join(REPO, 'bin/lakehouse.js');

function bash(line: string): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', line.replace(/^npx lakehouse /, `node '${BIN}' `)], {
      cwd: checkout,
      env: { ...process.env, NODE_OPTIONS: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`timed out: ${line}`));
    }, 150_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}

/** Data rows in `lakehouse query` output of the given format (see lib/app/format.ts). */
function outputRows(stdout: string, format: string): number {
  const lines = stdout.split('\n').filter(Boolean);
  if (format === 'json') return lines.length;
  if (format === 'csv') return lines.length - 1;
  return Number(/^\((\d+) rows?\)$/.exec(lines.at(-1) ?? '')?.[1] ?? NaN);
}

async function runLakehouseLine(c: ReadmeCommand): Promise<void> {
  const { words } = shellWords(c.line);
  const r = await bash(c.line);
  expect({ line: c.line, code: r.code }).toEqual({ line: c.line, code: 0 });
  // Progress lines are fine; a warning, an error or a trace is not.
  expect(r.stderr).not.toMatch(/^lakehouse: |^\s+at /m);
  expect(r.stdout).not.toBe('');
  if (words[2] === 'query') {
    const f = words.indexOf('--format');
    expect(outputRows(r.stdout, f >= 0 ? words[f + 1] : 'table')).toBeGreaterThan(0);
  }
  if (words[2] === 'import') expect(JSON.parse(r.stdout)).toMatchObject({ rejected: 0, rows: expect.any(Number) });
}

// ---- cdk lines: the app synthesized with the same -c settings --------------------------------------------------

const syntheses = new Map<string, { stacks: string[]; config: LakehouseConfig; template: Template }>();

/** The app `cdk` builds with these `-c` settings (given as strings, as the cdk CLI passes them), synthesized once. */
function synthesize(context: Record<string, string>) {
  const key = JSON.stringify(context);
  if (!syntheses.has(key)) {
    const { app, config, lake } = buildApp(context, { nag: true });
    // cdk-nag findings that are not acknowledged make synth throw.
    const assembly = app.synth();
    syntheses.set(key, { stacks: assembly.stacks.map((s) => s.stackName), config, template: Template.fromStack(lake) });
  }
  return syntheses.get(key)!;
}

function checkCdkLine(c: ReadmeCommand): void {
  const { words } = shellWords(c.line);
  const context: Record<string, string> = {};
  const stacks: string[] = [];
  for (let i = 3; i < words.length; i++) {
    if (words[i] === '-c') {
      const kv = words[++i];
      context[kv.slice(0, kv.indexOf('='))] = kv.slice(kv.indexOf('=') + 1);
    } else if (!words[i].startsWith('-')) stacks.push(words[i]);
  }
  const s = synthesize(context);
  expect(s.stacks).toContain('CryptoLakehouse');
  for (const name of stacks) expect(s.stacks).toContain(name);
  for (const g of s.config.collectors.filter((x) => x.enabled && x.region)) {
    expect(s.stacks).toContain(`CryptoLakehouse-Collector-${g.name}`);
  }
  if (context.destroyDataOnDelete === 'true') expect(dataRemovalWarning(s.config)).toMatch(/^WARNING: destroyDataOnDelete is on/);
}

// ---- aws lines: what they name exists in the synthesized stack -----------------------------------------------------

/** Every `<Placeholder>` of the line is an output of the lake stack, where the user finds its value. */
function placeholdersAreOutputs(c: ReadmeCommand): void {
  const outputs = Object.keys(synthesize({}).template.toJSON().Outputs ?? {});
  const placeholders = [...c.line.matchAll(/<(\w+)>/g)].map((m) => m[1]);
  expect(placeholders.length).toBeGreaterThan(0);
  for (const p of placeholders) expect(outputs).toContain(p);
}

function checkStartExecution(c: ReadmeCommand): void {
  placeholdersAreOutputs(c);
  const { words } = shellWords(c.line);
  const input = JSON.parse(words[words.indexOf('--input') + 1]) as Record<string, unknown>;
  const parsed = dayJobRange(input);
  expect(parsed.scheduled).toBe(false);
  expect(() => checkBuildRange(parsed.range)).not.toThrow();
  // The optional fields the comment names are accepted, and reach the range.
  const samples: Record<string, string> = { exchange: 'binance', symbol: 'BTCUSDT' };
  for (const [, field] of c.comment.matchAll(/"(\w+)"/g)) {
    expect(Object.keys(samples)).toContain(field);
    expect(dayJobRange({ ...input, [field]: samples[field] }).range).toMatchObject({ [field]: samples[field] });
  }
}

function checkGlueDatabase(c: ReadmeCommand): void {
  const { words } = shellWords(c.line);
  const name = words[words.indexOf('--name') + 1];
  const s = synthesize({});
  expect(name).toBe(glueDatabaseName(s.config.lakeName));
  const dbs = Object.values(s.template.findResources('AWS::Glue::Database')).map((d) => d.Properties.DatabaseInput.Name);
  expect(dbs).toEqual([name]);
}

function checkLifecycle(): void {
  const buckets = Object.values(synthesize({}).template.findResources('AWS::S3::Bucket'));
  const prefixes = buckets
    .flatMap((b) => (b.Properties.LifecycleConfiguration?.Rules ?? []) as { Prefix?: string }[])
    .map((r) => r.Prefix);
  expect(prefixes).toContain('bronze/');
}

// ---- npm lines: package.json has what they run -----------------------------------------------------------------

function checkNpm(c: ReadmeCommand): void {
  const { words } = shellWords(c.line);
  if (words[1] === 'ci') {
    const lock = JSON.parse(readFileSync(path.join(REPO, 'package-lock.json'), 'utf8')) as {
      name: string;
      lockfileVersion: number;
    };
    expect(lock).toMatchObject({ name: PACKAGE.name });
    expect(lock.lockfileVersion).toBeGreaterThanOrEqual(2);
  } else if (words[1] === 'test') {
    expect(PACKAGE.scripts.test).toMatch(/npm run typecheck && npm run jest/);
  } else {
    expect(words[1]).toBe('run');
    expect(Object.keys(PACKAGE.scripts)).toContain(words[2]);
    if (words[2] === 'demo') {
      expect(PACKAGE.scripts.demo).toBe('node bin/lakehouse.js demo');
      expect(readFileSync(path.join(REPO, 'test/cli/demo.test.ts'), 'utf8')).toContain("lakehouse(['demo'");
    }
  }
}

const HANDLERS: Handler[] = [
  { re: /^npx lakehouse /, kind: 'runs', check: runLakehouseLine },
  { re: /^npx cdk (bootstrap|deploy|destroy)\b/, kind: 'synthesized', check: checkCdkLine },
  { re: /^npm (ci|test|run \w+)$/, kind: 'checked', check: checkNpm },
  { re: /^aws stepfunctions start-execution /, kind: 'checked', check: checkStartExecution },
  { re: /^aws lambda invoke /, kind: 'checked', check: placeholdersAreOutputs },
  { re: /^aws glue delete-database /, kind: 'checked', check: checkGlueDatabase },
  { re: /^aws s3api put-bucket-lifecycle-configuration$/, kind: 'checked', check: checkLifecycle },
];

const COMMANDS = readmeCommands();
const handlerOf = (c: ReadmeCommand) => HANDLERS.filter((h) => h.re.test(c.line));
const LAKEHOUSE = COMMANDS.filter((c) => handlerOf(c)[0]?.kind === 'runs');
/** Commands that write the lake run before the ones that read it (see the top). */
const BUILDS = new Set(['import', 'run', 'silver', 'gold', 'collect', 'demo']);
const builds = (c: ReadmeCommand) => BUILDS.has(shellWords(c.line).words[2]);
const named = (cs: ReadmeCommand[]) => cs.map((c) => ({ ...c, name: c.line.length > 100 ? `${c.line.slice(0, 100)}…` : c.line }));

describe('README.md commands', () => {
  beforeAll(async () => {
    await fs.mkdir(checkout);
    await fs.mkdir(path.join(sandbox, 'shared'));
    await fs.symlink(TESTDATA, path.join(sandbox, 'shared', 'testdata'));
    // A checkout has the docs, whose example mapping files README commands name.
    await fs.symlink(path.join(REPO, 'docs'), path.join(checkout, 'docs'));
  }, 10_000);

  it('are found, and every one has exactly one handler', () => {
    // Floors, not exact counts: new commands are picked up without editing this test; a broken extraction is not.
    expect(COMMANDS.length).toBeGreaterThanOrEqual(20);
    expect(LAKEHOUSE.length).toBeGreaterThanOrEqual(6);
    for (const c of COMMANDS) expect({ line: c.line, handlers: handlerOf(c).length }).toEqual({ line: c.line, handlers: 1 });
  }, 5_000);

  describe('lakehouse: run as written', () => {
    it.each(named(LAKEHOUSE.filter(builds)))('$name', runLakehouseLine, 180_000);
    it.each(named(LAKEHOUSE.filter((c) => !builds(c))))('$name', runLakehouseLine, 60_000);

    it('left the lake in ./lake, where the commands say nothing of --lake', () => {
      expect(existsSync(path.join(checkout, 'lake', 'gold'))).toBe(true);
    }, 5_000);
  });

  describe('cdk: needs an AWS account; synthesized with the same settings instead', () => {
    it.each(named(COMMANDS.filter((c) => handlerOf(c)[0]?.kind === 'synthesized')))('$name', checkCdkLine, 120_000);
  });

  describe('npm and aws: cannot run here; what they name is checked', () => {
    it.each(named(COMMANDS.filter((c) => handlerOf(c)[0]?.kind === 'checked')))(
      '$name',
      (c) => handlerOf(c)[0].check!(c),
      120_000,
    );
  });
});

describe('README.md CLI table', () => {
  const section = /^## The `lakehouse` CLI\n([\s\S]*?)(?=^## )/m.exec(README)?.[1] ?? '';
  const rows = [...section.matchAll(/^\| `(lakehouse [^`]*)` \|/gm)].map((m) => m[1].replace(/\\\|/g, '|'));

  it('names only commands and flags the CLI has, and every command it has', async () => {
    const { lakehouseProgram } = await import('../../bin/cli');
    const program = lakehouseProgram({ exitCode: 0 });
    expect(rows.length).toBeGreaterThanOrEqual(10);
    for (const row of rows) {
      const name = row.split(/\s+/)[1];
      const cmd = program.commands.find((c) => c.name() === name);
      expect({ row, command: cmd?.name() }).toEqual({ row, command: name });
      const longs = cmd!.options.map((o) => o.long);
      for (const [flag] of row.matchAll(/--[a-z][a-z-]*/g)) {
        expect({ row, flag, known: longs.includes(flag) }).toEqual({ row, flag, known: true });
      }
    }
    const listed = new Set(rows.map((r) => r.split(/\s+/)[1]));
    expect(program.commands.map((c) => c.name()).filter((n) => !listed.has(n))).toEqual([]);
  }, 30_000);
});
