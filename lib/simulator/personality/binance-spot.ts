import { BINANCE_SPOT } from '../../exchanges/binance/spot-streams';
import type { MarketModel } from '../market/market-model';
import { BinancePersonality, type BinanceOptions, type ServedStreams } from './binance-personality';
import { BinanceSpotPayloads } from './binance-spot-payloads';
import { BinanceSpotRest } from './binance-spot-rest';
import type { RestRequest, RestResponse } from './personality';

/**
 * Binance spot market streams (`/stream?streams=...` combined, `/ws[/<stream>...]` raw) with the live
 * SUBSCRIBE / UNSUBSCRIBE / LIST_SUBSCRIPTIONS / SET_PROPERTY / GET_PROPERTY methods, and the REST endpoints.
 * Streams: `<sym>@trade`, `<sym>@kline_<interval>`, `<sym>@depth5|depth10[@100ms]`, `<sym>@bookTicker`.
 */

const SPOT_STREAMS: ServedStreams = {
  depth: [
    { channel: 'depth5@100ms', levels: 5, periodMs: 100 },
    { channel: 'depth10@100ms', levels: 10, periodMs: 100 },
    { channel: 'depth5', levels: 5, periodMs: 1000 },
    { channel: 'depth10', levels: 10, periodMs: 1000 },
  ],
  demand: new Map([
    ['trade', 'trades'],
    ['bookTicker', 'book'],
  ]),
};

export type BinanceSpotOptions = BinanceOptions;

export class BinanceSpotPersonality extends BinancePersonality<BinanceSpotPayloads> {
  private readonly rest: BinanceSpotRest;

  constructor(model: MarketModel, opts: BinanceSpotOptions) {
    super(model, BINANCE_SPOT, SPOT_STREAMS, (market) => new BinanceSpotPayloads(market));
    this.rest = new BinanceSpotRest(model, (s) => this.payloadsOf(s), opts.historyStartMs);
  }

  handleRest(req: RestRequest, nowMs: number): RestResponse {
    return this.rest.handle(req, nowMs);
  }

  shutdownNotice(simTime: number): string {
    return JSON.stringify({ e: 'serverShutdown', E: simTime });
  }
}
