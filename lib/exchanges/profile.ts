import type { ExchangeId } from '../schema/columns';
import type { BronzeDatasetName, ExchangeAdapter, NormalizedRecord, StreamRequest } from './types';

/**
 * An exchange as data: everything the collector, the self-heal, the deployment and the CLI need to know of one
 * exchange, exported by the exchange's folder and listed in lib/exchanges/registry.ts. Nothing outside the folder
 * knows an exchange's streams, endpoints or habits (docs/architecture.md, "Adding an exchange").
 */

/** One page of a REST kline request. */
export interface RestKlinesQuery {
  symbol: string;
  interval: string;
  startTime?: number;
  endTime?: number;
  limit?: number;
}

/**
 * A REST kline dialect: what the REST backfill (and the hourly self-heal) needs to page through one exchange's
 * klines endpoint: its URLs, the rows one call returns and the stream whose gaps it fills.
 */
export interface RestKlineDialect {
  /** The endpoint, for messages: `Binance spot /api/v3/klines`. */
  name: string;
  url(restBase: string, query: RestKlinesQuery): string;
  /** Most rows one call returns. */
  maxLimit: number;
  /** The WebSocket stream carrying `symbol`'s klines of `interval`: its gap-ledger rows are the ones the heal reads. */
  wsStream(symbol: string, interval: string): string;
}

/** One stream a connection subscribes, and what it carries. */
export interface StreamSubscription {
  name: string;
  symbol: string;
  dataset: BronzeDatasetName;
}

/** One WebSocket connection to open: its URL and the streams it carries. */
export interface ConnectionPlan {
  url: string;
  streams: readonly StreamSubscription[];
  /** Messages to send after each open (subscriptions the URL cannot carry, e.g. Kraken). */
  subscribeMessages?: readonly string[];
  /** Pause between subscribe messages (the collector's default paces Binance's 5 messages a second; 0 sends all at once). */
  subscribeSpacingMs?: number;
}

export type PollOutcome = { kind: 'records'; records: NormalizedRecord[] } | { kind: 'error'; reason: string };

/** A REST endpoint polled per symbol, for data no stream carries (Binance USD-M open interest). */
export interface RestPollPlan {
  /** Dataset name, for logs and counters (e.g. open_interest). */
  name: string;
  intervalMs: number;
  targets: readonly { symbol: string; url: string; stream: string }[];
  parse(text: string, receiveMs: number, symbol: string): PollOutcome;
}

export interface PollOptions {
  /** Open-interest poll period (default: the profile's own). */
  openInterestPollMs?: number;
}

export interface ExchangeLimits {
  /** Streams one connection may carry; undefined when one connection carries every symbol's streams. */
  maxStreamsPerConnection?: number;
  /** How often the exchange's server pings (undefined: it sends heartbeat messages instead of pings). */
  serverPingMs?: number;
  /** No traffic at all for this long (wall clock) means a dead socket (undefined: the collector's default). */
  silentTimeoutMs?: number;
  /** Silence thresholds per dataset replacing the collector's defaults (0: no cadence to watch). */
  streamSilenceMs?: Readonly<Partial<Record<BronzeDatasetName, number>>>;
}

export interface ExchangeProfile {
  /** The exchange id rows are filed under (the lake's `exchange=` partition). */
  readonly exchange: ExchangeId;
  /** Default WebSocket base URL. */
  readonly ws: string;
  /** Default REST base URL. */
  readonly rest: string;
  /** A fresh adapter: adapters keep per-connection state (Kraken's books, per-symbol caches). */
  createAdapter: () => ExchangeAdapter;
  /** Every WebSocket dataset collected for `symbols`. */
  streamRequests: (symbols: readonly string[]) => StreamRequest[];
  /** The name records of `req` are filed under (`btcusdt@kline_1m`, `ohlc-1:BTC/USD`). */
  streamName: (req: StreamRequest) => string;
  /**
   * The connections carrying every stream of `symbols` against `wsBase`, none carrying more than `maxStreams`
   * (the exchange's limit by default).
   */
  connections: (wsBase: string, symbols: readonly string[], maxStreams?: number) => ConnectionPlan[];
  /** How the REST kline backfill (self-heal) pages this exchange's klines, or why it cannot (`{ unavailable: reason }`). */
  readonly restKlines: RestKlineDialect | { unavailable: string };
  /** REST serves trade history by id (`/api/v3/historicalTrades`), so trades lost in a ledgered gap can be fetched. */
  readonly restTradeHistory: boolean;
  /** REST endpoints polled per symbol, against `restBase`. */
  polls?: (restBase: string, symbols: readonly string[], opts: PollOptions) => RestPollPlan[];
  /** Messages that re-synchronise one symbol's stream (Kraken book after a failed checksum). */
  resyncMessages?: (symbol: string, stream: string) => string[];
  /** Exchange trade ids are consecutive per symbol: a jump is a gap. */
  readonly contiguousTradeIds: boolean;
  readonly limits: ExchangeLimits;
}

/** Groups symbols so each group's streams fit one connection; a symbol is never split across connections. */
export function groupSymbols<T>(symbols: readonly string[], streamsOf: (symbol: string) => T[], maxStreams: number): T[][] {
  const groups: T[][] = [];
  let current: T[] = [];
  for (const symbol of symbols) {
    const streams = streamsOf(symbol);
    if (current.length > 0 && current.length + streams.length > maxStreams) {
      groups.push(current);
      current = [];
    }
    current.push(...streams);
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

/** The subscription of `req` under the stream name `name`. */
export const subscription = (req: StreamRequest, name: string): StreamSubscription => ({
  name,
  symbol: req.symbol,
  dataset: req.dataset,
});
