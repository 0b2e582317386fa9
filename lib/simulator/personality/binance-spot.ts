import { parseSpotStreamName } from '../../exchanges/binance/spot-streams';
import type { MarketEvent } from '../market/feed';
import { intervalMs } from '../market/kline';
import type { MarketModel } from '../market/market-model';
import { BinanceSpotPayloads } from './binance-spot-payloads';
import { BinanceSpotRest } from './binance-spot-rest';
import { commonMethod, errorReply, isRequest, parseBinanceRequest, streamNames } from './binance-ws-requests';
import type {
  ClientMessageResult, ExchangePersonality, RestRequest, RestResponse, SessionOpening, SessionView, StreamDemand,
} from './personality';

/**
 * Binance spot market streams (`/stream?streams=...` combined, `/ws[/<stream>...]` raw) with the live
 * SUBSCRIBE / UNSUBSCRIBE / LIST_SUBSCRIPTIONS / SET_PROPERTY / GET_PROPERTY methods, and the REST endpoints.
 * Streams: `<sym>@trade`, `<sym>@kline_<interval>`, `<sym>@depth5|depth10[@100ms]`, `<sym>@bookTicker`.
 */

const MAX_STREAMS_PER_CONNECTION = 1024;

interface SymbolNames {
  trade: string;
  bookTicker: string;
  /** [name, levels, push period ms] of the partial-depth streams. */
  depth: [string, number, number][];
  kline: Map<string, string>;
}


export interface BinanceSpotOptions {
  /** Earliest kline open time REST serves (the simulated listing date). */
  historyStartMs: number;
}

export class BinanceSpotPersonality implements ExchangePersonality {
  private readonly payloads = new Map<string, BinanceSpotPayloads>();
  private readonly names = new Map<string, SymbolNames>();
  private readonly rest: BinanceSpotRest;

  constructor(private readonly model: MarketModel, opts: BinanceSpotOptions) {
    for (const symbol of model.symbols) {
      this.payloads.set(symbol, new BinanceSpotPayloads(model.market(symbol)));
      const lower = symbol.toLowerCase();
      this.names.set(symbol, {
        trade: `${lower}@trade`,
        bookTicker: `${lower}@bookTicker`,
        depth: [[`${lower}@depth5@100ms`, 5, 100], [`${lower}@depth10@100ms`, 10, 100], [`${lower}@depth5`, 5, 1000], [`${lower}@depth10`, 10, 1000]],
        kline: new Map(),
      });
    }
    this.rest = new BinanceSpotRest(model, (s) => this.payloadsOf(s), opts.historyStartMs);
  }

  openSession(url: URL): SessionOpening {
    let combined: boolean;
    let streams: string[];
    if (url.pathname === '/stream') {
      combined = true;
      streams = (url.searchParams.get('streams') ?? '').split('/').filter((s) => s.length > 0);
    } else if (url.pathname === '/ws' || url.pathname.startsWith('/ws/')) {
      combined = false;
      streams = url.pathname.slice(4).split('/').filter((s) => s.length > 0);
    } else {
      return { ok: false, status: 404, message: 'Not Found' };
    }
    const bad = streams.find((s) => !this.demandOf(s));
    if (bad !== undefined) return { ok: false, status: 400, message: `Invalid stream name ${bad}` };
    if (streams.length > MAX_STREAMS_PER_CONNECTION) return { ok: false, status: 400, message: 'Too many streams' };
    return { ok: true, combined, streams };
  }

  onClientMessage(text: string, session: SessionView): ClientMessageResult {
    const req = parseBinanceRequest(text);
    if (!isRequest(req)) return req;
    const { method, id } = req;
    if (method !== 'SUBSCRIBE' && method !== 'UNSUBSCRIBE') return commonMethod(req, session, [...session.streams]);
    const list = streamNames(req);
    if (!Array.isArray(list)) return list;
    const bad = method === 'SUBSCRIBE' ? list.find((s) => !this.demandOf(s)) : undefined;
    if (bad !== undefined) return { reply: errorReply(2, `Invalid request: unknown stream ${bad}`, id) };
    if (method === 'SUBSCRIBE' && new Set([...session.streams, ...list]).size > MAX_STREAMS_PER_CONNECTION) {
      return { reply: errorReply(2, 'Invalid request: too many streams', id) };
    }
    return { reply: JSON.stringify({ result: null, id }), [method === 'SUBSCRIBE' ? 'subscribe' : 'unsubscribe']: list };
  }

  demandOf(stream: string): StreamDemand | null {
    const s = parseSpotStreamName(stream);
    if (!s || !this.model.has(s.symbol) || stream.slice(0, stream.indexOf('@')) !== s.symbol.toLowerCase()) return null;
    switch (s.channel) {
      case 'trade':
        return { symbol: s.symbol, channel: 'trades' };
      case 'bookTicker':
        return { symbol: s.symbol, channel: 'book' };
      case 'partialDepth':
        return s.levels === 5 || s.levels === 10 ? { symbol: s.symbol, channel: 'book' } : null;
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
      case 'trade':
        if (wanted(names.trade)) out(names.trade, fmt.trade(event.trade));
        return;
      case 'kline': {
        const name = this.klineName(names, event.symbol, event.interval);
        if (wanted(name)) out(name, fmt.kline(event.kline, event.interval, event.time, event.closed));
        return;
      }
      case 'book':
        for (const [name, levels, period] of names.depth) {
          if (event.time % period === 0 && wanted(name)) out(name, fmt.depth(event.book, levels));
        }
        if (wanted(names.bookTicker)) out(names.bookTicker, fmt.bookTicker(event.book));
    }
  }

  envelope(stream: string, payload: string): string {
    return `{"stream":"${stream}","data":${payload}}`;
  }

  handleRest(req: RestRequest, nowMs: number): RestResponse {
    return this.rest.handle(req, nowMs);
  }

  shutdownNotice(simTime: number): string {
    return JSON.stringify({ e: 'serverShutdown', E: simTime });
  }

  private payloadsOf(symbol: string): BinanceSpotPayloads {
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
