import {
  KRAKEN_BOOK_DEPTHS,
  KRAKEN_OHLC_INTERVALS,
  parseKrakenStreamName,
  type KrakenChannel,
} from '../../exchanges/kraken/streams';
import { splitSymbol } from '../../exchanges/symbols';
import type { MarketEvent } from '../market/feed';
import { intervalMs } from '../market/kline';
import type { MarketModel } from '../market/market-model';
import { KrakenPayloads, rfc3339Micros } from './kraken-payloads';
import type {
  ClientMessageResult,
  ExchangePersonality,
  RestResponse,
  SessionOpening,
  SessionView,
  StreamDemand,
} from './personality';
import { MINUTE_MS } from '../../util/time';

/**
 * Kraken WebSocket v2 on `/v2`: subscribe / unsubscribe / ping requests with one ack per symbol, and the
 * channels `ohlc` (interval in minutes), `book` (snapshot then checksummed updates) and `trade`. The model's
 * Binance-style symbols (BTCUSDT) are presented as BTC/USDT.
 *
 * Internal stream names follow the adapter's (`ohlc-5:BTC/USDT`, `trade:BTC/USDT`), except that each book
 * subscription gets a stream of its own (`book-10:BTC/USDT#3`): a subscriber must get a snapshot before its
 * first update, so the personality tracks which book streams have had theirs, and the hub needs no change.
 */

const MAX_SUBSCRIPTIONS = 1000;

interface BookSub {
  depth: number;
  snapshotSent: boolean;
}

interface SymbolState {
  kraken: string;
  payloads: KrakenPayloads;
  /** Book streams of this symbol with a subscriber, by name. */
  bookSubs: Map<string, BookSub>;
  /** The book as the last book event rendered it: what every synced subscriber now holds. */
  lastBook: ReturnType<KrakenPayloads['sides']> | null;
}

export interface KrakenOptions {
  /** Unused: the personality serves no REST history. */
  historyStartMs: number;
}

export class KrakenPersonality implements ExchangePersonality {
  private readonly bySim = new Map<string, SymbolState>();
  private readonly byKraken = new Map<string, string>();
  private nextBookStream = 1;
  /** Simulated time of the last event rendered, for acks' time_in/time_out. */
  private now: number;

  constructor(model: MarketModel, _opts: KrakenOptions) {
    this.now = model.anchorMs;
    for (const symbol of model.symbols) {
      const { base, quote } = splitSymbol(symbol);
      const kraken = quote ? `${base}/${quote}` : symbol;
      this.byKraken.set(kraken, symbol);
      this.bySim.set(symbol, {
        kraken,
        payloads: new KrakenPayloads(model.market(symbol), kraken),
        bookSubs: new Map(),
        lastBook: null,
      });
    }
  }

  openSession(url: URL): SessionOpening {
    return url.pathname === '/v2' ? { ok: true, combined: false, streams: [] } : { ok: false, status: 404, message: 'Not Found' };
  }

  onClientMessage(text: string, session: SessionView): ClientMessageResult {
    let req: unknown;
    try {
      req = JSON.parse(text);
    } catch {
      return { reply: this.error(undefined, 'Malformed request') };
    }
    if (typeof req !== 'object' || req === null || Array.isArray(req))
      return { reply: this.error(undefined, 'Malformed request') };
    const { method, params, req_id: reqId } = req as { method?: unknown; params?: unknown; req_id?: unknown };
    if (reqId !== undefined && !Number.isSafeInteger(reqId)) return { reply: this.error(method, 'Invalid req_id', reqId) };
    switch (method) {
      case 'ping':
        return { reply: JSON.stringify({ method: 'pong', req_id: reqId, time_in: this.time(), time_out: this.time() }) };
      case 'subscribe':
      case 'unsubscribe':
        return this.subscription(method, params, reqId, session);
      default:
        return { reply: this.error(method, `Method not found${typeof method === 'string' ? `: ${method}` : ''}`, reqId) };
    }
  }

  demandOf(stream: string): StreamDemand | null {
    const hash = stream.indexOf('#');
    const s = parseKrakenStreamName(hash < 0 ? stream : stream.slice(0, hash));
    const symbol = s && this.byKraken.get(s.symbol);
    if (!s || !symbol) return null;
    switch (s.channel) {
      case 'trade':
        return { symbol, channel: 'trades' };
      case 'book':
        return { symbol, channel: 'book' };
      case 'ohlc': {
        const interval = binanceInterval(s.param ?? 0);
        return interval ? { symbol, channel: 'kline', interval } : null;
      }
    }
  }

  render(event: MarketEvent, wanted: (stream: string) => boolean, out: (stream: string, payload: string) => void): void {
    const st = this.bySim.get(event.symbol);
    if (!st) return;
    this.now = event.time;
    switch (event.type) {
      case 'trade': {
        const name = `trade:${st.kraken}`;
        if (wanted(name)) out(name, st.payloads.trade(event.trade));
        return;
      }
      case 'kline': {
        const minutes = intervalMs(event.interval)! / MINUTE_MS;
        const name = `ohlc-${minutes}:${st.kraken}`;
        // Kraken updates a candle on trades: a candle without any is never sent.
        if (event.kline.tradeCount > 0 && wanted(name)) out(name, st.payloads.ohlc(event.kline, minutes, event.time));
        return;
      }
      case 'book': {
        const cur = st.payloads.sides(event.book);
        let update: string | null | undefined;
        for (const [name, sub] of st.bookSubs) {
          if (!wanted(name)) {
            st.bookSubs.delete(name);
          } else if (!sub.snapshotSent || !st.lastBook) {
            out(name, st.payloads.bookSnapshot(cur.bids.slice(0, sub.depth), cur.asks.slice(0, sub.depth)));
            sub.snapshotSent = true;
          } else {
            if (update === undefined) update = st.payloads.bookUpdate(st.lastBook, cur, event.time);
            if (update !== null) out(name, update);
          }
        }
        st.lastBook = cur;
      }
    }
  }

  /** Kraken sessions carry no envelope. */
  envelope(_stream: string, payload: string): string {
    return payload;
  }

  handleRest(): RestResponse {
    return { status: 404, body: JSON.stringify({ error: ['EGeneral:Unknown method'] }) };
  }

  private subscription(
    method: 'subscribe' | 'unsubscribe',
    params: unknown,
    reqId: unknown,
    session: SessionView,
  ): ClientMessageResult {
    if (typeof params !== 'object' || params === null) return { reply: this.error(method, 'Missing params', reqId) };
    const p = params as { channel?: unknown; symbol?: unknown; interval?: unknown; depth?: unknown; snapshot?: unknown };
    const channel = p.channel;
    if (channel !== 'ohlc' && channel !== 'book' && channel !== 'trade')
      return { reply: this.error(method, `Channel ${String(channel)} not found`, reqId) };
    if (!Array.isArray(p.symbol) || p.symbol.length === 0 || !p.symbol.every((s): s is string => typeof s === 'string')) {
      return { reply: this.error(method, 'Missing or invalid symbol', reqId) };
    }
    let param: number | undefined;
    if (channel === 'ohlc') {
      param = p.interval === undefined ? 1 : Number(p.interval);
      if (!(KRAKEN_OHLC_INTERVALS as readonly number[]).includes(param) || !binanceInterval(param))
        return { reply: this.error(method, 'Invalid interval', reqId) };
    } else if (channel === 'book') {
      param = p.depth === undefined ? 10 : Number(p.depth);
      if (!(KRAKEN_BOOK_DEPTHS as readonly number[]).includes(param))
        return { reply: this.error(method, 'Invalid depth', reqId) };
    }
    const frames: string[] = [];
    const subscribe: string[] = [];
    const unsubscribe: string[] = [];
    const streams = new Set(session.streams);
    for (const symbol of p.symbol) {
      const sim = this.byKraken.get(symbol);
      if (!sim) {
        frames.push(this.error(method, 'Currency pair not supported', reqId, symbol));
        continue;
      }
      const existing = this.streamOf(streams, channel, symbol, param);
      if (method === 'subscribe') {
        if (existing) {
          frames.push(this.error(method, 'Already subscribed', reqId, symbol));
          continue;
        }
        if (streams.size >= MAX_SUBSCRIPTIONS) {
          frames.push(this.error(method, 'Exceeded subscription limit', reqId, symbol));
          continue;
        }
        const name = this.newStream(channel, symbol, sim, param);
        streams.add(name);
        subscribe.push(name);
      } else {
        if (!existing) {
          frames.push(this.error(method, 'Subscription Not Found', reqId, symbol));
          continue;
        }
        streams.delete(existing);
        unsubscribe.push(existing);
      }
      frames.push(this.ack(method, channel, symbol, param, p.snapshot, reqId));
    }
    const [reply, ...replies] = frames;
    return { reply, replies, subscribe, unsubscribe };
  }

  /**
   * The session's stream for a channel and symbol, and for ohlc its interval (one book per symbol whatever the
   * depth; book streams carry a per-subscription suffix).
   */
  private streamOf(
    streams: ReadonlySet<string>,
    channel: KrakenChannel,
    symbol: string,
    param: number | undefined,
  ): string | undefined {
    for (const name of streams) {
      const hash = name.indexOf('#');
      const stream = parseKrakenStreamName(hash < 0 ? name : name.slice(0, hash));
      if (stream && stream.channel === channel && stream.symbol === symbol && (channel !== 'ohlc' || stream.param === param))
        return name;
    }
    return undefined;
  }

  private newStream(channel: KrakenChannel, symbol: string, sim: string, param: number | undefined): string {
    if (channel === 'trade') return `trade:${symbol}`;
    if (channel === 'ohlc') return `ohlc-${param}:${symbol}`;
    const name = `book-${param}:${symbol}#${this.nextBookStream++}`;
    this.bySim.get(sim)!.bookSubs.set(name, { depth: param!, snapshotSent: false });
    return name;
  }

  private ack(
    method: string,
    channel: KrakenChannel,
    symbol: string,
    param: number | undefined,
    snapshot: unknown,
    reqId: unknown,
  ): string {
    const result: Record<string, unknown> = { channel };
    if (channel === 'book') result.depth = param;
    if (channel === 'ohlc') result.interval = param;
    if (method === 'subscribe') result.snapshot = channel === 'book' ? true : snapshot === true;
    result.symbol = symbol;
    return JSON.stringify({
      method,
      result,
      success: true,
      time_in: this.time(),
      time_out: this.time(),
      ...(reqId === undefined ? {} : { req_id: reqId }),
    });
  }

  private error(method: unknown, error: string, reqId?: unknown, symbol?: string): string {
    return JSON.stringify({
      error,
      ...(typeof method === 'string' ? { method } : {}),
      ...(reqId === undefined ? {} : { req_id: reqId }),
      success: false,
      ...(symbol === undefined ? {} : { symbol }),
      time_in: this.time(),
      time_out: this.time(),
    });
  }

  private time(): string {
    return rfc3339Micros(this.now);
  }
}

/** The simulator's (Binance-style) interval for Kraken minutes, when it offers one. */
function binanceInterval(minutes: number): string | undefined {
  const name = minutes % 1440 === 0 ? `${minutes / 1440}d` : minutes % 60 === 0 ? `${minutes / 60}h` : `${minutes}m`;
  return intervalMs(name) !== undefined ? name : undefined;
}
