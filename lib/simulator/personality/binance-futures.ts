import { binanceStream, marketStreamName, streamPeriodMs } from '../../exchanges/binance/market';
import { BINANCE_USDM, FUTURES_ROUTES, futuresStreamRoute, type FuturesRoute } from '../../exchanges/binance/futures-streams';
import type { MarketModel } from '../market/market-model';
import { PerpetualDerivatives } from './binance-futures-derivatives';
import { BinanceFuturesPayloads } from './binance-futures-payloads';
import { BinanceFuturesRest } from './binance-futures-rest';
import {
  BinancePersonality,
  type BinanceOptions,
  type BookEvent,
  type ServedStreams,
  type SymbolNames,
  type TradeEvent,
} from './binance-personality';
import type { RestRequest, RestResponse, SessionView } from './personality';

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

/** Depth at 100 ms only; the mark price (derived from the book's mid) at each speed USD-M offers. */
const USDM_STREAMS: ServedStreams = {
  depth: [
    { channel: 'depth5@100ms', levels: 5, periodMs: 100 },
    { channel: 'depth10@100ms', levels: 10, periodMs: 100 },
  ],
  demand: new Map([
    ['trade', 'trades'],
    ['forceOrder', 'trades'],
    ['bookTicker', 'book'],
    ['markPrice', 'book'],
  ]),
  routes: FUTURES_ROUTES,
};

const markPriceSpeed = (speed?: string): [channel: string, periodMs: number] => [
  speed === undefined ? 'markPrice' : `markPrice@${speed}`,
  streamPeriodMs(BINANCE_USDM, { channel: 'markPrice', speed })!,
];
const MARK_PRICE_STREAMS = [...(BINANCE_USDM.speeds.markPrice?.allowed ?? []).map(markPriceSpeed), markPriceSpeed()];

export type BinanceFuturesOptions = BinanceOptions;

export class BinanceFuturesPersonality extends BinancePersonality<BinanceFuturesPayloads> {
  /** Per symbol, the liquidation stream and the mark-price streams with their push periods. */
  private readonly perpetualNames = new Map<string, { forceOrder: string; markPrice: [string, number][] }>();
  private readonly derivatives: PerpetualDerivatives;
  private readonly rest: BinanceFuturesRest;

  constructor(model: MarketModel, opts: BinanceFuturesOptions) {
    super(model, BINANCE_USDM, USDM_STREAMS, (market) => new BinanceFuturesPayloads(market));
    this.derivatives = new PerpetualDerivatives(model);
    for (const symbol of model.symbols) {
      this.perpetualNames.set(symbol, {
        forceOrder: marketStreamName(BINANCE_USDM, { symbol, dataset: 'liquidations' }),
        markPrice: MARK_PRICE_STREAMS.map(([channel, period]) => [binanceStream(symbol, channel), period]),
      });
    }
    this.rest = new BinanceFuturesRest(model, (s) => this.payloadsOf(s), this.derivatives, opts.historyStartMs);
  }

  handleRest(req: RestRequest, nowMs: number): RestResponse {
    return this.rest.handle(req, nowMs);
  }

  protected override renderTrade(
    event: TradeEvent,
    names: SymbolNames,
    fmt: BinanceFuturesPayloads,
    wanted: (stream: string) => boolean,
    out: (stream: string, payload: string) => void,
  ): void {
    super.renderTrade(event, names, fmt, wanted, out);
    const { forceOrder } = this.perpetualNames.get(event.symbol)!;
    if (!wanted(forceOrder)) return;
    const liquidation = this.derivatives.liquidation(event.symbol, event.trade);
    if (liquidation) out(forceOrder, fmt.forceOrder(liquidation));
  }

  protected override renderBook(
    event: BookEvent,
    names: SymbolNames,
    fmt: BinanceFuturesPayloads,
    wanted: (stream: string) => boolean,
    out: (stream: string, payload: string) => void,
  ): void {
    super.renderBook(event, names, fmt, wanted, out);
    const { book, time } = event;
    for (const [name, period] of this.perpetualNames.get(event.symbol)!.markPrice) {
      if (time % period === 0 && wanted(name))
        out(name, fmt.markPrice(this.derivatives.markPrice(event.symbol, book, time), time));
    }
  }

  protected override opened(route: string | undefined, streams: string[]): string[] {
    const sessionRoute = (route as FuturesRoute | undefined) ?? 'unrouted';
    return [routeMarker(sessionRoute), ...streams.map((s) => this.heldOn(sessionRoute, s))];
  }

  protected override held(session: SessionView, stream: string): string {
    return this.heldOn(routeOf(session), stream);
  }

  /** A muted alias was ACKed like any stream, so it goes with its name. */
  protected override released(list: string[]): string[] {
    return list.flatMap((s) => [s, `${MUTED}${s}`]);
  }

  /** The stream names a session asked for, as the client spelled them (muted ones included: they were ACKed). */
  protected override listed(session: SessionView): string[] {
    const out: string[] = [];
    for (const s of session.streams) if (!s.startsWith(ROUTE_MARKER)) out.push(nameOf(s));
    return out;
  }

  /** The subscription entry for `stream` on a session of `route`: the name itself, or its muted alias. */
  private heldOn(route: SessionRoute, stream: string): string {
    const needs = futuresStreamRoute(stream);
    const delivered = route === 'unrouted' ? needs === 'public' : needs === route;
    return delivered ? stream : `${MUTED}${stream}`;
  }
}

function routeOf(session: SessionView): SessionRoute {
  for (const r of ['public', 'market', 'unrouted'] as const) if (session.streams.has(routeMarker(r))) return r;
  return 'unrouted';
}

const nameOf = (held: string): string => (held.startsWith(MUTED) ? held.slice(MUTED.length) : held);
