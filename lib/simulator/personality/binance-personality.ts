import {
  BINANCE_MAX_STREAMS_PER_CONNECTION,
  binanceStream,
  klineStream,
  marketStreamName,
  marketStreamParser,
  streamPeriodMs,
  type BinanceChannel,
  type BinanceMarket,
  type BinanceStream,
} from '../../exchanges/binance/market';
import type { MarketEvent } from '../market/feed';
import { intervalMs } from '../market/kline';
import type { MarketModel } from '../market/market-model';
import type { SymbolMarket } from '../market/symbol-market';
import type { BinancePayloads } from './binance-payloads';
import { commonMethod, errorReply, isRequest, parseBinanceRequest, streamNames } from './binance-ws-requests';
import type {
  ClientMessageResult,
  ExchangePersonality,
  RestRequest,
  RestResponse,
  SessionOpening,
  SessionView,
  StreamDemand,
} from './personality';

/**
 * What Binance spot and USD-M market streams share in the simulator: combined (`/stream?streams=`) and raw
 * (`/ws/<stream>...`) sessions, SUBSCRIBE and UNSUBSCRIBE, what a stream name asks of the market, and the trade,
 * kline, depth and bookTicker pushes. Stream names are built and read with the collector's own functions
 * (lib/exchanges/binance/market.ts), so the two cannot drift apart. Each market states its differences as data
 * (the depth streams it serves, what each channel demands) and extends the base where its protocol differs:
 * USD-M routes sessions by path and pushes mark price and liquidations.
 */

type Push = (stream: string, payload: string) => void;
export type BookEvent = Extract<MarketEvent, { type: 'book' }>;
export type TradeEvent = Extract<MarketEvent, { type: 'trade' }>;

/** A partial-depth stream the simulator pushes: its channel (`depth10@100ms`), book levels and push period. */
export interface DepthStream {
  channel: string;
  levels: number;
  periodMs: number;
}

export interface ServedStreams {
  /** Partial-depth streams pushed; a name with other levels or another period is refused. */
  depth: readonly DepthStream[];
  /** What each other channel asks of the market (klines and partial depth aside); a channel not listed is refused. */
  demand: ReadonlyMap<BinanceChannel, 'trades' | 'book'>;
  /** Path prefixes a session may be opened under (`/public/stream`), besides none. */
  routes?: readonly string[];
}

/** One symbol's stream names, built once. */
export interface SymbolNames {
  trade: string;
  bookTicker: string;
  /** [name, levels, push period ms] of the partial-depth streams. */
  depth: [string, number, number][];
  kline: Map<string, string>;
}

export interface BinanceOptions {
  /** Earliest kline open time REST serves (the simulated listing date). */
  historyStartMs: number;
}

export abstract class BinancePersonality<P extends BinancePayloads> implements ExchangePersonality {
  protected readonly payloads = new Map<string, P>();
  private readonly names = new Map<string, SymbolNames>();
  private readonly parse: (name: string) => BinanceStream | null;
  private readonly sessionPath: RegExp;

  protected constructor(
    protected readonly model: MarketModel,
    private readonly market: BinanceMarket,
    private readonly served: ServedStreams,
    payloads: (market: SymbolMarket) => P,
  ) {
    this.parse = marketStreamParser(market, (s) => s);
    const routes = served.routes?.length ? `(?:\\/(${served.routes.join('|')}))?` : '()';
    this.sessionPath = new RegExp(`^${routes}\\/(stream|ws)(\\/.*)?$`);
    for (const symbol of model.symbols) {
      this.payloads.set(symbol, payloads(model.market(symbol)));
      this.names.set(symbol, {
        trade: marketStreamName(market, { symbol, dataset: 'trades' }),
        bookTicker: marketStreamName(market, { symbol, dataset: 'quotes' }),
        depth: served.depth.map((d) => [binanceStream(symbol, d.channel), d.levels, d.periodMs]),
        kline: new Map(),
      });
    }
  }

  abstract handleRest(req: RestRequest, nowMs: number): RestResponse;

  openSession(url: URL): SessionOpening {
    const match = this.sessionPath.exec(url.pathname);
    if (!match || (match[2] === 'stream' && match[3] !== undefined)) return { ok: false, status: 404, message: 'Not Found' };
    const combined = match[2] === 'stream';
    const streams = combined
      ? (url.searchParams.get('streams') ?? '').split('/').filter((s) => s.length > 0)
      : (match[3] ?? '').split('/').filter((s) => s.length > 0);
    const bad = streams.find((s) => !this.demandOf(s));
    if (bad !== undefined) return { ok: false, status: 400, message: `Invalid stream name ${bad}` };
    if (new Set(streams).size > BINANCE_MAX_STREAMS_PER_CONNECTION)
      return { ok: false, status: 400, message: 'Too many streams' };
    return { ok: true, combined, streams: this.opened(match[1] || undefined, streams) };
  }

  onClientMessage(text: string, session: SessionView): ClientMessageResult {
    const req = parseBinanceRequest(text);
    if (!isRequest(req)) return req;
    const { method, id } = req;
    if (method !== 'SUBSCRIBE' && method !== 'UNSUBSCRIBE') return commonMethod(req, session, this.listed(session));
    const list = streamNames(req);
    if (!Array.isArray(list)) return list;
    if (method === 'UNSUBSCRIBE') return { reply: JSON.stringify({ result: null, id }), unsubscribe: this.released(list) };
    const bad = list.find((s) => !this.demandOf(s));
    if (bad !== undefined) return { reply: errorReply(2, `Invalid request: unknown stream ${bad}`, id) };
    if (new Set([...this.listed(session), ...list]).size > BINANCE_MAX_STREAMS_PER_CONNECTION) {
      return { reply: errorReply(2, 'Invalid request: too many streams', id) };
    }
    return { reply: JSON.stringify({ result: null, id }), subscribe: list.map((s) => this.held(session, s)) };
  }

  demandOf(stream: string): StreamDemand | null {
    const s = this.parse(stream);
    if (!s || !this.model.has(s.symbol) || stream.slice(0, stream.indexOf('@')) !== s.symbol.toLowerCase()) return null;
    switch (s.channel) {
      case 'kline':
        return s.interval !== undefined && intervalMs(s.interval) !== undefined
          ? { symbol: s.symbol, channel: 'kline', interval: s.interval }
          : null;
      case 'partialDepth': {
        const period = streamPeriodMs(this.market, s);
        return this.served.depth.some((d) => d.levels === s.levels && d.periodMs === period)
          ? { symbol: s.symbol, channel: 'book' }
          : null;
      }
      default: {
        const channel = this.served.demand.get(s.channel);
        return channel ? { symbol: s.symbol, channel } : null;
      }
    }
  }

  render(event: MarketEvent, wanted: (stream: string) => boolean, out: Push): void {
    const names = this.names.get(event.symbol);
    const fmt = this.payloads.get(event.symbol);
    if (!names || !fmt) return;
    switch (event.type) {
      case 'trade':
        this.renderTrade(event, names, fmt, wanted, out);
        return;
      case 'kline': {
        let name = names.kline.get(event.interval);
        if (name === undefined) names.kline.set(event.interval, (name = klineStream(event.symbol, event.interval)));
        if (wanted(name)) out(name, fmt.kline(event.kline, event.interval, event.time, event.closed));
        return;
      }
      case 'book':
        this.renderBook(event, names, fmt, wanted, out);
    }
  }

  envelope(stream: string, payload: string): string {
    return `{"stream":"${stream}","data":${payload}}`;
  }

  protected renderTrade(event: TradeEvent, names: SymbolNames, fmt: P, wanted: (stream: string) => boolean, out: Push): void {
    if (wanted(names.trade)) out(names.trade, fmt.trade(event.trade));
  }

  protected renderBook(event: BookEvent, names: SymbolNames, fmt: P, wanted: (stream: string) => boolean, out: Push): void {
    for (const [name, levels, period] of names.depth) {
      if (event.time % period === 0 && wanted(name)) out(name, fmt.depth(event.book, levels));
    }
    if (wanted(names.bookTicker)) out(names.bookTicker, fmt.bookTicker(event.book));
  }

  /** The session's stream set when it opens on `route` (a path prefix, if any) with `streams`. */
  protected opened(_route: string | undefined, streams: string[]): string[] {
    return streams;
  }

  /** The entry a SUBSCRIBE of `stream` adds to the session's set. */
  protected held(_session: SessionView, stream: string): string {
    return stream;
  }

  /** The entries an UNSUBSCRIBE of `list` removes. */
  protected released(list: string[]): string[] {
    return list;
  }

  /** The streams LIST_SUBSCRIPTIONS answers, as the client spelled them. */
  protected listed(session: SessionView): string[] {
    return [...session.streams];
  }

  protected payloadsOf(symbol: string): P {
    const p = this.payloads.get(symbol.toUpperCase());
    if (!p) throw new Error(`symbol ${symbol} is not simulated`);
    return p;
  }
}
