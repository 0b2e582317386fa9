import type { MarketModel } from '../market/market-model';
import type { PerpetualDerivatives } from './binance-futures-derivatives';
import type { BinanceFuturesPayloads } from './binance-futures-payloads';
import { fixed } from './decimal';
import { answerBinanceRest, binanceReplies, klinesReply, type BinanceEndpoint } from './binance-rest-common';
import type { RestRequest, RestResponse } from './personality';

/**
 * Binance USD-M REST: `/fapi/v1/ping`, `/time`, `/klines` (the spot model's klines at futures precision, up to
 * 1,500 rows) and `/openInterest`, with Binance's error bodies (`{"code":-1121,"msg":"Invalid symbol."}`).
 */

const KLINES_DEFAULT_LIMIT = 500;
const KLINES_MAX_LIMIT = 1500;
const REPLIES = binanceReplies({ 'content-type': 'application/json' });
const { ok, mandatory, invalidSymbol: INVALID_SYMBOL } = REPLIES;

export class BinanceFuturesRest {
  constructor(
    private readonly model: MarketModel,
    private readonly payloads: (symbol: string) => BinanceFuturesPayloads,
    private readonly derivatives: PerpetualDerivatives,
    /** Earliest kline open time served, as a listing date would bound it. */
    private readonly historyStartMs: number,
  ) {}

  private readonly endpoints: Readonly<Record<string, BinanceEndpoint>> = {
    klines: (query, nowMs) => this.klines(query, nowMs),
    openInterest: (query, nowMs) => this.openInterest(query, nowMs),
  };

  handle(req: RestRequest, nowMs: number): RestResponse {
    return answerBinanceRest(req, nowMs, '/fapi/v1/', this.endpoints, REPLIES);
  }

  private symbolOf(query: URLSearchParams): string | RestResponse {
    const symbol = query.get('symbol');
    if (!symbol) return mandatory('symbol');
    if (!this.model.has(symbol) || symbol !== symbol.toUpperCase()) return INVALID_SYMBOL;
    return symbol;
  }

  /** The reading as of `nowMs`; it moves once a simulated minute. */
  private openInterest(query: URLSearchParams, nowMs: number): RestResponse {
    const symbol = this.symbolOf(query);
    if (typeof symbol !== 'string') return symbol;
    const steps = this.derivatives.openInterest(symbol, nowMs);
    const oi = fixed(steps, this.model.market(symbol).spec.qtyDecimals);
    return ok(`{"openInterest":"${oi}","symbol":"${symbol}","time":${nowMs}}`);
  }

  private klines(query: URLSearchParams, nowMs: number): RestResponse {
    const symbol = this.symbolOf(query);
    if (typeof symbol !== 'string') return symbol;
    const interval = query.get('interval');
    if (!interval) return mandatory('interval');
    const market = this.model.market(symbol);
    const fmt = this.payloads(symbol);
    const limits = { defaultLimit: KLINES_DEFAULT_LIMIT, maxLimit: KLINES_MAX_LIMIT };
    return klinesReply(query, interval, nowMs, this.historyStartMs, limits, REPLIES, (len, open) =>
      fmt.restKline(market.kline(len, open, nowMs)),
    );
  }
}
