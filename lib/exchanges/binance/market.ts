import type { BronzeDatasetName, StreamRequest } from '../types';

/**
 * What Binance spot and USD-M futures streams share, with each market's differences stated once as a table: the
 * channel each dataset streams on, the update speeds a channel accepts and the channels the market names. Stream
 * names are lower-case symbols followed by a case-sensitive channel (`btcusdt@bookTicker`); the collector, the
 * adapters and the simulator all build and read them here, so they cannot drift apart.
 */

/** Binance closes (or refuses) a connection subscribed to more streams than this, on spot and on USD-M. */
export const BINANCE_MAX_STREAMS_PER_CONNECTION = 1024;

/** Kline intervals collected live; longer timeframes are derived in Silver and Gold. */
export const KLINE_STREAM_TIMEFRAMES = ['1m', '5m', '15m'] as const;

/** Channels a stream name can carry; a market names only some (the rest parse as `other`). */
export type BinanceChannel =
  | 'kline'
  | 'trade'
  | 'aggTrade'
  | 'partialDepth'
  | 'diffDepth'
  | 'bookTicker'
  | 'markPrice'
  | 'forceOrder'
  | 'other';

export interface BinanceMarket {
  /** For messages: `Binance spot`, `Binance USD-M`. */
  readonly label: string;
  /**
   * The channel each collected WebSocket dataset streams on (after `<symbol>@`), in subscription order; klines
   * stream one channel per interval, `kline_<interval>`.
   */
  readonly datasets: Readonly<Partial<Record<BronzeDatasetName, string>>>;
  /** Update speeds (`@100ms`) a channel accepts, and the period of a stream that names none. */
  readonly speeds: Readonly<
    Partial<Record<'depth' | 'markPrice', { readonly allowed: readonly string[]; readonly defaultMs: number }>>
  >;
  /** Channels besides kline, depth and `other` that this market's stream names carry. */
  readonly named: ReadonlySet<BinanceChannel>;
}

export interface BinanceStream {
  readonly name: string;
  /** Upper-case, as the exchange spells the symbol in payloads. */
  readonly symbol: string;
  readonly channel: BinanceChannel;
  /** Kline interval (`1m`) for kline streams. */
  readonly interval?: string;
  /** Book levels (5, 10, 20) for partial-depth streams. */
  readonly levels?: number;
  /** The `@...` suffix after the channel (`100ms`, `0ms`, `1s`), when there is one. */
  readonly speed?: string;
}

/** `<symbol>@<channel>`: the one place a Binance stream name is put together. */
export const binanceStream = (symbol: string, channel: string): string => `${symbol.toLowerCase()}@${channel}`;

export const klineStream = (symbol: string, interval: string): string => binanceStream(symbol, `kline_${interval}`);

/** Records fetched over REST are filed under `rest:` and the stream name the data would have come on. */
export const restStream = (symbol: string, channel: string): string => `rest:${binanceStream(symbol, channel)}`;

/** The open-interest readings polled from USD-M's REST API (no stream carries them). */
export const openInterestStream = (symbol: string): string => restStream(symbol, 'openInterest');

/** The stream `req` subscribes on `market`; throws for a dataset the market does not stream. */
export function marketStreamName(market: BinanceMarket, req: StreamRequest): string {
  if (req.dataset === 'klines') {
    if (!req.timeframe) throw new Error(`kline stream for ${req.symbol} needs a timeframe`);
    return klineStream(req.symbol, req.timeframe);
  }
  const channel = market.datasets[req.dataset];
  if (channel === undefined) throw new Error(`${market.label} has no stream for dataset ${req.dataset}`);
  return binanceStream(req.symbol, channel);
}

/** Every WebSocket dataset `market` collects for each symbol, klines once per live interval. */
export function marketStreamRequests(market: BinanceMarket, symbols: readonly string[]): StreamRequest[] {
  const out: StreamRequest[] = [];
  for (const symbol of symbols) {
    for (const dataset of Object.keys(market.datasets) as BronzeDatasetName[]) {
      if (dataset === 'klines') for (const timeframe of KLINE_STREAM_TIMEFRAMES) out.push({ symbol, dataset, timeframe });
      else out.push({ symbol, dataset });
    }
  }
  return out;
}

const DEPTH = /^depth(5|10|20)?$/;

function parseName(market: BinanceMarket, name: string): BinanceStream | null {
  const at = name.indexOf('@');
  if (at <= 0) return null;
  const symbol = name.slice(0, at).toUpperCase();
  const parts = name.slice(at + 1).split('@');
  if (parts.length > 2) return null;
  const [channel, speed] = parts;
  const depth = DEPTH.exec(channel);
  const family = depth ? 'depth' : channel === 'markPrice' ? channel : undefined;
  const allowed = family && market.speeds[family]?.allowed;
  if (speed !== undefined && !allowed?.includes(speed)) return null;
  const base = speed === undefined ? { name, symbol } : { name, symbol, speed };
  if (depth) return depth[1] ? { ...base, channel: 'partialDepth', levels: Number(depth[1]) } : { ...base, channel: 'diffDepth' };
  if (channel.startsWith('kline_')) return channel.length > 6 ? { ...base, channel: 'kline', interval: channel.slice(6) } : null;
  return { ...base, channel: market.named.has(channel as BinanceChannel) ? (channel as BinanceChannel) : 'other' };
}

// A connection carries a bounded set of streams, so parsing each name once keeps the per-message path to one
// Map lookup; the cap only guards against a peer that invents names.
const STREAM_CACHE_LIMIT = 10_000;

/**
 * A parser of `market`'s stream names (`btcusdt@depth10@100ms`), remembering what it parsed: null when a name is
 * not `<symbol>@<channel>[@speed]` with a speed the channel accepts.
 */
export function marketStreamParser<T>(market: BinanceMarket, shape: (stream: BinanceStream) => T): (name: string) => T | null {
  const cache = new Map<string, T | null>();
  return (name) => {
    let cached = cache.get(name);
    if (cached === undefined) {
      const parsed = parseName(market, name);
      cached = parsed && shape(parsed);
      if (cache.size >= STREAM_CACHE_LIMIT) cache.clear();
      cache.set(name, cached);
    }
    return cached;
  };
}

/** Push period of a depth or mark-price stream: its speed suffix, or the market's default for the channel. */
export function streamPeriodMs(market: BinanceMarket, stream: Pick<BinanceStream, 'channel' | 'speed'>): number | undefined {
  const family =
    stream.channel === 'partialDepth' || stream.channel === 'diffDepth'
      ? 'depth'
      : stream.channel === 'markPrice'
        ? 'markPrice'
        : undefined;
  const speeds = family && market.speeds[family];
  if (!speeds) return undefined;
  if (stream.speed === undefined) return speeds.defaultMs;
  return stream.speed.endsWith('ms') ? Number(stream.speed.slice(0, -2)) : Number(stream.speed.slice(0, -1)) * 1000;
}
