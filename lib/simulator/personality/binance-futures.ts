import {
  BINANCE_MAX_STREAMS_PER_CONNECTION, futuresStreamRoute, parseFuturesStreamName, type FuturesRoute,
} from '../../exchanges/binance/futures-streams';
import type { MarketEvent } from '../market/feed';
import { intervalMs } from '../market/kline';
import type { MarketModel } from '../market/market-model';
import { PerpetualDerivatives } from './binance-futures-derivatives';
import { BinanceFuturesPayloads } from './binance-futures-payloads';
import { commonMethod, errorReply, isRequest, parseBinanceRequest, streamNames } from './binance-ws-requests';
import { BinanceFuturesRest } from './binance-futures-rest';
import type {
  ClientMessageResult, ExchangePersonality, RestRequest, RestResponse, SessionOpening, SessionView, StreamDemand,
} from './personality';

/**
 * Binance USD-M perpetual market streams on the 2026 routed endpoints: `/public/stream?streams=`, `/public/ws/...`
 * carry depth and bookTicker; `/market/...` carry trade, kline, markPrice and forceOrder. The un-routed `/stream`
 * and `/ws` accept and ACK every stream but deliver only the `/public` ones, as the exchange does; a stream on
 * the wrong route is likewise ACKed and silent. Streams: `<sym>@trade`, `<sym>@kline_<i>`, `<sym>@depth5|10@100ms`,
 * `<sym>@bookTicker`, `<sym>@markPrice[@1s]`, `<sym>@forceOrder`.
 */

type SessionRoute = FuturesRoute | 'unrouted';

/**
 * The personality interface gives SUBSCRIBE only the session's stream set, so the session's route rides in that
 * set as a marker, and a stream its route does not carry is held under a muted alias. Neither is a stream
 * name: `demandOf` rejects both, so they create no market demand and nothing is ever published to them.
 */
const ROUTE_MARKER = '~route~';
const MUTED = '~muted~';
const routeMarker = (route: SessionRoute) => `${ROUTE_MARKER}${route}`;

const DEPTH_LEVELS = [5, 10] as const;
const MARK_PRICE_PERIODS: readonly [suffix: string, periodMs: number][] = [['markPrice@1s', 1000], ['markPrice', 3000]];

interface SymbolNames {
  trade: string;
  bookTicker: string;
  forceOrder: string;
  depth: [name: string, levels: number][];
  markPrice: [name: string, periodMs: number][];
  kline: Map<string, string>;
}


export interface BinanceFuturesOptions {
  /** Earliest kline open time REST serves (the simulated listing date). */
  historyStartMs: number;
}

export class BinanceFuturesPersonality implements ExchangePersonality {
  private readonly payloads = new Map<string, BinanceFuturesPayloads>();
  private readonly names = new Map<string, SymbolNames>();
  /** Per symbol, the time and update id of the last book rendered, for the next depth push's `pu`. */
  private readonly lastBook = new Map<string, { time: number; updateId: number }>();
  private readonly derivatives: PerpetualDerivatives;
  private readonly rest: BinanceFuturesRest;

  constructor(private readonly model: MarketModel, opts: BinanceFuturesOptions) {
    this.derivatives = new PerpetualDerivatives(model);
    for (const symbol of model.symbols) {
      this.payloads.set(symbol, new BinanceFuturesPayloads(model.market(symbol)));
      const lower = symbol.toLowerCase();
      this.names.set(symbol, {
        trade: `${lower}@trade`,
        bookTicker: `${lower}@bookTicker`,
        forceOrder: `${lower}@forceOrder`,
        depth: DEPTH_LEVELS.map((n) => [`${lower}@depth${n}@100ms`, n]),
        markPrice: MARK_PRICE_PERIODS.map(([suffix, period]) => [`${lower}@${suffix}`, period]),
        kline: new Map(),
      });
    }
    this.rest = new BinanceFuturesRest(model, (s) => this.payloadsOf(s), this.derivatives, opts.historyStartMs);
  }

  openSession(url: URL): SessionOpening {
    const m = /^(?:\/(public|market))?\/(stream|ws)(\/.*)?$/.exec(url.pathname);
    if (!m || (m[2] === 'stream' && m[3] !== undefined)) return { ok: false, status: 404, message: 'Not Found' };
    const route: SessionRoute = (m[1] as FuturesRoute | undefined) ?? 'unrouted';
    const combined = m[2] === 'stream';
    const streams = combined
      ? (url.searchParams.get('streams') ?? '').split('/').filter((s) => s.length > 0)
      : (m[3] ?? '').split('/').filter((s) => s.length > 0);
    const bad = streams.find((s) => !this.demandOf(s));
    if (bad !== undefined) return { ok: false, status: 400, message: `Invalid stream name ${bad}` };
    if (new Set(streams).size > BINANCE_MAX_STREAMS_PER_CONNECTION) return { ok: false, status: 400, message: 'Too many streams' };
    return { ok: true, combined, streams: [routeMarker(route), ...streams.map((s) => this.held(route, s))] };
  }

  onClientMessage(text: string, session: SessionView): ClientMessageResult {
    const req = parseBinanceRequest(text);
    if (!isRequest(req)) return req;
    const { method, id } = req;
    if (method !== 'SUBSCRIBE' && method !== 'UNSUBSCRIBE') return commonMethod(req, session, subscribed(session));
    const list = streamNames(req);
    if (!Array.isArray(list)) return list;
    if (method === 'UNSUBSCRIBE') return { reply: JSON.stringify({ result: null, id }), unsubscribe: list.flatMap((s) => [s, `${MUTED}${s}`]) };
    const bad = list.find((s) => !this.demandOf(s));
    if (bad !== undefined) return { reply: errorReply(2, `Invalid request: unknown stream ${bad}`, id) };
    const held = list.map((s) => this.held(routeOf(session), s));
    if (new Set([...subscribed(session), ...held.map(nameOf)]).size > BINANCE_MAX_STREAMS_PER_CONNECTION) {
      return { reply: errorReply(2, 'Invalid request: too many streams', id) };
    }
    return { reply: JSON.stringify({ result: null, id }), subscribe: held };
  }

  demandOf(stream: string): StreamDemand | null {
    const s = parseFuturesStreamName(stream);
    if (!s || !this.model.has(s.symbol) || stream.slice(0, stream.indexOf('@')) !== s.symbol.toLowerCase()) return null;
    switch (s.channel) {
      case 'trade':
      case 'forceOrder':
        return s.speed === undefined ? { symbol: s.symbol, channel: 'trades' } : null;
      case 'bookTicker':
        return s.speed === undefined ? { symbol: s.symbol, channel: 'book' } : null;
      case 'partialDepth':
        return (s.levels === 5 || s.levels === 10) && s.speed === '100ms' ? { symbol: s.symbol, channel: 'book' } : null;
      case 'markPrice':
        // Mark price is derived from the book's mid.
        return { symbol: s.symbol, channel: 'book' };
      case 'kline':
        return s.interval !== undefined && intervalMs(s.interval) !== undefined ? { symbol: s.symbol, channel: 'kline', interval: s.interval } : null;
      default:
        return null;
    }
  }

  render(event: MarketEvent, wanted: (stream: string) => boolean, out: (stream: string, payload: string) => void): void {
    const names = this.names.get(event.symbol);
    const fmt = this.payloads.get(event.symbol);
    if (!names || !fmt) return;
    switch (event.type) {
      case 'trade': {
        if (wanted(names.trade)) out(names.trade, fmt.trade(event.trade));
        if (!wanted(names.forceOrder)) return;
        const liquidation = this.derivatives.liquidation(event.symbol, event.trade);
        if (liquidation) out(names.forceOrder, fmt.forceOrder(liquidation));
        return;
      }
      case 'kline': {
        const name = this.klineName(names, event.symbol, event.interval);
        if (wanted(name)) out(name, fmt.kline(event.kline, event.interval, event.time, event.closed));
        return;
      }
      case 'book': {
        const { book, time } = event;
        const prevUpdateId = this.previousUpdateId(event.symbol, time);
        for (const [name, levels] of names.depth) if (wanted(name)) out(name, fmt.depth(book, levels, prevUpdateId));
        if (wanted(names.bookTicker)) out(names.bookTicker, fmt.bookTicker(book));
        for (const [name, period] of names.markPrice) {
          if (time % period === 0 && wanted(name)) out(name, fmt.markPrice(this.derivatives.markPrice(event.symbol, book, time), time));
        }
        this.lastBook.set(event.symbol, { time, updateId: book.updateId });
      }
    }
  }

  envelope(stream: string, payload: string): string {
    return `{"stream":"${stream}","data":${payload}}`;
  }

  handleRest(req: RestRequest, nowMs: number): RestResponse {
    return this.rest.handle(req, nowMs);
  }

  /** Update id of the book one tick before `time`: remembered when books arrive back to back, else rebuilt. */
  private previousUpdateId(symbol: string, time: number): number {
    const last = this.lastBook.get(symbol);
    if (last && last.time === time - 100) return last.updateId;
    return this.model.market(symbol).bookAt(time - 100).updateId;
  }

  /** The subscription entry for `stream` on a session of `route`: the name itself, or its muted alias. */
  private held(route: SessionRoute, stream: string): string {
    const needs = futuresStreamRoute(stream);
    const delivered = route === 'unrouted' ? needs === 'public' : needs === route;
    return delivered ? stream : `${MUTED}${stream}`;
  }

  private payloadsOf(symbol: string): BinanceFuturesPayloads {
    const p = this.payloads.get(symbol.toUpperCase());
    if (!p) throw new Error(`symbol ${symbol} is not simulated`);
    return p;
  }

  private klineName(names: SymbolNames, symbol: string, interval: string): string {
    let name = names.kline.get(interval);
    if (name === undefined) {
      name = `${symbol.toLowerCase()}@kline_${interval}`;
      names.kline.set(interval, name);
    }
    return name;
  }
}

function routeOf(session: SessionView): SessionRoute {
  for (const r of ['public', 'market', 'unrouted'] as const) if (session.streams.has(routeMarker(r))) return r;
  return 'unrouted';
}

const nameOf = (held: string): string => (held.startsWith(MUTED) ? held.slice(MUTED.length) : held);

/** The stream names a session asked for, as the client spelled them (muted ones included: they were ACKed). */
function subscribed(session: SessionView): string[] {
  const out: string[] = [];
  for (const s of session.streams) if (!s.startsWith(ROUTE_MARKER)) out.push(nameOf(s));
  return out;
}

