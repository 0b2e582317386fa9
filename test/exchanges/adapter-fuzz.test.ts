import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { CollectorStats } from '../../lib/collector/stats';
import { BinanceFuturesAdapter } from '../../lib/exchanges/binance/futures-adapter';
import { parseFuturesStreamName } from '../../lib/exchanges/binance/futures-streams';
import { BinanceSpotAdapter } from '../../lib/exchanges/binance/spot-adapter';
import { parseSpotStreamName } from '../../lib/exchanges/binance/spot-streams';
import { KrakenAdapter } from '../../lib/exchanges/kraken/adapter';
import { parseRfc3339Ms } from '../../lib/exchanges/kraken/fields';
import { KRAKEN_OHLC_TIMEFRAMES, parseKrakenStreamName } from '../../lib/exchanges/kraken/streams';
import { baseQuote } from '../../lib/exchanges/symbols';
import type { BronzeDatasetName, ExchangeAdapter, ParseOutcome } from '../../lib/exchanges/types';
import { KLINE_TIMEFRAMES } from '../../lib/schema/columns';
import { dataset } from '../../lib/schema/registry';
import { validateRow } from '../../lib/schema/validate';
import { applyMutation, describeMutation, mutations, type Mutation } from './fuzz/mutations';
import {
  binanceFuturesCorpus,
  binanceSpotCorpus,
  binanceUsCorpus,
  KRAKEN_RECORDED_DEPTH,
  krakenCorpus,
  type Corpus,
} from './fuzz/seeds';

/**
 * Property-based fuzzing of every WebSocket adapter with mutations of real exchange messages (test/exchanges/fuzz).
 * Whatever arrives, an adapter must not throw; every row it returns must fit the schema registry (types, ranges,
 * exactly the dataset's columns); every message it does not map must come back with a reason, short and drawn
 * from a bounded set (the collector counts rejections by reason, and its heartbeat lists every one); and a
 * rejected message must leave the adapter as it was: the next good message maps exactly as without it.
 *
 * Deterministic: fixed fast-check seeds; a failure prints the seed, the path and the shrunk case to replay it.
 * To explore beyond the fixed cases: FUZZ_SEED=<n> (another seed for every adapter) and FUZZ_RUNS=<factor>.
 */

const RECV = Date.UTC(2024, 7, 8, 23, 55);
const SEED_OVERRIDE = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined;
const RUNS_FACTOR = Number(process.env.FUZZ_RUNS) || 1;
const MAX_REASON_CHARS = 200;
const MAX_TIMESTAMP_MS = 8.64e15;

interface StreamInfo {
  symbol: string;
  channel: string;
  interval?: string;
}

interface Target {
  name: string;
  make(): ExchangeAdapter;
  corpus(): Corpus;
  datasets: readonly BronzeDatasetName[];
  /** What a stream name of this exchange names, and the channel each dataset's records must come from. */
  stream(name: string): StreamInfo | null;
  channels: Partial<Record<BronzeDatasetName, string>>;
  seed: number;
  runs: number;
  /**
   * Distinct rejection reasons one adapter may produce over the run: its templates times its fields, plus at most
   * 16 peer-sent names per kind. A reason that carried a value would make one per rejected message (thousands).
   */
  maxReasons: number;
}

const SPOT: readonly BronzeDatasetName[] = ['klines', 'trades', 'book_top10', 'quotes'];
const BINANCE_CHANNELS = {
  klines: 'kline',
  trades: 'trade',
  quotes: 'bookTicker',
  book_top10: 'partialDepth',
  funding: 'markPrice',
  liquidations: 'forceOrder',
};
const krakenStream = (name: string): StreamInfo | null => {
  const k = parseKrakenStreamName(name);
  const interval = k?.channel === 'ohlc' ? KRAKEN_OHLC_TIMEFRAMES.get(k.param ?? 0) : undefined;
  return k && { symbol: k.symbol, channel: k.channel, interval };
};

const TARGETS: Target[] = [
  {
    name: 'Binance spot',
    make: () => new BinanceSpotAdapter('binance'),
    corpus: binanceSpotCorpus,
    datasets: SPOT,
    stream: parseSpotStreamName,
    channels: BINANCE_CHANNELS,
    seed: 0x5107,
    runs: 4000,
    maxReasons: 200,
  },
  {
    name: 'Binance US',
    make: () => new BinanceSpotAdapter('binanceus'),
    corpus: binanceUsCorpus,
    datasets: SPOT,
    stream: parseSpotStreamName,
    channels: BINANCE_CHANNELS,
    seed: 0x0b05,
    runs: 2500,
    maxReasons: 200,
  },
  {
    name: 'Binance USD-M futures',
    make: () => new BinanceFuturesAdapter(),
    corpus: binanceFuturesCorpus,
    datasets: [...SPOT, 'funding', 'liquidations'],
    stream: parseFuturesStreamName,
    channels: BINANCE_CHANNELS,
    seed: 0xf070,
    runs: 4000,
    maxReasons: 300,
  },
  {
    name: 'Kraken v2',
    make: () => new KrakenAdapter({ bookDepth: KRAKEN_RECORDED_DEPTH }),
    corpus: krakenCorpus,
    datasets: SPOT,
    stream: krakenStream,
    channels: { klines: 'ohlc', trades: 'trade', quotes: 'book', book_top10: 'book' },
    seed: 0x3a4e,
    runs: 3000,
    maxReasons: 200,
  },
];

const INTEGER_TYPES = new Set(['int64', 'int32', 'timestamp']);

/** What is wrong with an outcome, or null. */
function outcomeProblem(o: ParseOutcome, target: Target): string | null {
  switch (o?.kind) {
    case 'records':
      if (!Array.isArray(o.records) || o.records.length === 0) return 'records outcome without records';
      for (const r of o.records) {
        if (!target.datasets.includes(r.dataset)) return `record of dataset ${r.dataset}, which this adapter does not produce`;
        const spec = dataset('bronze', r.dataset);
        const problem = validateRow(spec, r.row);
        if (problem) return `${r.dataset} row outside the registry: ${problem}`;
        const names = spec.columns.map((c) => c.name);
        const extra = Object.keys(r.row).filter((k) => !names.includes(k));
        const missing = names.filter((k) => !(k in r.row));
        if (extra.length || missing.length)
          return `${r.dataset} row columns: extra ${extra.join(',')} missing ${missing.join(',')}`;
        for (const c of spec.columns) {
          const v = r.row[c.name];
          if (typeof v !== 'number' || !INTEGER_TYPES.has(c.type)) continue;
          if (!Number.isSafeInteger(v)) return `${r.dataset}.${c.name}=${v} is not a safe integer`;
          if (c.type === 'timestamp' && Math.abs(v) > MAX_TIMESTAMP_MS)
            return `${r.dataset}.${c.name}=${v} is not a representable time`;
        }
        if (typeof r.symbol !== 'string' || r.symbol === '' || r.symbol !== r.symbol.toUpperCase()) {
          return `bad symbol ${JSON.stringify(r.symbol)}`;
        }
        const { base, quote } = baseQuote(r.symbol);
        if (r.row.base !== base || r.row.quote !== quote)
          return `base/quote ${r.row.base}/${r.row.quote} do not match symbol ${r.symbol}`;
        if (typeof r.stream !== 'string' || r.stream === '') return 'record without a stream';
        // Filed under a stream of its own symbol and dataset, or the gap ledger and silence checks track a phantom.
        const info = target.stream(r.stream);
        const wrongInterval = r.dataset === 'klines' && info?.interval !== r.timeframe;
        if (info?.symbol !== r.symbol || info.channel !== target.channels[r.dataset] || wrongInterval) {
          return `${r.dataset} record of ${r.symbol} filed under stream ${JSON.stringify(r.stream)}`;
        }
        const timeframes: readonly string[] = KLINE_TIMEFRAMES;
        if (r.dataset === 'klines' && !timeframes.includes(r.timeframe ?? '')) return `kline timeframe ${r.timeframe}`;
        if (r.row.ingest_time !== RECV || r.row.source !== 'ws') return 'ingest_time or source not the receive time and ws';
      }
      return null;
    case 'control':
      return typeof o.what === 'string' && o.what !== '' ? null : 'control outcome without what';
    case 'skipped':
    case 'error':
      if (typeof o.reason !== 'string' || o.reason === '') return `${o.kind} outcome without a reason`;
      return o.reason.length <= MAX_REASON_CHARS
        ? null
        : `${o.kind} reason of ${o.reason.length} characters: ${o.reason.slice(0, 80)}…`;
    default:
      return `not an outcome: ${JSON.stringify(o)?.slice(0, 200)}`;
  }
}

describe.each(TARGETS)('$name adapter under fuzzing', (target) => {
  let sequences: string[][];
  let baseline: ParseOutcome[][];
  let frames: string[];

  beforeAll(() => {
    sequences = target.corpus().sequences;
    frames = sequences.flat();
    baseline = sequences.map((seq) => {
      const a = target.make();
      return seq.map((raw) => a.parse(raw, RECV));
    });
  });

  it('maps its real seed messages into every dataset it produces', () => {
    const kinds = new Map<string, number>();
    for (const o of baseline.flat()) {
      expect(outcomeProblem(o, target)).toBeNull();
      for (const key of o.kind === 'records' ? o.records.map((r) => r.dataset) : [o.kind])
        kinds.set(key, (kinds.get(key) ?? 0) + 1);
    }
    for (const ds of target.datasets) expect(kinds.get(ds) ?? 0).toBeGreaterThan(0);
    // Seeds are good messages: none of them is an error.
    expect(baseline.flat().filter((o) => o.kind === 'error')).toEqual([]);
  });

  it('never throws, returns only rows that fit the registry, and rejects with a reason that leaves no trace', () => {
    // One adapter sees every damaged message in turn, as the collector's does on a hostile connection.
    const runs = Math.round(target.runs * RUNS_FACTOR);
    const longLived = target.make();
    const stats = new CollectorStats(() => RECV);
    const applied = new Map<string, number>();
    let cases = 0;
    let rejected = 0;
    fc.assert(
      fc.property(fc.nat(), fc.nat(), mutations, (which, at, muts: Mutation[]) => {
        const s = which % sequences.length;
        const seq = sequences[s];
        const i = at % seq.length;
        const adapter = target.make();
        for (let k = 0; k < i; k++) adapter.parse(seq[k], RECV);
        let raw = seq[i];
        for (const m of muts) raw = applyMutation(raw, m, frames);
        const out = adapter.parse(raw, RECV);
        const problem = outcomeProblem(out, target);
        if (problem) throw new Error(`${problem}\nmessage: ${raw.slice(0, 600)}`);
        const shared = longLived.parse(raw, RECV);
        const sharedProblem = outcomeProblem(shared, target);
        if (sharedProblem) throw new Error(`after earlier damaged messages: ${sharedProblem}\nmessage: ${raw.slice(0, 600)}`);
        stats.message(shared, raw);
        cases++;
        for (const m of muts) applied.set(describeMutation(m), (applied.get(describeMutation(m)) ?? 0) + 1);
        if (out.kind !== 'error' && out.kind !== 'skipped') return;
        rejected++;
        // A rejected message changed nothing: the original maps as it did on a fresh replay.
        const again = adapter.parse(seq[i], RECV);
        if (!isDeepStrictEqual(again, baseline[s][i])) {
          throw new Error(`rejected message left a trace: ${JSON.stringify(again).slice(0, 300)}\nafter: ${raw.slice(0, 600)}`);
        }
      }),
      { seed: SEED_OVERRIDE ?? target.seed, numRuns: runs, includeErrorInReport: true },
    );
    expect(cases).toBe(runs);
    // Most damage is caught, and every message is counted: records, control, or a rejection under its reason.
    expect(rejected).toBeGreaterThan(runs / 3);
    const snap = stats.snapshot(0, 0);
    const sum = (o: Record<string, number>) => Object.values(o).reduce((a, b) => a + b, 0);
    const errors = Object.values(snap.errors).reduce((n, e) => n + e.count, 0);
    expect(snap.messages).toBe(runs);
    expect(errors + sum(snap.skipped) + sum(snap.control)).toBeLessThanOrEqual(runs);
    expect(errors).toBeGreaterThan(0);
    // The reasons it was counted under are a bounded vocabulary, not one per message.
    expect(Object.keys(snap.errors).length + Object.keys(snap.skipped).length).toBeLessThanOrEqual(target.maxReasons);
    // Every kind of mutation was exercised many times.
    for (const kind of [
      'truncate',
      'flip',
      'insert',
      'delete',
      'repeat',
      'concat',
      'value:set',
      'value:delete',
      'value:duplicateKey',
    ]) {
      expect(applied.get(kind) ?? 0).toBeGreaterThan(50);
    }
  });
});

describe('Kraken RFC 3339 times, property-based', () => {
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');

  it('reads every instant of years 0001-9999, at any offset and sub-millisecond precision, as its epoch ms', () => {
    const instant = fc.date({
      min: new Date('0001-01-02T00:00:00Z'),
      max: new Date('9999-12-30T23:59:59.999Z'),
      noInvalidDate: true,
    });
    const offsets = fc.integer({ min: -(23 * 60 + 59), max: 23 * 60 + 59 });
    fc.assert(
      fc.property(instant, offsets, fc.nat({ max: 6 }), (d, offsetMin, extraDigits) => {
        const local = new Date(d.getTime() + offsetMin * 60_000).toISOString().slice(0, -1);
        const sign = offsetMin < 0 ? '-' : '+';
        const offset =
          offsetMin === 0 ? 'Z' : `${sign}${pad(Math.floor(Math.abs(offsetMin) / 60))}:${pad(Math.abs(offsetMin) % 60)}`;
        return parseRfc3339Ms(`${local}${'7'.repeat(extraDigits)}${offset}`) === d.getTime();
      }),
      { seed: 0x3339, numRuns: 3000 },
    );
  });

  it('gives no time for fields that name no instant (month 13, February 30th, hour 24), and the right one otherwise', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 9999 }),
        fc.integer({ min: 0, max: 14 }),
        fc.integer({ min: 0, max: 32 }),
        fc.integer({ min: 0, max: 25 }),
        fc.integer({ min: 0, max: 61 }),
        fc.integer({ min: 0, max: 61 }),
        (y, mo, d, h, mi, s) => {
          // The reference builds the date field by field and checks nothing rolled over.
          const ref = new Date(0);
          ref.setUTCFullYear(y, mo - 1, d);
          ref.setUTCHours(h, mi, s, 0);
          const real =
            ref.getUTCFullYear() === y &&
            ref.getUTCMonth() === mo - 1 &&
            ref.getUTCDate() === d &&
            ref.getUTCHours() === h &&
            ref.getUTCMinutes() === mi &&
            ref.getUTCSeconds() === s;
          const t = parseRfc3339Ms(`${pad(y, 4)}-${pad(mo)}-${pad(d)}T${pad(h)}:${pad(mi)}:${pad(s)}Z`);
          return real ? t === ref.getTime() : Number.isNaN(t);
        },
      ),
      { seed: 0x3340, numRuns: 5000 },
    );
  });
});
