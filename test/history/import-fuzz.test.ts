import { promises as fs, readFileSync } from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import fc from 'fast-check';
import { ArchiveError } from '../../lib/history/archive-source';
import { importArchive } from '../../lib/history/import-archive';
import { readTables } from '../../lib/parquet/read';
import { KLINE_TIMEFRAMES, timeframeMs, type ExchangeId } from '../../lib/schema/columns';
import { dataset } from '../../lib/schema/registry';
import { checkExchangeTime, validateRow } from '../../lib/schema/validate';
import { LocalObjectStore } from '../../lib/storage/local-store';
import { listAll } from '../../lib/storage/object-store';
import { tmpDir } from '../helpers/sample-rows';
import { testdataPath } from '../helpers/testdata';
import { makeZip } from '../helpers/zip';
import { seededShuffle } from '../helpers/shuffle';

/**
 * Property: whatever is done to a real archive file (cut off, bytes flipped, lines dropped, repeated or shuffled,
 * timestamps switched between ms and µs, quotes and binary garbage injected, header games, a wrong interval, zipped
 * and the ZIP damaged), `lakehouse import` never crashes or hangs, never writes a row outside the registry's
 * ranges or its exchange's era, and accounts for every line: imported or rejected with a reason, or the file
 * refused whole with one line and nothing written. Fixed seed, 200 cases of 1-4 mutations each (about 500 mutations;
 * about 130 files imported, 70 refused) on 200-line slices of six real files; about 20 s.
 */

const SEED = 20_240_812;
const RUNS = 200;
const NOW = Date.parse('2026-01-01T00:00:00Z');
const bronze = dataset('bronze', 'klines');
const quarantine = dataset('quarantine', 'klines');

interface Base {
  name: string;
  exchange: ExchangeId;
  symbol?: string;
  interval?: string;
  header: string | null;
  lines: string[];
}

const read = (rel: string) => readFileSync(testdataPath(rel), 'latin1').trimEnd().split('\n');
const link = read('binance_um_futures_klines_1m/LINKUSDT-1m-2023-02.csv');
const fil = read('binance_um_futures_klines_1m/FILUSDT-1m-2024-10.csv');
const us = read('binance_us_klines_1m/BTCUSDC_1m_20230301_20230321.csv');
/** The CSV of Lean's one-entry ZIP, from its local header (name and extra field lengths, compressed size). */
function leanCsv(): string {
  const zip = readFileSync(testdataPath('lean_binance/btcbusd_minute_20221213_trade.zip'));
  const start = 30 + zip.readUInt16LE(26) + zip.readUInt16LE(28);
  return zlib.inflateRawSync(zip.subarray(start, start + zip.readUInt32LE(18))).toString('latin1');
}
const lean = leanCsv();

/** The real files, cut to 200 lines so that a case takes milliseconds. */
const BASES: Base[] = [
  { name: 'LINKUSDT-1m-2023-02.csv', exchange: 'binance-futures', header: link[0], lines: link.slice(1, 201) },
  // FILUSDT 2024-10-28 from 15:40: the exchange's placeholder bars of 16:21-16:36 among them.
  {
    name: 'FILUSDT-1m-2024-10.csv',
    exchange: 'binance-futures',
    header: fil[0],
    lines: fil.slice(1 + 27 * 1440 + 940).slice(0, 200),
  },
  { name: 'BTCUSDC_1m_20230301_20230321.csv', exchange: 'binanceus', header: us[0], lines: us.slice(1, 201) },
  {
    name: 'BTCUSDC_1m_2023Q1.csv',
    exchange: 'kraken',
    symbol: 'BTC/USDC',
    header: null,
    lines: read('kraken/BTCUSDC_1m_2023Q1.csv').slice(0, 200),
  },
  // The LINKUSDT rows in the spot archives' microseconds (2025 onwards), no header.
  {
    name: 'LINKUSDT-1m-2025-01.csv',
    exchange: 'binance',
    header: null,
    lines: link.slice(1, 201).map((l) => switchUnit(l, true)),
  },
  // Lean's milliseconds since midnight: every case of it must be refused or reject every row.
  {
    name: '20221213_btcbusd_minute_trade.csv',
    exchange: 'binance',
    symbol: 'BTCBUSD',
    interval: '1m',
    header: null,
    lines: lean.split('\n').slice(0, 200),
  },
];

/** A line's epoch time fields ×1000 (`up`) or /1000; ISO times become epoch ms. */
function switchUnit(line: string, up: boolean): string {
  const f = line.split(',');
  const idx = f.length >= 11 ? [0, 6] : [0];
  for (const i of idx) {
    if (/^\d+$/.test(f[i])) f[i] = up ? `${f[i]}000` : f[i].slice(0, -3) || '0';
    else if (Number.isFinite(Date.parse(f[i]))) f[i] = String(Date.parse(f[i].replace(' ', 'T')));
  }
  return f.join(',');
}

type Mutation =
  | { kind: 'truncate'; at: number }
  | { kind: 'flip'; at: number; xor: number }
  | { kind: 'drop'; at: number; n: number }
  | { kind: 'duplicate'; at: number; n: number; to: number }
  | { kind: 'shuffle'; seed: number }
  | { kind: 'unit'; at: number; n: number; up: boolean }
  | { kind: 'quote'; at: number; pos: number }
  | { kind: 'garbage'; at: number; bytes: number[] }
  | { kind: 'header'; game: 'drop' | 'repeat' | 'upper' | 'garbage' | 'add' }
  | { kind: 'crlf' }
  | { kind: 'noNewline' };

/** A position in [0, 1). (Integers, because fast-check's doubles crowd near 0 and cut nearly every file to nothing.) */
const frac = fc.nat({ max: 9_999 }).map((x) => x / 10_000);
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('truncate' as const), at: frac }),
  fc.record({ kind: fc.constant('flip' as const), at: frac, xor: fc.integer({ min: 1, max: 255 }) }),
  fc.record({ kind: fc.constant('drop' as const), at: frac, n: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ kind: fc.constant('duplicate' as const), at: frac, n: fc.integer({ min: 1, max: 60 }), to: frac }),
  fc.record({ kind: fc.constant('shuffle' as const), seed: fc.integer() }),
  fc.record({ kind: fc.constant('unit' as const), at: frac, n: fc.integer({ min: 1, max: 300 }), up: fc.boolean() }),
  fc.record({ kind: fc.constant('quote' as const), at: frac, pos: frac }),
  fc.record({
    kind: fc.constant('garbage' as const),
    at: frac,
    bytes: fc.array(fc.nat({ max: 255 }), { minLength: 1, maxLength: 80 }),
  }),
  fc.record({
    kind: fc.constant('header' as const),
    game: fc.constantFrom(...(['drop', 'repeat', 'upper', 'garbage', 'add'] as const)),
  }),
  fc.record({ kind: fc.constant('crlf' as const) }),
  fc.record({ kind: fc.constant('noNewline' as const) }),
);

const fuzzCase = fc.record({
  base: fc.integer({ min: 0, max: BASES.length - 1 }),
  mutations: fc.array(mutation, { minLength: 1, maxLength: 4 }),
  // Now and then an interval other than the file's (or the file's own, given explicitly).
  interval: fc.oneof({ weight: 4, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.constantFrom(...KLINE_TIMEFRAMES) }),
  zip: fc.boolean(),
  zipFlip: fc.oneof(
    { weight: 4, arbitrary: fc.constant(null) },
    { weight: 1, arbitrary: fc.record({ at: frac, xor: fc.integer({ min: 1, max: 255 }) }) },
  ),
});

/** The file's bytes after the mutations: line-level ones first, then those on bytes. */
function mutate(base: Base, mutations: readonly Mutation[]): Buffer {
  let header = base.header;
  let lines = [...base.lines];
  let eol = '\n';
  let trailing = true;
  const ix = (at: number, len = lines.length) => Math.floor(at * Math.max(1, len));
  for (const m of mutations) {
    switch (m.kind) {
      case 'drop':
        lines.splice(ix(m.at), m.n);
        break;
      case 'duplicate':
        lines.splice(ix(m.to), 0, ...lines.slice(ix(m.at), ix(m.at) + m.n));
        break;
      case 'shuffle':
        lines = seededShuffle(lines, m.seed);
        break;
      case 'unit':
        lines = lines.map((l, i) => (i >= ix(m.at) && i < ix(m.at) + m.n ? switchUnit(l, m.up) : l));
        break;
      case 'quote': {
        const i = ix(m.at);
        const l = lines[i];
        if (l !== undefined) lines[i] = `${l.slice(0, ix(m.pos, l.length))}"${l.slice(ix(m.pos, l.length))}`;
        break;
      }
      case 'garbage':
        lines.splice(ix(m.at), 0, Buffer.from(m.bytes).toString('latin1'));
        break;
      case 'header':
        if (m.game === 'drop') header = null;
        else if (m.game === 'repeat' && header) lines.splice(ix(0.5), 0, header);
        else if (m.game === 'upper' && header) header = header.toUpperCase();
        else if (m.game === 'garbage') header = '\u0000\u00ff"garbage';
        else if (m.game === 'add') header = link[0];
        break;
      case 'crlf':
        eol = '\r\n';
        break;
      case 'noNewline':
        trailing = false;
        break;
      default:
        break;
    }
  }
  const text = [...(header === null ? [] : [header]), ...lines].join(eol) + (trailing ? eol : '');
  let bytes = Buffer.from(text, 'latin1');
  for (const m of mutations) {
    if (m.kind === 'truncate') bytes = bytes.subarray(0, ix(m.at, bytes.length));
    else if (m.kind === 'flip' && bytes.length) bytes[ix(m.at, bytes.length)] ^= m.xor;
  }
  return bytes;
}

/** Lines the importer must account for: every line that is not blank. */
const nonBlankLines = (csv: Buffer) =>
  csv
    .toString('latin1')
    .split('\n')
    .filter((l) => l.replace(/\r$/, '').trim() !== '').length;

describe('lakehouse import under fuzzing (fast-check, fixed seed)', () => {
  it(`never crashes, never writes a row outside the registry's ranges, and accounts for every line (${RUNS} cases)`, async () => {
    const root = tmpDir('import-fuzz');
    const seen = new Map<string, number>();
    const outcomes = { imported: 0, refused: 0, rowsRejected: 0 };
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fuzzCase, async (c) => {
        const base = BASES[c.base];
        const dir = path.join(root, `case-${n++}`);
        await fs.mkdir(dir);
        try {
          for (const m of c.mutations) seen.set(m.kind, (seen.get(m.kind) ?? 0) + 1);
          const csv = mutate(base, c.mutations);
          let bytes = csv;
          let name = base.name;
          if (c.zip) {
            name = base.name.replace(/\.csv$/, '.zip');
            bytes = makeZip(base.name, csv);
            if (c.zipFlip) {
              bytes[Math.floor(c.zipFlip.at * bytes.length)] ^= c.zipFlip.xor;
              seen.set('zipFlip', (seen.get('zipFlip') ?? 0) + 1);
            }
          }
          if (c.interval) seen.set('interval', (seen.get('interval') ?? 0) + 1);
          const file = path.join(dir, name);
          await fs.writeFile(file, bytes);
          const store = new LocalObjectStore(path.join(dir, 'lake'));
          const interval = c.interval ?? base.interval;
          let r;
          try {
            r = await importArchive({
              store,
              file,
              dataset: 'klines',
              exchange: base.exchange,
              symbol: base.symbol,
              interval,
              now: () => NOW,
            });
          } catch (e) {
            // Refused whole: an ArchiveError of one line naming the file, and nothing written.
            if (!(e instanceof ArchiveError)) throw e;
            expect(e.message).not.toMatch(/\n/);
            expect(e.message.startsWith(`${name}`)).toBe(true);
            expect(await listAll(store, '')).toEqual([]);
            outcomes.refused++;
            return;
          }
          outcomes.imported++;
          outcomes.rowsRejected += r.rejected;
          const step = timeframeMs(r.interval);
          const keys = (await listAll(store, 'bronze/')).map((o) => o.key);
          const table = await readTables(store, bronze, keys);
          expect(table.length).toBe(r.rows);
          expect(r.rows + r.rejected).toBe(r.records);
          // Every line that is not blank is a row, a rejected line, or the header.
          expect([0, 1]).toContain(nonBlankLines(csv) - r.records);
          // One file per hour partition: few, large files.
          expect(new Set(keys.map((k) => k.slice(0, k.lastIndexOf('/')))).size).toBe(keys.length);
          for (let i = 0; i < table.length; i++) {
            const row = table.row(i);
            expect(validateRow(bronze, row)).toBeNull();
            expect(checkExchangeTime(base.exchange, 'open_time', row.open_time as number, NOW)).toBeNull();
            expect((row.open_time as number) % step).toBe(0);
            expect((row.close_time as number) - (row.open_time as number) + 1).toBe(step);
          }
          const reasons = Object.values(r.rejectedByReason).reduce((a, b) => a + b, 0);
          expect(reasons).toBe(r.rejected);
          if (r.rejected) {
            const q = await readTables(store, quarantine, [r.quarantineKey!]);
            expect(q.length).toBe(r.rejected);
            expect(q.str('quarantine_reason').every((x) => typeof x === 'string' && / line \d+: /.test(x))).toBe(true);
          } else {
            expect(await listAll(store, 'quarantine/')).toEqual([]);
          }
        } finally {
          await fs.rm(dir, { recursive: true, force: true });
        }
      }),
      { seed: SEED, numRuns: RUNS, timeout: 10_000, endOnFailure: true },
    );
    process.stderr.write(`FUZZSTATS ${JSON.stringify({ outcomes, seen: [...seen] })}\n`);
    // Every kind of damage was tried, and the cases both imported and refused files.
    const kinds = [
      'truncate',
      'flip',
      'drop',
      'duplicate',
      'shuffle',
      'unit',
      'quote',
      'garbage',
      'header',
      'crlf',
      'noNewline',
      'zipFlip',
      'interval',
    ];
    for (const kind of kinds) {
      expect(seen.get(kind) ?? 0).toBeGreaterThanOrEqual(5);
    }
    expect(outcomes.imported).toBeGreaterThan(20);
    expect(outcomes.refused).toBeGreaterThan(20);
    expect(outcomes.rowsRejected).toBeGreaterThan(0);
  }, 120_000);
});
