import { DEFAULT_FLUSH_INTERVAL_MS } from '../collector/flush-interval';
import { binanceStreamName } from '../exchanges/binance';
import type { RestKlineDialect } from '../exchanges/profile';
import { restKlineDialect, sourceProfile } from '../exchanges/registry';
import { HEAL_SOURCE_LIST, readSourceList } from '../exchanges/source-list';
import { backfillKlines } from '../history/rest-backfill';
import { backfillTrades } from '../history/rest-trades';
import { readTables } from '../parquet/read';
import { EXCHANGES, type ExchangeId } from '../schema/columns';
import { dataset } from '../schema/registry';
import { bronzeFilesForHours } from '../lake/bronze-files';
import type { ObjectStore } from '../storage/object-store';
import { UserError } from '../util/errors';
import { lowerBound } from '../util/lower-bound';
import { HOUR_MS, MINUTE_MS } from '../util/time';

/**
 * The hourly self-heal (docs/silver.md), driven by the gap ledger: for every configured exchange/symbol, the
 * recent closed minutes without a closed Bronze 1m bar that either have no kline row at all or lie in a gap the
 * collector ledgered on the symbol's 1m kline stream (the bar's closing update may have been lost: only
 * in-progress updates arrived) are fetched from the exchange's REST API in its dialect (Binance spot or USD-M
 * futures). REST rows are new Bronze files next to the WebSocket ones, never replacements, and Silver ranks
 * them below a closed WebSocket bar and flags them BACKFILLED. Minutes still without a closed bar afterwards
 * are listed (`stillMissing`). A second run over the same window fetches nothing but what stayed missing.
 *
 * On Binance spot (consecutive trade ids, `/api/v3/historicalTrades`), the trades lost in ledgered gaps of the
 * symbol's trade stream are fetched too, by id: between the last Bronze trade at or before the gap's start and
 * the first at or after its end, every id Bronze does not hold (see `tradeRuns`).
 */

export const DEFAULT_HEAL_HOURS = 3;
/** Bounds one run's REST calls and Bronze reads; longer outages are for `lakehouse backfill` or an archive import. */
export const MAX_HEAL_HOURS = 48;

/** Time allowed for the collector's flush at an interval boundary to reach the store. */
const FLUSH_GRACE_MS = 60_000;
const REST_BASE_PREFIX = 'REST_BASE_';

export interface HealTarget {
  exchange: ExchangeId;
  symbols: string[];
  restBase: string;
  /** The REST kline dialect spoken at `restBase`. */
  dialect: RestKlineDialect;
  /** Lost trades are fetched by id (`/api/v3/historicalTrades`): Binance spot, whose trade ids are consecutive. */
  trades: boolean;
}

/** `REST_BASE_BINANCE_FUTURES` for `binance-futures`. */
export function restBaseVariable(exchange: ExchangeId): string {
  return REST_BASE_PREFIX + exchange.toUpperCase().replace(/-/g, '_');
}

/**
 * What to heal, from `SOURCES` and optional `REST_BASE_<EXCHANGE>` overrides of the exchange's REST base URL.
 * An item names an `exchange` (`[{"exchange":"binance","symbols":["BTCUSDT","ETHUSDT"]}]`) or, as in the
 * collector's own SOURCES, a `source` (whose `endpoint`, a WebSocket URL, is ignored here), so one value can
 * configure both. Only exchanges whose REST API serves klines by time range (Binance spot and USD-M futures) can
 * be healed. Mistakes are UserErrors naming the variable.
 */
export function healTargetsFromEnv(env: NodeJS.ProcessEnv): HealTarget[] {
  const text = env.SOURCES?.trim();
  if (!text) throw new UserError('SOURCES is not set (expected e.g. [{"exchange":"binance","symbols":["BTCUSDT"]}])');
  // A misspelt override would otherwise send a test run to the real exchange.
  const known = new Set(EXCHANGES.map(restBaseVariable));
  for (const name of Object.keys(env)) {
    if (name.startsWith(REST_BASE_PREFIX) && env[name] && !known.has(name)) throw new UserError(`${name} names no exchange (expected one of ${[...known].join(', ')})`);
  }
  return readSourceList(text, HEAL_SOURCE_LIST).map(({ at, key, name, entry }) => {
    const profile = sourceProfile(entry.source);
    const dialect = restKlineDialect(profile);
    if (!dialect) throw new UserError(`${at}.${key} '${name}' cannot be healed: ${'unavailable' in profile.restKlines ? profile.restKlines.unavailable : 'no REST klines'}`);
    const variable = restBaseVariable(profile.exchange);
    const override = env[variable]?.trim();
    if (override && !/^https?:\/\/[^/]/.test(override)) throw new UserError(`${variable} '${override}' is not an http(s) URL`);
    return {
      exchange: profile.exchange, symbols: entry.symbols, restBase: override || profile.rest, dialect,
      trades: profile.contiguousTradeIds && profile.restTradeHistory,
    };
  });
}

/** Open times [from, to) of the minutes a run looks at. */
export interface HealWindow {
  from: number;
  to: number;
}

/**
 * The last `hours` of closed minutes before `nowMs`, leaving out the still-open minute and the two before it
 * (the exchange may not have finalized them), and any minute after the collector's last flush boundary:
 * those rows are still in its memory, not missing, and fetching them would only add REST duplicates.
 */
export function healWindow(nowMs: number, hours: number, flushIntervalMs = DEFAULT_FLUSH_INTERVAL_MS): HealWindow {
  const minute = nowMs - (nowMs % MINUTE_MS);
  const settled = minute - 2 * MINUTE_MS;
  const flushed = nowMs - FLUSH_GRACE_MS - ((nowMs - FLUSH_GRACE_MS) % flushIntervalMs);
  return { from: minute - hours * HOUR_MS, to: Math.min(settled, flushed) };
}

/** What Bronze holds for one minute: nothing, only in-progress WebSocket updates, or a closed bar. */
const NO_ROW = 0;
const OPEN_ONLY = 1;
const CLOSED = 2;

/**
 * Per minute of the window, the best Bronze 1m kline row there is: a closed bar (a WebSocket row with
 * is_closed, or any REST or archive row), only in-progress WebSocket updates, or none.
 */
async function klineStates(store: ObjectStore, exchange: string, symbol: string, w: HealWindow): Promise<Uint8Array> {
  const spec = dataset('bronze', 'klines');
  // Bronze klines are filed by open time, so the window's hour folders hold every row that matters.
  const keys = await bronzeFilesForHours(store, spec, { timeframe: '1m', exchange, symbol }, w.from, w.to);
  const state = new Uint8Array(Math.max(0, (w.to - w.from) / MINUTE_MS));
  const t = await readTables(store, spec, keys);
  const open = t.num('open_time');
  const closed = t.bool('is_closed');
  const source = t.str('source');
  for (let i = 0; i < t.length; i++) {
    const m = (open[i] - w.from) / MINUTE_MS;
    if (!Number.isInteger(m) || m < 0 || m >= state.length) continue;
    const s = source[i] !== 'ws' || closed[i] ? CLOSED : OPEN_ONLY;
    if (s > state[m]) state[m] = s;
  }
  return state;
}

/** Ledger rows are filed by start time: a gap starting this long before the window is still read. */
export const LEDGER_LOOKBACK_HOURS = 6;

/**
 * The gap ledger's interruptions of `stream` that reach into the window, as [start, end] (end: the window's end
 * while the gap is still open). The ledger has one row per stream and interruption, so a reconnect counts once.
 */
async function ledgerGaps(store: ObjectStore, exchange: string, symbol: string, stream: string, w: HealWindow): Promise<[number, number][]> {
  const spec = dataset('bronze', 'gaps');
  const keys = await bronzeFilesForHours(store, spec, { exchange, symbol }, w.from - LEDGER_LOOKBACK_HOURS * HOUR_MS, w.to);
  const t = await readTables(store, spec, keys);
  const streams = t.str('stream');
  const starts = t.num('start_time');
  const ends = t.num('end_time');
  const seen = new Set<string>();
  const gaps: [number, number][] = [];
  for (let i = 0; i < t.length; i++) {
    if (streams[i] !== stream) continue;
    const start = starts[i];
    const end = Number.isNaN(ends[i]) ? w.to : ends[i];
    // Some window minute t is suspect (t <= end and t + 1 min >= start), see suspectMinutes.
    if (end < w.from || start > w.to || end < start || seen.has(`${start}|${end}`)) continue;
    seen.add(`${start}|${end}`);
    gaps.push([start, end]);
  }
  return gaps;
}

/**
 * Minutes of the window whose bar a ledger gap may have cut short: those overlapping the gap and those whose
 * closing update (sent as the minute ends, at t + 1 min) fell into it, i.e. open time t with t <= end and
 * t + 1 min >= start.
 */
function suspectMinutes(gaps: readonly [number, number][], w: HealWindow, n: number): Uint8Array {
  const suspect = new Uint8Array(n);
  for (const [start, end] of gaps) {
    const first = Math.max(0, Math.ceil((start - MINUTE_MS - w.from) / MINUTE_MS));
    const last = Math.min(n - 1, Math.floor((end - w.from) / MINUTE_MS));
    for (let m = first; m <= last; m++) suspect[m] = 1;
  }
  return suspect;
}

/**
 * The trade ids lost in ledgered gaps of the trade stream, as runs [first, last]: for a gap [start, end], the ids
 * strictly between the last Bronze trade at or before `start` and the first at or after `end` that Bronze does
 * not hold. Bronze trades are read from the hour before a gap's start to the hour after its end; a gap without a
 * Bronze trade on either side (e.g. still open) cannot be bounded and is left to Silver's trade-id gap report.
 */
async function tradeRuns(store: ObjectStore, exchange: string, symbol: string, gaps: readonly [number, number][]): Promise<[number, number][]> {
  if (gaps.length === 0) return [];
  const spec = dataset('bronze', 'trades');
  const keys = new Set<string>();
  for (const [start, end] of gaps) for (const k of await bronzeFilesForHours(store, spec, { exchange, symbol }, start - HOUR_MS, end + 2 * HOUR_MS)) keys.add(k);
  const t = await readTables(store, spec, [...keys].sort());
  const idCol = t.num('trade_id');
  const timeCol = t.num('event_time');
  const order = Array.from({ length: t.length }, (_, i) => i).filter((i) => Number.isInteger(idCol[i]) && Number.isFinite(timeCol[i])).sort((a, b) => idCol[a] - idCol[b]);
  const ids = order.map((i) => idCol[i]);
  const times = order.map((i) => timeCol[i]);
  const wanted: [number, number][] = [];
  for (const [start, end] of gaps) {
    let before = -Infinity;
    let after = Infinity;
    for (let k = 0; k < ids.length; k++) {
      if (times[k] <= start && ids[k] > before) before = ids[k];
      if (times[k] >= end && ids[k] < after) after = ids[k];
    }
    if (!Number.isFinite(before) || !Number.isFinite(after) || after - before < 2) continue;
    // Runs of absent ids in (before, after), against the sorted ids Bronze holds.
    let prev = before;
    for (let k = lowerBound(ids, before + 1); k < ids.length && ids[k] <= after; k++) {
      if (ids[k] > prev + 1) wanted.push([prev + 1, ids[k] - 1]);
      prev = Math.max(prev, ids[k]);
    }
  }
  return mergeRuns(wanted);
}


/** Ascending, disjoint runs from possibly overlapping ones (two gaps can bound the same lost ids). */
function mergeRuns(runs: [number, number][]): [number, number][] {
  const out: [number, number][] = [];
  for (const [a, b] of runs.sort((x, y) => x[0] - y[0])) {
    const last = out[out.length - 1];
    if (last && a <= last[1] + 1) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}

/** Runs [from, to) of the window's minutes where `pick` holds. */
function runsOf(w: HealWindow, n: number, pick: (m: number) => boolean): [number, number][] {
  const runs: [number, number][] = [];
  for (let m = 0; m < n; m++) {
    if (!pick(m)) continue;
    const start = m;
    while (m + 1 < n && pick(m + 1)) m++;
    runs.push([w.from + start * MINUTE_MS, w.from + (m + 1) * MINUTE_MS]);
  }
  return runs;
}

const isoRange = ([from, to]: [number, number]) => ({ from: new Date(from).toISOString(), to: new Date(to).toISOString() });
const minutesIn = (runs: readonly [number, number][]) => runs.reduce((n, [from, to]) => n + (to - from) / MINUTE_MS, 0);

export interface SymbolHeal {
  exchange: ExchangeId;
  symbol: string;
  /** Gap-ledger rows of the symbol's 1m kline stream that reach into the window. */
  ledgerGaps: number;
  /** Minutes fetched: without a closed bar, and either without any row or suspect by the ledger. */
  missingMinutes: number;
  /** The runs fetched, ISO open times, `to` exclusive. */
  ranges: { from: string; to: string }[];
  rows: number;
  calls: number;
  files: number;
  /** Runs of fetched minutes that still have no closed bar afterwards (the REST had nothing, or failed). */
  stillMissing: { from: string; to: string }[];
  stillMissingMinutes: number;
  /** Trades fetched by id for ledgered gaps of the trade stream (Binance spot only, else 0). */
  tradesFetched: number;
  /** Ids between a trade-stream gap's bounding trades that are still not in Bronze after the fetch. */
  tradeIdsStillMissing: number;
  /** Exchange errors and rejected rows, or why the symbol could not be healed at all. */
  errors: string[];
}

export interface SelfHealResult {
  from: string;
  to: string;
  symbols: SymbolHeal[];
  rows: number;
}

export interface SelfHealOptions {
  store: ObjectStore;
  targets: readonly HealTarget[];
  nowMs: number;
  hours: number;
  /** The collector's flush interval (default: its default). */
  flushIntervalMs?: number;
}

/**
 * Heals every target symbol in turn; one symbol's failure is recorded and does not stop the others. Per symbol:
 * fetch the window's minutes that have no closed bar and either no Bronze row at all or a ledger gap over
 * them, then list those still without a closed bar.
 */
export async function selfHeal(o: SelfHealOptions): Promise<SelfHealResult> {
  if (!Number.isInteger(o.hours) || o.hours < 1 || o.hours > MAX_HEAL_HOURS) throw new UserError(`hours must be a whole number from 1 to ${MAX_HEAL_HOURS}, got ${o.hours}`);
  const w = healWindow(o.nowMs, o.hours, o.flushIntervalMs);
  const n = Math.max(0, (w.to - w.from) / MINUTE_MS);
  const symbols: SymbolHeal[] = [];
  for (const t of o.targets) {
    for (const symbol of t.symbols) {
      const r: SymbolHeal = {
        exchange: t.exchange, symbol, ledgerGaps: 0, missingMinutes: 0, ranges: [], rows: 0, calls: 0, files: 0, stillMissing: [], stillMissingMinutes: 0,
        tradesFetched: 0, tradeIdsStillMissing: 0, errors: [],
      };
      symbols.push(r);
      let want = new Uint8Array(0);
      let wanted: [number, number][] = [];
      try {
        const state = await klineStates(o.store, t.exchange, symbol, w);
        const gaps = await ledgerGaps(o.store, t.exchange, symbol, t.dialect.wsStream(symbol, '1m'), w);
        r.ledgerGaps = gaps.length;
        const suspect = suspectMinutes(gaps, w, n);
        want = state.map((s, m) => (s !== CLOSED && (s === NO_ROW || suspect[m] === 1) ? 1 : 0));
        wanted = runsOf(w, n, (m) => want[m] === 1);
        r.missingMinutes = minutesIn(wanted);
        r.ranges = wanted.map(isoRange);
        for (const [from, to] of wanted) {
          const b = await backfillKlines({ store: o.store, exchange: t.exchange, symbol, from, to, restBase: t.restBase, dialect: t.dialect });
          r.rows += b.rows;
          r.calls += b.calls;
          r.files += b.files;
          r.errors.push(...b.errors);
        }
      } catch (err) {
        r.errors.push((err as Error).message);
      }
      if (t.trades) {
        try {
          const gaps = await ledgerGaps(o.store, t.exchange, symbol, binanceStreamName({ symbol, dataset: 'trades' }), w);
          const runs = await tradeRuns(o.store, t.exchange, symbol, gaps);
          const b = await backfillTrades({ store: o.store, exchange: t.exchange, symbol, runs, restBase: t.restBase });
          r.tradesFetched = b.trades;
          r.tradeIdsStillMissing = b.stillMissing;
          r.calls += b.calls;
          r.files += b.files;
          r.errors.push(...b.errors);
        } catch (err) {
          r.errors.push(`trades: ${(err as Error).message}`);
        }
      }
      if (wanted.length === 0) continue;
      try {
        // What the fetch could not close stays missing, listed here and left to Silver's gap report.
        const after = await klineStates(o.store, t.exchange, symbol, w);
        const still = runsOf(w, n, (m) => want[m] === 1 && after[m] !== CLOSED);
        r.stillMissing = still.map(isoRange);
        r.stillMissingMinutes = minutesIn(still);
      } catch (err) {
        r.errors.push(`re-check after the fetch failed: ${(err as Error).message}`);
      }
    }
  }
  return { from: new Date(w.from).toISOString(), to: new Date(w.to).toISOString(), symbols, rows: symbols.reduce((n, s) => n + s.rows, 0) };
}
