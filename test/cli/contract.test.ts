import { spawn, type SpawnOptions } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { runRange } from '../../lib/app/run-range';
import { LocalObjectStore } from '../../lib/storage/local-store';
import { damage, goldFeaturesKey, writeBronzeDay } from '../helpers/bad-lake';
import { lakehouse, lakehouseInProcess, type CliResult } from '../helpers/cli';
import { REPO, startLakehouse } from '../helpers/cli-process';
import { tmpDir } from '../helpers/sample-rows';

/**
 * The CLI contract (README.md, "The `lakehouse` CLI"), command by command, against hostile invocations: a mistake
 * is exactly one line on stderr and exit 2, never a stack trace; a request the lake holds nothing for is one line
 * and exit 6; stdout stays empty in both cases. The table runs in-process (bin/cli.ts's runLakehouse) for speed;
 * a sample of it, closed pipes, signals and a read-only lake run as real processes.
 */

const D1 = '2024-05-01';
const D2 = '2024-05-02';
const BTC = { exchange: 'binance', symbol: 'BTCUSDT' };

const root = tmpDir('cli-contract');
/** Bronze for D1 and D2, Silver and Gold (and quality reports) for D1 only. */
const LAKE = path.join(root, 'lake');
const MISSING = path.join(root, 'lakee');
const A_FILE = path.join(root, 'a-file');
const NO_LAYER = path.join(root, 'not-a-lake');
const FOLDER = path.join(root, 'a-folder.csv');
const EMPTY_CSV = path.join(root, 'BTCUSDT-1m-2024-05-01.csv');
const HEADER_CSV = path.join(root, 'ETHUSDT-1m-2024-05-01.csv');
const KLINES_HEADER =
  'open_time,open,high,low,close,volume,close_time,quote_volume,count,taker_buy_volume,taker_buy_quote_volume,ignore';

beforeAll(async () => {
  const store = new LocalObjectStore(LAKE);
  await writeBronzeDay(store, BTC, D1);
  await writeBronzeDay(store, BTC, D2);
  await runRange({ store, from: D1, to: D1, onSkip: () => undefined });
  await fs.writeFile(A_FILE, 'not a lake\n');
  await fs.mkdir(NO_LAYER);
  await fs.mkdir(FOLDER);
  await fs.writeFile(EMPTY_CSV, '');
  await fs.writeFile(HEADER_CSV, `${KLINES_HEADER}\n`);
}, 120_000);

/** One line on stderr saying `message`, nothing on stdout, exit `code`: never a stack trace or "unexpected error". */
function expectOneLine(r: CliResult, code: number, message: RegExp): void {
  expect({ code: r.code, stdout: r.stdout, stderrLines: r.stderr.split('\n').filter(Boolean).length }).toEqual({
    code,
    stdout: '',
    stderrLines: 1,
  });
  expect(r.stderr).toMatch(/^lakehouse: .+\n$/);
  expect(r.stderr).toMatch(message);
  expect(r.stderr).not.toMatch(/^\s+at |unexpected error|EPIPE|^\w*Error: /m);
}

/** Each command with the smallest set of flags it accepts; `lake`: whether it takes --lake, and how it uses it. */
interface CommandCase {
  args: string[];
  required: string[];
  lake?: 'reads' | 'builds' | 'creates';
}
const COMMANDS: Record<string, CommandCase> = {
  demo: { args: [], required: [], lake: 'creates' },
  collect: { args: ['--source', 'sim', '--symbols', 'BTCUSDT'], required: ['--source', '--symbols'], lake: 'creates' },
  import: {
    args: ['--file', EMPTY_CSV, '--dataset', 'klines', '--exchange', 'binance'],
    required: ['--file', '--dataset', '--exchange'],
    lake: 'creates',
  },
  history: {
    args: ['--exchange', 'binance', '--symbols', 'BTCUSDT', '--datasets', 'klines:1m', '--from', D1, '--to', D1],
    required: ['--exchange', '--symbols', '--datasets', '--from', '--to'],
    lake: 'creates',
  },
  backfill: {
    args: ['--exchange', 'binance', '--symbol', 'BTCUSDT', '--from', D1, '--to', D2],
    required: ['--exchange', '--symbol', '--from', '--to'],
    lake: 'creates',
  },
  silver: { args: ['--date', D1], required: ['--date'], lake: 'builds' },
  gold: { args: ['--date', D1], required: ['--date'], lake: 'builds' },
  run: { args: ['--from', D1, '--to', D1], required: ['--from', '--to'], lake: 'builds' },
  validate: { args: ['--date', D1], required: ['--date'], lake: 'reads' },
  health: { args: [], required: [], lake: 'reads' },
  query: { args: ['select 1'], required: [], lake: 'reads' },
  slice: {
    args: ['--symbols', 'BTCUSDT', '--start', D1, '--end', D2, '--tf', '1m', '--out', path.join(root, 'slice.csv')],
    required: ['--symbols', '--start', '--end', '--tf', '--out'],
    lake: 'reads',
  },
  features: { args: [], required: [] },
};

type Row = [name: string, args: string[], code: number, message: RegExp];
const USAGE = 2;
const NOTHING = 6;

/** Without the flag and its value. */
const without = (args: string[], flag: string) => args.filter((a, i) => a !== flag && args[i - 1] !== flag);
const withLake = (c: CommandCase, args: string[], lake = LAKE) => (c.lake ? [...args, '--lake', lake] : args);
const importOf = (file: string) => ['import', '--file', file, '--dataset', 'klines', '--exchange', 'binance', '--lake', LAKE];

const ROWS: Row[] = [
  ['no command', [], USAGE, /^lakehouse: a command is needed: one of demo, collect, .*query/],
  ['an unknown command', ['frob'], USAGE, /unknown command 'frob'/],
  ['help for an unknown command', ['help', 'frob'], USAGE, /^lakehouse: unknown command 'frob' \(see lakehouse --help\)\n$/],
  ['an unknown flag before the command', ['--bogus', 'health'], USAGE, /unknown option '--bogus'/],
];

for (const [name, c] of Object.entries(COMMANDS)) {
  const full = [name, ...c.args];
  ROWS.push([
    `${name} with an unknown flag`,
    withLake(c, [...full, '--bogus']),
    USAGE,
    new RegExp(`unknown option '--bogus' \\(see lakehouse ${name} --help\\)`),
  ]);
  ROWS.push([`${name} with an extra argument`, withLake(c, [...full, 'extra']), USAGE, /too many arguments/]);
  for (const flag of c.required) {
    ROWS.push([
      `${name} without ${flag}`,
      withLake(c, without(full, flag)),
      USAGE,
      new RegExp(`required option '${flag} <[^>]+>' not specified`),
    ]);
  }
  if (!c.lake) continue;
  ROWS.push([`${name} --lake without a value`, [...full, '--lake'], USAGE, /option '--lake <dir>' argument missing/]);
  ROWS.push([
    `${name} --lake ''`,
    [...full, '--lake', ''],
    USAGE,
    /argument '' is invalid\. expected a lake folder .*, got an empty string/,
  ]);
  ROWS.push([
    `${name} --lake <a file>`,
    [...full, '--lake', A_FILE],
    USAGE,
    new RegExp(`^lakehouse: no lake at ${A_FILE}: not a folder\\n`),
  ]);
  if (c.lake === 'creates') {
    // collect is left out: a lake it cannot write is what its disk spool is for (test/cli/collect-stop.test.ts).
    if (name === 'collect') continue;
    const inside = path.join(A_FILE, 'lake');
    ROWS.push([
      `${name} --lake <inside a file>`,
      [...full, '--lake', inside],
      USAGE,
      new RegExp(`^lakehouse: cannot create the lake ${inside}: ${A_FILE} is not a folder\\n`),
    ]);
    continue;
  }
  ROWS.push([`${name} --lake <inside a file>`, [...full, '--lake', path.join(A_FILE, 'lake')], USAGE, /: no such folder\n$/]);
  ROWS.push([
    `${name} --lake <missing>`,
    [...full, '--lake', MISSING],
    USAGE,
    new RegExp(`^lakehouse: no lake at ${MISSING}: no such folder\\n`),
  ]);
  ROWS.push([
    `${name} --lake <a folder with no layer>`,
    [...full, '--lake', NO_LAYER],
    USAGE,
    new RegExp(`^lakehouse: no lake at ${NO_LAYER}: the folder holds none of bronze/, silver/, gold/`),
  ]);
}

const DATE_FLAGS: [string, string[], string][] = [
  ['silver', [], '--date'],
  ['gold', [], '--date'],
  ['validate', [], '--date'],
  ['run', ['--to', D1], '--from'],
  ['run', ['--from', D1], '--to'],
  ['collect', ['--source', 'sim', '--symbols', 'BTCUSDT'], '--sim-start'],
];
for (const [cmd, rest, flag] of DATE_FLAGS) {
  for (const bad of ['2024-02-30', '2023-02-29', '2024-13-01', '2024-2-3', 'yesterday', '']) {
    ROWS.push([
      `${cmd} ${flag} ${JSON.stringify(bad)}`,
      [cmd, ...rest, flag, bad, '--lake', LAKE],
      USAGE,
      new RegExp(`option '${flag} <[^>]+>' argument '${bad}' is invalid\\. expected a date YYYY-MM-DD`),
    ]);
  }
}

for (const cmd of ['silver', 'gold', 'validate', 'run', 'import']) {
  const base = [cmd, ...COMMANDS[cmd].args.filter((_, i, a) => a[i] !== '--exchange' && a[i - 1] !== '--exchange')];
  for (const bad of ['bitmex', 'BINANCE', '']) {
    ROWS.push([
      `${cmd} --exchange ${JSON.stringify(bad)}`,
      [...base, '--exchange', bad, '--lake', LAKE],
      USAGE,
      /argument '.*' is invalid\. expected one of binance, binanceus, binance-futures, kraken/,
    ]);
  }
}
for (const cmd of ['silver', 'gold', 'validate', 'run', 'import']) {
  for (const bad of ['BTC USDT', '', 'A=B', 'BTC"USDT', 'BTC//USD']) {
    ROWS.push([
      `${cmd} --symbol ${JSON.stringify(bad)}`,
      [cmd, ...COMMANDS[cmd].args, '--symbol', bad, '--lake', LAKE],
      USAGE,
      /option '--symbol <sym>' argument '.*' is invalid\. expected a symbol/,
    ]);
  }
}
for (const [cmd, rest] of [
  ['demo', []],
  ['collect', ['--source', 'sim']],
] as const) {
  for (const bad of [',', 'BTCUSDT,ETH USDT', '']) {
    ROWS.push([
      `${cmd} --symbols ${JSON.stringify(bad)}`,
      [cmd, ...rest, '--symbols', bad, '--lake', LAKE],
      USAGE,
      /option '--symbols <list>' argument '.*' is invalid\. (expected a comma-separated list|'.*' is not a symbol)/,
    ]);
  }
}
const NUMBERS: [string, string[], string][] = [
  ['demo', [], '--minutes'],
  ['collect', COMMANDS.collect.args, '--duration'],
  ['collect', COMMANDS.collect.args, '--sim-hours'],
  ['health', [], '--stale-after'],
];
for (const [cmd, rest, flag] of NUMBERS) {
  for (const bad of ['0', '-1', '1.5', 'abc', '1e3', '']) {
    ROWS.push([
      `${cmd} ${flag} ${JSON.stringify(bad)}`,
      [cmd, ...rest, flag, bad, '--lake', LAKE],
      USAGE,
      new RegExp(`option '${flag} <[^>]+>' argument '${bad}' is invalid\\. expected a positive whole number`),
    ]);
  }
}
const BACKFILL = COMMANDS.backfill.args;
for (const flag of ['--from', '--to']) {
  for (const bad of ['2024-02-30', '2024-05-01T25:00Z', '2024-05-01T10:00', 'yesterday', '']) {
    const rest = without(BACKFILL, flag);
    ROWS.push([
      `backfill ${flag} ${JSON.stringify(bad)}`,
      ['backfill', ...rest, flag, bad, '--lake', LAKE],
      USAGE,
      new RegExp(`option '${flag} <time>' argument '${bad}' is invalid\\. expected a UTC (date or )?time`),
    ]);
  }
}
ROWS.push(
  [
    'backfill --exchange kraken',
    ['backfill', '--exchange', 'kraken', ...without(BACKFILL, '--exchange'), '--lake', LAKE],
    USAGE,
    /^lakehouse: kraken cannot be backfilled \(.*\); backfill serves binance, binanceus, binance-futures\n$/,
  ],
  [
    'backfill --from after --to',
    ['backfill', '--exchange', 'binance', '--symbol', 'BTCUSDT', '--from', D2, '--to', D1, '--lake', LAKE],
    USAGE,
    /^lakehouse: --from 2024-05-02T00:00:00\.000Z is not before --to 2024-05-01T00:00:00\.000Z\n$/,
  ],
  [
    'backfill --rest-endpoint ws://',
    ['backfill', ...BACKFILL, '--rest-endpoint', 'ws://127.0.0.1:1', '--lake', LAKE],
    USAGE,
    /expected a http:\/\/ or https:\/\/ URL/,
  ],
  [
    'backfill --symbol "BTC USDT"',
    ['backfill', ...without(BACKFILL, '--symbol'), '--symbol', 'BTC USDT', '--lake', LAKE],
    USAGE,
    /option '--symbol <sym>' argument '.*' is invalid\. expected a symbol/,
  ],
);
ROWS.push(
  ['query --format xml', ['query', 'select 1', '--format', 'xml', '--lake', LAKE], USAGE, /Allowed choices are table, csv, json/],
  ['health --format csv', ['health', '--format', 'csv', '--lake', LAKE], USAGE, /Allowed choices are markdown, json/],
  [
    'validate --format csv',
    ['validate', '--date', D1, '--format', 'csv', '--lake', LAKE],
    USAGE,
    /Allowed choices are markdown, json/,
  ],
  ['query without SQL', ['query', '--lake', LAKE], USAGE, /missing required argument 'sql'/],
  ['query with empty SQL', ['query', '  ', '--lake', LAKE], USAGE, /expected SQL, got an empty string/],
  ['query with bad SQL', ['query', 'selec 1', '--lake', LAKE], USAGE, /^lakehouse: query failed: Parser Error/],
  [
    'query of a view that does not exist',
    ['query', 'select * from silver_nope', '--lake', LAKE],
    USAGE,
    /query failed: Catalog Error/,
  ],
  ['query of an s3:// lake', ['query', 'select 1', '--lake', 's3://bucket/lake'], USAGE, /use Athena for s3:\/\/ lakes/],
  ['demo of an s3:// lake', ['demo', '--lake', 's3://bucket/lake'], USAGE, /demo builds a local lake folder/],
  ['collect --source nope', ['collect', '--source', 'nope', '--symbols', 'BTCUSDT'], USAGE, /expected one of binance, .*, sim/],
  [
    'collect --endpoint http://',
    ['collect', ...COMMANDS.collect.args, '--endpoint', 'http://127.0.0.1:1'],
    USAGE,
    /expected a ws:\/\/ or wss:\/\/ URL/,
  ],
  ['collect --endpoint not-a-url', ['collect', ...COMMANDS.collect.args, '--endpoint', 'not a url'], USAGE, /expected a URL/],
  [
    'collect --rest-endpoint ws://',
    ['collect', ...COMMANDS.collect.args, '--rest-endpoint', 'ws://127.0.0.1:1'],
    USAGE,
    /expected a http:\/\/ or https:\/\/ URL/,
  ],
  [
    'collect --sim-hours without the simulator',
    ['collect', '--source', 'binance', '--symbols', 'BTCUSDT', '--sim-hours', '1'],
    USAGE,
    /--sim-hours, --sim-start and --faults need --source sim/,
  ],
  [
    'collect --faults x',
    ['collect', ...COMMANDS.collect.args, '--faults', 'x', '--lake', LAKE],
    USAGE,
    /--faults seed must be an integer/,
  ],
  [
    'collect into s3:// without --spool',
    ['collect', ...COMMANDS.collect.args, '--lake', 's3://bucket/lake'],
    USAGE,
    /needs --spool DIR/,
  ],
  [
    'collect --spool inside the lake',
    ['collect', ...COMMANDS.collect.args, '--lake', LAKE, '--spool', path.join(LAKE, 'spool')],
    USAGE,
    /is inside the lake/,
  ],
  [
    'import --file <a folder>',
    [...importOf(FOLDER), '--symbol', 'BTCUSDT', '--interval', '1m'],
    USAGE,
    new RegExp(`^lakehouse: ${FOLDER} is a folder, not a file\\n`),
  ],
  [
    'import --file <missing>',
    importOf(path.join(root, 'BTCUSDT-1m-2024-05.csv')),
    USAGE,
    /^lakehouse: no such file: .*BTCUSDT-1m-2024-05\.csv\n/,
  ],
  ['import --file <empty>', importOf(EMPTY_CSV), USAGE, /^lakehouse: BTCUSDT-1m-2024-05-01\.csv: holds no data rows\n/],
  [
    'import --file <header only>',
    importOf(HEADER_CSV),
    USAGE,
    /^lakehouse: ETHUSDT-1m-2024-05-01\.csv: holds a header and no data rows\n/,
  ],
  ['import --file ""', importOf(''), USAGE, /got an empty string/],
  [
    'import --dataset trades <a klines name>',
    [...importOf(EMPTY_CSV).slice(0, 3), '--dataset', 'trades', '--exchange', 'binance', '--lake', LAKE],
    USAGE,
    /BTCUSDT-1m-2024-05-01\.csv: name the file as the archive does, e\.g\. BTCUSDT-trades-2024-01\.zip/,
  ],
  [
    'import --dataset nope',
    [...importOf(EMPTY_CSV).slice(0, 3), '--dataset', 'nope', '--exchange', 'binance', '--lake', LAKE],
    USAGE,
    /expected one of klines/,
  ],
  ['import --interval 7m', [...importOf(EMPTY_CSV), '--interval', '7m'], USAGE, /expected one of 1m, 5m, 15m, 30m, 1h, 4h, 1d/],
  ['import without a symbol the file name gives', importOf(path.join(root, 'data.csv')), USAGE, /--symbol is required/],
  [
    'run --from after --to',
    ['run', '--from', D2, '--to', D1, '--lake', LAKE],
    USAGE,
    new RegExp(`--from ${D2} is after --to ${D1}`),
  ],

  // Nothing matched: the lake is there, the request is well formed, and the lake holds nothing for it.
  [
    'silver --symbol NOPE',
    ['silver', '--date', D1, '--symbol', 'NOPE', '--lake', LAKE],
    NOTHING,
    new RegExp(
      `^lakehouse: nothing to build: no Bronze 1m klines for NOPE on ${D1} ` +
        `\\(the lake's Bronze 1m klines: binance BTCUSDT ${D1}…${D2}\\)`,
    ),
  ],
  [
    'silver --exchange kraken',
    ['silver', '--date', D1, '--exchange', 'kraken', '--lake', LAKE],
    NOTHING,
    /nothing to build: no Bronze 1m klines for kraken on/,
  ],
  [
    'silver on a date without data',
    ['silver', '--date', '2020-01-01', '--lake', LAKE],
    NOTHING,
    /no Bronze 1m klines on 2020-01-01/,
  ],
  [
    'gold --exchange binance --symbol NOPE',
    ['gold', '--date', D1, '--exchange', 'binance', '--symbol', 'NOPE', '--lake', LAKE],
    NOTHING,
    new RegExp(
      `nothing to build: no Silver 1m klines for binance NOPE on ${D1} \\(the lake's Silver 1m klines: binance BTCUSDT ${D1}\\)`,
    ),
  ],
  [
    'gold of a date whose Silver is not built',
    ['gold', '--date', D2, '--lake', LAKE],
    NOTHING,
    new RegExp(`no Silver 1m klines on ${D2} \\(the Bronze is there: build Silver first, lakehouse silver --date ${D2}\\)`),
  ],
  [
    'run over a range with no data',
    ['run', '--from', '2020-01-01', '--to', '2020-01-31', '--lake', LAKE],
    NOTHING,
    /nothing to build: no Bronze 1m klines from 2020-01-01 to 2020-01-31 \(the lake's Bronze/,
  ],
  [
    'run --symbol NOPE',
    ['run', '--from', D1, '--to', D2, '--symbol', 'NOPE', '--lake', LAKE],
    NOTHING,
    /no Bronze 1m klines for NOPE from/,
  ],
  [
    'validate --date with no reports',
    ['validate', '--date', D2, '--lake', LAKE],
    NOTHING,
    new RegExp(`^lakehouse: no quality report for ${D2}; run lakehouse silver --date ${D2} first\\n`),
  ],
  [
    'validate --symbol NOPE',
    ['validate', '--date', D1, '--symbol', 'NOPE', '--lake', LAKE],
    NOTHING,
    /no quality report for .* NOPE; that date has reports for binance BTCUSDT/,
  ],
);

const cases = (rows: Row[]) => rows.map(([name, args, code, message]) => ({ name, args, code, message }));

describe('every command against hostile invocations (in-process)', () => {
  it('covers every command of the CLI', async () => {
    const { lakehouseProgram } = await import('../../bin/cli');
    expect(
      lakehouseProgram({ exitCode: 0 })
        .commands.map((c) => c.name())
        .sort(),
    ).toEqual(Object.keys(COMMANDS).sort());
  }, 30_000);

  it.each(cases(ROWS))(
    '$name → exit $code',
    async ({ args, code, message }) => {
      expectOneLine(await lakehouseInProcess(args), code, message);
    },
    30_000,
  );
});

describe('the same as a real process', () => {
  // A sample of the table through bin/lakehouse.js: the process adds nothing (no log line, no trace) to the one line.
  const SAMPLE = ROWS.filter(([name]) =>
    [
      'no command',
      'silver with an unknown flag',
      'query --lake <a file>',
      'import --file <a folder>',
      'silver --symbol NOPE',
      'run over a range with no data',
      'gold of a date whose Silver is not built',
    ].includes(name),
  );

  it('samples the table', () => {
    expect(SAMPLE).toHaveLength(7);
  }, 5_000);

  it.each(cases(SAMPLE))(
    '$name → exit $code',
    async ({ args, code, message }) => {
      // The log level a user has by default (tests may run with LOG_LEVEL=silent): no log line joins the message.
      expectOneLine(await lakehouse(args, { timeoutMs: 60_000, env: { LOG_LEVEL: 'warn' } }), code, message);
    },
    90_000,
  );
});

/** Runs `node bin/lakehouse.js args` with its stdout closed before it writes anything, as `| head -0` would. */
function withClosedStdout(args: string[], opts: SpawnOptions = {}): Promise<CliResult & { signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(REPO, 'bin/lakehouse.js'), ...args], {
      env: { ...process.env, NODE_OPTIONS: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
      ...opts,
    });
    child.stdout!.destroy();
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('close', (code, signal) => resolve({ code: code ?? -1, signal, stdout: '', stderr }));
  });
}

describe('a reader that closes the pipe early', () => {
  const BIG = 'select * from silver_klines';
  /** A lake with an empty Gold file: health and validate exit 3 on it, whether or not anyone reads what they say. */
  const damaged = path.join(root, 'damaged-lake');

  beforeAll(async () => {
    await fs.cp(LAKE, damaged, { recursive: true });
    await damage(new LocalObjectStore(damaged), goldFeaturesKey(BTC, D1), 'empty');
  }, 60_000);

  it.each([
    ['query --format table', ['query', BIG, '--format', 'table'], LAKE, 0],
    ['query --format csv', ['query', BIG, '--format', 'csv'], LAKE, 0],
    ['query --format json', ['query', BIG, '--format', 'json'], LAKE, 0],
    ['features', ['features'], undefined, 0],
    ['validate', ['validate', '--date', D1], LAKE, 0],
    ['validate of a lake with a bad file', ['validate', '--date', D1], damaged, 3],
    ['health', ['health', '--format', 'json'], LAKE, 0],
    ['health of a lake with a bad file', ['health'], damaged, 3],
  ])(
    '%s ends quietly with its own exit code',
    async (_name, args, lake, code) => {
      const r = await withClosedStdout([...args, ...(lake ? ['--lake', lake] : [])]);
      expect({ code: r.code, signal: r.signal, stderr: r.stderr }).toEqual({ code, signal: null, stderr: '' });
    },
    60_000,
  );

  it('lakehouse query … | head -1 in a shell prints one line, and the pipeline succeeds', async () => {
    const bin = path.join(REPO, 'bin/lakehouse.js');
    const r = await new Promise<CliResult>((resolve) => {
      // Far more than a pipe holds (64 KiB), so the writer is still writing when head exits.
      const script = `set -o pipefail; node '${bin}' query "${BIG}" --format csv --lake '${LAKE}' 2>'${root}/pipe.err' | head -1`;
      const child = spawn('bash', ['-c', script], { env: { ...process.env, NODE_OPTIONS: '' } });
      let stdout = '';
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
      });
      child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr: '' }));
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^open_time,.*\n$/);
    expect(await fs.readFile(path.join(root, 'pipe.err'), 'utf8')).toBe('');
  }, 60_000);
});

describe('signals', () => {
  it.each(['SIGINT', 'SIGTERM'] as const)(
    '%s ends a build with no trace, and the lake still reads',
    async (signal) => {
      const store = new LocalObjectStore(path.join(tmpDir('cli-contract-signal'), 'lake'));
      await fs.cp(LAKE, store.localRoot, { recursive: true });
      // A week of Bronze more: the build is still going when the signal comes.
      const days = ['2024-05-03', '2024-05-04', '2024-05-05', '2024-05-06', '2024-05-07', '2024-05-08'];
      for (const dt of days) await writeBronzeDay(store, BTC, dt);
      const run = startLakehouse(['run', '--from', D1, '--to', days.at(-1)!, '--lake', store.localRoot], {
        guardMs: 60_000,
        env: { LOG_LEVEL: 'warn' },
      });
      try {
        await run.line(/^silver 2024-05-02 /m);
        run.child.kill(signal);
        const r = await run.closed;
        // Killed by the signal, as a shell reports it (128 + its number), with nothing said.
        expect({ code: r.code, signal: r.signal }).toEqual({ code: null, signal });
        expect(r.stderr).not.toMatch(/^\s+at |unexpected error|^\w*Error: /m);
        // Partitions are replaced whole (a temporary file, then a rename): no half-written file is left for a reader.
        const q = await lakehouse([
          'query',
          'select count(*) as n from silver_klines',
          '--format',
          'csv',
          '--lake',
          store.localRoot,
        ]);
        expect({ code: q.code, stderr: q.stderr }).toEqual({ code: 0, stderr: '' });
      } finally {
        run.kill();
      }
    },
    90_000,
  );
});

describe('a read-only lake', () => {
  // Root writes through permission bits, so as root the commands run as `nobody`, as a user without the rights would.
  const asUser: SpawnOptions = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
  let ro: string;

  beforeAll(async () => {
    const dir = tmpDir('cli-contract-ro');
    ro = path.join(dir, 'lake');
    await fs.cp(LAKE, ro, { recursive: true });
    await fs.chmod(dir, 0o755);
    await makeReadOnly(ro);
  }, 60_000);

  async function makeReadOnly(p: string): Promise<void> {
    const stat = await fs.stat(p);
    if (stat.isDirectory()) for (const name of await fs.readdir(p)) await makeReadOnly(path.join(p, name));
    await fs.chmod(p, stat.isDirectory() ? 0o555 : 0o444);
  }

  function runAs(args: string[]): Promise<CliResult> {
    return new Promise((resolve) => {
      const child = spawn(process.execPath, [path.join(REPO, 'bin/lakehouse.js'), ...args], {
        env: { ...process.env, NODE_OPTIONS: '' },
        stdio: ['ignore', 'pipe', 'pipe'],
        ...asUser,
      });
      let stdout = '';
      let stderr = '';
      child.stdout!.on('data', (d: Buffer) => {
        stdout += d.toString();
      });
      child.stderr!.on('data', (d: Buffer) => {
        stderr += d.toString();
      });
      child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    });
  }

  it.each([
    ['silver', ['silver', '--date', D1]],
    ['gold', ['gold', '--date', D1]],
    ['run', ['run', '--from', D1, '--to', D1]],
    ['import', ['import', '--file', HEADER_CSV, '--dataset', 'klines', '--exchange', 'binance']],
    ['demo', ['demo', '--minutes', '1']],
  ])(
    '%s refuses it before any work: one line naming it, exit 2',
    async (_name, args) => {
      expectOneLine(
        await runAs([...args, '--lake', ro]),
        USAGE,
        new RegExp(`^lakehouse: cannot write to the lake ${ro}: permission denied\\n`),
      );
    },
    60_000,
  );

  it('import cannot create a lake inside it: one line naming the folder, exit 2', async () => {
    const inside = path.join(ro, 'more', 'lake');
    expectOneLine(
      await runAs(['import', '--file', HEADER_CSV, '--dataset', 'klines', '--exchange', 'binance', '--lake', inside]),
      USAGE,
      new RegExp(`^lakehouse: cannot create the lake ${inside}: cannot write to ${ro} \\(permission denied\\)\\n`),
    );
  }, 60_000);

  it.each([
    ['query', ['query', 'select count(*) as n from gold_features_1m', '--format', 'csv'], 0, /^n\n1440\n$/],
    ['validate', ['validate', '--date', D1, '--format', 'json'], 0, /"verdict"/],
    ['health', ['health', '--format', 'json'], 0, /"ok": true/],
  ])(
    '%s reads it as any lake',
    async (_name, args, code, out) => {
      const r = await runAs([...args, '--lake', ro]);
      expect({ code: r.code, stderr: r.stderr }).toEqual({ code, stderr: '' });
      expect(r.stdout).toMatch(out);
    },
    60_000,
  );
});
