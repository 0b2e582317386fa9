import { DEFAULT_FLUSH_INTERVAL_MS } from '../collector/flush-interval';
import { backfillKlines } from '../history/rest-backfill';
import { readTables } from '../parquet/read';
import { EXCHANGES, type ExchangeId } from '../schema/columns';
import { dataset } from '../schema/registry';
import { dateOf, hourOf, partitionPrefix } from '../storage/lake-paths';
import { listAll, type ObjectStore } from '../storage/object-store';
import { UserError } from '../util/errors';
import { SOURCES, sourceProfile, type SourceId, type SourceProfile } from './sources';

/**
 * The hourly self-heal (SPEC §7): for every configured exchange/symbol, find the recent closed minutes that
 * have no Bronze 1m kline row at all and fetch exactly those from the exchange's REST API. REST rows are new
 * Bronze files next to the WebSocket ones, never replacements, and Silver ranks them below a closed WebSocket
 * bar. A second run over the same window finds nothing missing and fetches nothing.
 */

export const DEFAULT_HEAL_HOURS = 3;
/** Bounds one run's REST calls and Bronze reads; longer outages are for `lakehouse backfill` or an archive import. */
export const MAX_HEAL_HOURS = 48;

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
/** Time allowed for the collector's flush at an interval boundary to reach the store. */
const FLUSH_GRACE_MS = 60_000;
const REST_BASE_PREFIX = 'REST_BASE_';
const TARGET_KEYS: ReadonlySet<string> = new Set(['exchange', 'source', 'symbols', 'endpoint']);

export interface HealTarget {
  exchange: ExchangeId;
  symbols: string[];
  restBase: string;
}

/** `REST_BASE_BINANCE_FUTURES` for `binance-futures`. */
export function restBaseVariable(exchange: ExchangeId): string {
  return REST_BASE_PREFIX + exchange.toUpperCase().replace(/-/g, '_');
}

/**
 * What to heal, from `SOURCES` and optional `REST_BASE_<EXCHANGE>` overrides of the exchange's REST base URL.
 * An item names an `exchange` (`[{"exchange":"binance","symbols":["BTCUSDT","ETHUSDT"]}]`) or, as in the
 * collector's own SOURCES, a `source` (whose `endpoint`, a WebSocket URL, is ignored here), so one value can
 * configure both. Mistakes are UserErrors naming the variable.
 */
export function healTargetsFromEnv(env: NodeJS.ProcessEnv): HealTarget[] {
  const text = env.SOURCES?.trim();
  if (!text) throw new UserError('SOURCES is not set (expected e.g. [{"exchange":"binance","symbols":["BTCUSDT"]}])');
  // A misspelt override would otherwise send a test run to the real exchange.
  const known = new Set(EXCHANGES.map(restBaseVariable));
  for (const name of Object.keys(env)) {
    if (name.startsWith(REST_BASE_PREFIX) && env[name] && !known.has(name)) throw new UserError(`${name} names no exchange (expected one of ${[...known].join(', ')})`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new UserError(`SOURCES is not valid JSON (${(err as Error).message})`);
  }
  if (!Array.isArray(parsed) || parsed.length === 0) throw new UserError('SOURCES must be a non-empty JSON array of {"exchange","symbols"} objects');
  return parsed.map((item: unknown, i) => {
    const at = `SOURCES[${i}]`;
    if (typeof item !== 'object' || item === null || Array.isArray(item)) throw new UserError(`${at} must be an object like {"exchange":"binance","symbols":["BTCUSDT"]}`);
    const o = item as Record<string, unknown>;
    const unknownKeys = Object.keys(o).filter((k) => !TARGET_KEYS.has(k));
    if (unknownKeys.length) throw new UserError(`${at} has unknown key(s) ${unknownKeys.join(', ')} (expected exchange or source, and symbols)`);
    if (!Array.isArray(o.symbols) || o.symbols.length === 0 || !o.symbols.every((s) => typeof s === 'string' && s.trim())) {
      throw new UserError(`${at}.symbols must be a non-empty array of symbols, e.g. ["BTCUSDT","ETHUSDT"]`);
    }
    const profile = restProfile(o, at);
    const variable = restBaseVariable(profile.exchange);
    const override = env[variable]?.trim();
    if (override && !/^https?:\/\/[^/]/.test(override)) throw new UserError(`${variable} '${override}' is not an http(s) URL`);
    return { exchange: profile.exchange, symbols: [...new Set((o.symbols as string[]).map((s) => s.trim().toUpperCase()))], restBase: override || profile.rest };
  });
}

/**
 * The source profile of an item's `exchange` or `source`. Backfill speaks Binance spot's REST dialect, so only
 * exchanges with such a profile can be healed.
 */
function restProfile(o: Record<string, unknown>, at: string): SourceProfile {
  if ((o.exchange === undefined) === (o.source === undefined)) throw new UserError(`${at} must name either an exchange or a source`);
  const [field, allowed] = o.exchange !== undefined ? ['exchange', EXCHANGES] as const : ['source', SOURCES] as const;
  const value = o[field];
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) throw new UserError(`${at}.${field} ${JSON.stringify(value)} is not one of ${allowed.join(', ')}`);
  let profile: SourceProfile;
  try {
    profile = sourceProfile(value as SourceId);
  } catch (err) {
    throw new UserError(`${at}.${field} '${value}' cannot be healed: ${(err as Error).message}`);
  }
  if (!profile.restBackfill) throw new UserError(`${at}.${field} '${value}' cannot be healed: the REST backfill speaks Binance spot's klines API only`);
  return profile;
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

/** Runs [from, to) of minutes in the window without any Bronze 1m kline row (WebSocket, REST or archive). */
async function missingMinutes(store: ObjectStore, exchange: string, symbol: string, w: HealWindow): Promise<[number, number][]> {
  const spec = dataset('bronze', 'klines');
  const keys: string[] = [];
  // Bronze klines are filed by open time, so the window's hour folders hold every row that matters.
  for (let h = w.from - (w.from % HOUR_MS); h < w.to; h += HOUR_MS) {
    const prefix = partitionPrefix(spec, { timeframe: '1m', exchange, symbol, dt: dateOf(h), hour: hourOf(h) });
    keys.push(...(await listAll(store, prefix)).map((o) => o.key).filter((k) => k.endsWith('.parquet')));
  }
  const present = new Uint8Array(Math.max(0, (w.to - w.from) / MINUTE_MS));
  for (const t of (await readTables(store, spec, keys)).num('open_time')) {
    const m = (t - w.from) / MINUTE_MS;
    if (Number.isInteger(m) && m >= 0 && m < present.length) present[m] = 1;
  }
  const runs: [number, number][] = [];
  for (let m = 0; m < present.length; m++) {
    if (present[m]) continue;
    const start = m;
    while (m + 1 < present.length && !present[m + 1]) m++;
    runs.push([w.from + start * MINUTE_MS, w.from + (m + 1) * MINUTE_MS]);
  }
  return runs;
}

export interface SymbolHeal {
  exchange: ExchangeId;
  symbol: string;
  missingMinutes: number;
  /** The runs fetched, ISO open times, `to` exclusive. */
  ranges: { from: string; to: string }[];
  rows: number;
  calls: number;
  files: number;
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

/** Heals every target symbol in turn; one symbol's failure is recorded and does not stop the others. */
export async function selfHeal(o: SelfHealOptions): Promise<SelfHealResult> {
  if (!Number.isInteger(o.hours) || o.hours < 1 || o.hours > MAX_HEAL_HOURS) throw new UserError(`hours must be a whole number from 1 to ${MAX_HEAL_HOURS}, got ${o.hours}`);
  const w = healWindow(o.nowMs, o.hours, o.flushIntervalMs);
  const symbols: SymbolHeal[] = [];
  for (const t of o.targets) {
    for (const symbol of t.symbols) {
      const r: SymbolHeal = { exchange: t.exchange, symbol, missingMinutes: 0, ranges: [], rows: 0, calls: 0, files: 0, errors: [] };
      symbols.push(r);
      try {
        for (const [from, to] of await missingMinutes(o.store, t.exchange, symbol, w)) {
          r.missingMinutes += (to - from) / MINUTE_MS;
          r.ranges.push({ from: new Date(from).toISOString(), to: new Date(to).toISOString() });
          const b = await backfillKlines({ store: o.store, exchange: t.exchange, symbol, from, to, restBase: t.restBase });
          r.rows += b.rows;
          r.calls += b.calls;
          r.files += b.files;
          r.errors.push(...b.errors);
        }
      } catch (err) {
        r.errors.push((err as Error).message);
      }
    }
  }
  return { from: new Date(w.from).toISOString(), to: new Date(w.to).toISOString(), symbols, rows: symbols.reduce((n, s) => n + s.rows, 0) };
}
