import {
  BINANCE_FUTURES_REST_BASE, BINANCE_FUTURES_REST_KLINES, BINANCE_SPOT_REST_KLINES, type RestKlineDialect, BINANCE_FUTURES_WS_BASE, BINANCE_SPOT_ENDPOINTS, BinanceFuturesAdapter, BinanceSpotAdapter,
  binanceStreamName, combinedStreamUrl, futuresConnections, futuresStreamName, futuresStreamRequests, openInterestUrl, parseOpenInterestText,
} from '../exchanges/binance';
import { KRAKEN_WS_URL, KrakenAdapter, krakenResubscribeMessages, krakenStreamFor, krakenSubscribeMessages } from '../exchanges/kraken';
import type { RestPollSpec } from '../collector/rest-poller';
import type { ConnectionSpec, SubscribedStream } from '../collector/managed-connection';
import type { ExchangeAdapter, StreamRequest } from '../exchanges/types';
import type { ExchangeId } from '../schema/columns';
import { UserError } from '../util/errors';

/**
 * What the collector needs to know of each source: the exchange id rows are filed under, the adapter, the
 * default endpoints and the streams to subscribe for a set of symbols.
 */

export const SOURCES = ['binance', 'binanceus', 'binance-futures', 'kraken', 'sim'] as const;
export type SourceId = (typeof SOURCES)[number];

export interface SourceProfile {
  exchange: ExchangeId;
  adapter: ExchangeAdapter;
  ws: string;
  rest: string;
  /**
   * The WebSocket connections carrying every stream of `symbols` against `wsBase`, split so that none carries
   * more than `maxStreams` (the exchange's limit by default) and a symbol's streams stay on one connection.
   */
  connections(wsBase: string, symbols: readonly string[], maxStreams?: number): ConnectionSpec[];
  /** Exchange trade ids are consecutive per symbol: a jump is a gap. */
  contiguousTradeIds: boolean;
  /**
   * How the REST kline backfill (self-heal) fetches this source's klines, or why it cannot
   * (`{ unavailable: reason }`).
   */
  restKlines: RestKlineDialect | { unavailable: string };
  /** REST endpoints polled per symbol (open interest), against `restBase`. */
  polls?(restBase: string, symbols: readonly string[]): RestPollSpec[];
  /** Messages that re-synchronise one symbol's stream (Kraken book after a failed checksum). */
  resyncMessages?(symbol: string, stream: string): string[];
  /** Silence thresholds per dataset replacing the collector's defaults (undefined: no cadence to watch). */
  streamSilenceMs?: Partial<Record<string, number>>;
  /** No traffic at all for this long (wall clock) means a dead socket; server pings count as traffic. */
  silentTimeoutMs?: number;
}

/** Open interest is REST-only on Binance futures (SPEC §10); every 5 minutes by default. */
export const OPEN_INTEREST_POLL_MS = 5 * 60_000;

/** Binance: at most 1,024 streams per connection. */
export const BINANCE_MAX_STREAMS = 1024;

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

const subscribed = (req: StreamRequest, name: string): SubscribedStream => ({ name, symbol: req.symbol, dataset: req.dataset });

/** Every Bronze dataset Binance spot streams, per symbol (SPEC C1). */
export function spotStreamRequests(symbols: readonly string[]): StreamRequest[] {
  return symbols.flatMap((symbol) => [
    ...(['1m', '5m', '15m'] as const).map((timeframe) => ({ symbol, dataset: 'klines' as const, timeframe })),
    { symbol, dataset: 'book_top10' as const },
    { symbol, dataset: 'trades' as const },
    { symbol, dataset: 'quotes' as const },
  ]);
}

export function sourceProfile(source: SourceId, opts: { openInterestPollMs?: number } = {}): SourceProfile {
  switch (source) {
    case 'binance':
    case 'binanceus':
    case 'sim': {
      // The simulator speaks Binance spot's protocol; its rows are filed as binance.
      const exchange = source === 'binanceus' ? 'binanceus' : 'binance';
      const endpoints = BINANCE_SPOT_ENDPOINTS[exchange];
      return {
        exchange, adapter: new BinanceSpotAdapter(exchange), ws: endpoints.ws, rest: endpoints.rest,
        contiguousTradeIds: true, restKlines: BINANCE_SPOT_REST_KLINES,
        connections: (wsBase, symbols, maxStreams = BINANCE_MAX_STREAMS) =>
          groupSymbols(symbols, (sym) => spotStreamRequests([sym]).map((req) => subscribed(req, binanceStreamName(req))), maxStreams)
            .map((streams) => ({ url: combinedStreamUrl(wsBase, streams.map((st) => st.name)), streams })),
        // Binance US pings every 3 minutes, and its thin books can be quiet longer than Binance's.
        ...(exchange === 'binanceus' ? { silentTimeoutMs: 240_000, streamSilenceMs: { book_top10: 0 } } : {}),
      };
    }
    case 'binance-futures':
      return {
        exchange: 'binance-futures', adapter: new BinanceFuturesAdapter(), ws: BINANCE_FUTURES_WS_BASE, rest: BINANCE_FUTURES_REST_BASE,
        contiguousTradeIds: true, restKlines: BINANCE_FUTURES_REST_KLINES,
        connections: (wsBase, symbols, maxStreams = BINANCE_MAX_STREAMS) => {
          const requests = futuresStreamRequests(symbols);
          const byName = new Map(requests.map((req) => [futuresStreamName(req), req]));
          return futuresConnections(wsBase, symbols, requests, maxStreams)
            .map((c) => ({ url: c.url, streams: c.streams.map((name) => subscribed(byName.get(name)!, name)) }));
        },
        polls: (restBase, symbols) => [{
          name: 'open_interest', intervalMs: opts.openInterestPollMs ?? OPEN_INTEREST_POLL_MS,
          targets: symbols.map((symbol) => ({ symbol, url: openInterestUrl(restBase, symbol), stream: `rest:${symbol.toLowerCase()}@openInterest` })),
          parse: (text, receiveMs, symbol) => parseOpenInterestText(text, receiveMs, symbol),
        }],
      };
    case 'kraken':
      return {
        exchange: 'kraken', adapter: new KrakenAdapter(), ws: KRAKEN_WS_URL, rest: 'https://api.kraken.com',
        // Kraken's trade ids are not documented as gap-free per pair, so a jump proves nothing.
        contiguousTradeIds: false,
        restKlines: { unavailable: "Kraken's REST OHLC serves only the latest 720 candles of an interval, not a chosen time range" },
        connections: (wsBase, symbols) => [{
          url: wsBase,
          streams: symbols.flatMap((symbol): StreamRequest[] => [
            ...(['1m', '5m', '15m'] as const).map((timeframe) => ({ symbol, dataset: 'klines' as const, timeframe })),
            { symbol, dataset: 'book_top10' }, { symbol, dataset: 'trades' },
          ]).map((req) => subscribed(req, krakenStreamFor(req))),
          subscribeMessages: krakenSubscribeMessages(symbols).map((m) => JSON.stringify(m)),
          // One request per channel, each for every symbol: a handful of messages, well inside Kraken's limits.
          subscribeSpacingMs: 0,
        }],
        resyncMessages: (symbol) => krakenResubscribeMessages(symbol).map((m) => JSON.stringify(m)),
        // Kraken sends ohlc and book messages only when something changes: silence can be a quiet market.
        streamSilenceMs: { klines: 0, book_top10: 0 },
      };
    default:
      throw new UserError(`source '${source}' is not supported`);
  }
}

/** The source's REST kline dialect, or undefined when its klines cannot be fetched by time range. */
export function restKlineDialect(profile: SourceProfile): RestKlineDialect | undefined {
  return 'unavailable' in profile.restKlines ? undefined : profile.restKlines;
}

/** The collector options a source contributes, against its endpoints (or overrides). */
export function sourceCollectorOptions(profile: SourceProfile, symbols: readonly string[], wsBase = profile.ws, restBase = profile.rest) {
  return {
    exchange: profile.exchange, adapter: profile.adapter,
    connections: profile.connections(wsBase, symbols), contiguousTradeIds: profile.contiguousTradeIds,
    polls: profile.polls?.(restBase, symbols), resyncMessages: profile.resyncMessages,
    streamSilenceMs: profile.streamSilenceMs, silentTimeoutMs: profile.silentTimeoutMs,
  };
}
