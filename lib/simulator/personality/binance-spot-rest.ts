import { baseQuote } from '../../exchanges/symbols';
import type { MarketModel } from '../market/market-model';
import type { BinanceSpotPayloads } from './binance-spot-payloads';
import { formatUnits } from './decimal';
import { answerBinanceRest, binanceReplies, klinesReply, type BinanceEndpoint } from './binance-rest-common';
import type { RestRequest, RestResponse } from './personality';

/**
 * Binance spot REST: `/api/v3/ping`, `/time`, `/exchangeInfo`, `/klines` and `/historicalTrades`, with Binance's
 * error bodies (`{"code":-1121,"msg":"Invalid symbol."}`, HTTP 400). Klines are served only once they have opened
 * by the simulated "now"; the last one is the still-open candle as of now, as on the exchange.
 *
 * `/historicalTrades` answers by trade id from the market model (the same trades the trade stream sends), but
 * only for the most recent HISTORICAL_TRADES_KEPT trades per symbol before "now", and none before the listing
 * (`historyStartMs`): as if the simulator kept a bounded buffer of the trades it generated. A `fromId` older than
 * that, or not traded yet, gets an empty array (Binance answers an id past the newest trade the same way).
 * Without `fromId`, the latest `limit` trades.
 */

const KLINES_DEFAULT_LIMIT = 500;
const KLINES_MAX_LIMIT = 1000;
const TRADES_DEFAULT_LIMIT = 500;
const TRADES_MAX_LIMIT = 1000;
/** Trades per symbol `/historicalTrades` reaches back: the last 200,000 before the simulated now. */
export const HISTORICAL_TRADES_KEPT = 200_000;
const REPLIES = binanceReplies({ 'content-type': 'application/json;charset=UTF-8' });
const { ok, error: binanceError, mandatory, illegal, invalidSymbol: INVALID_SYMBOL } = REPLIES;

export class BinanceSpotRest {
  constructor(
    private readonly model: MarketModel,
    private readonly payloads: (symbol: string) => BinanceSpotPayloads,
    /** Earliest kline open time served, as a listing date would bound it. */
    private readonly historyStartMs: number,
  ) {}

  private readonly endpoints: Readonly<Record<string, BinanceEndpoint>> = {
    exchangeInfo: (query, nowMs) => this.exchangeInfo(query, nowMs),
    klines: (query, nowMs) => this.klines(query, nowMs),
    historicalTrades: (query, nowMs) => this.historicalTrades(query, nowMs),
  };

  handle(req: RestRequest, nowMs: number): RestResponse {
    return answerBinanceRest(req, nowMs, '/api/v3/', this.endpoints, REPLIES);
  }

  private klines(query: URLSearchParams, nowMs: number): RestResponse {
    const symbol = query.get('symbol');
    const interval = query.get('interval');
    if (!symbol) return mandatory('symbol');
    if (!interval) return mandatory('interval');
    if (!this.model.has(symbol) || symbol !== symbol.toUpperCase()) return INVALID_SYMBOL;
    const market = this.model.market(symbol);
    const fmt = this.payloads(symbol);
    const limits = { defaultLimit: KLINES_DEFAULT_LIMIT, maxLimit: KLINES_MAX_LIMIT };
    return klinesReply(query, interval, nowMs, this.historyStartMs, limits, REPLIES, (len, open) =>
      fmt.restKline(market.kline(len, open, nowMs)),
    );
  }

  private historicalTrades(query: URLSearchParams, nowMs: number): RestResponse {
    const symbol = query.get('symbol');
    if (!symbol) return mandatory('symbol');
    if (!this.model.has(symbol) || symbol !== symbol.toUpperCase()) return INVALID_SYMBOL;
    const params: Partial<Record<'fromId' | 'limit', number>> = {};
    for (const name of ['fromId', 'limit'] as const) {
      const v = query.get(name);
      if (v === null || v === '') continue;
      if (!/^[0-9]{1,20}$/.test(v)) return illegal(name);
      params[name] = Number(v);
    }
    if (params.limit === 0) return binanceError(400, -1130, "Data sent for parameter 'limit' is not valid.");
    const limit = Math.min(params.limit ?? TRADES_DEFAULT_LIMIT, TRADES_MAX_LIMIT);
    const market = this.model.market(symbol);
    // Trades strictly before now have happened; the oldest kept is HISTORICAL_TRADES_KEPT back, or the listing's first.
    const next = market.firstTradeIdAt(nowMs);
    const oldest = Math.max(next - HISTORICAL_TRADES_KEPT, market.firstTradeIdAt(this.historyStartMs));
    const fromId = params.fromId ?? Math.max(oldest, next - limit);
    if (fromId < oldest || fromId >= next) return ok('[]');
    const fmt = this.payloads(symbol);
    const trades = market.tradesFromId(fromId, nowMs, limit, Math.floor(this.historyStartMs / 60_000));
    return ok(`[${trades.map((t) => fmt.restTrade(t)).join(',')}]`);
  }

  private exchangeInfo(query: URLSearchParams, nowMs: number): RestResponse {
    const one = query.get('symbol');
    if (one !== null && !this.model.has(one)) return INVALID_SYMBOL;
    const symbols = (one ? [one.toUpperCase()] : this.model.symbols).map((s) => {
      const { spec } = this.model.market(s);
      const { base, quote } = baseQuote(s);
      return {
        symbol: s,
        status: 'TRADING',
        baseAsset: base,
        baseAssetPrecision: 8,
        quoteAsset: quote,
        quotePrecision: 8,
        quoteAssetPrecision: 8,
        orderTypes: ['LIMIT', 'MARKET'],
        isSpotTradingAllowed: true,
        filters: [
          {
            filterType: 'PRICE_FILTER',
            minPrice: formatUnits(1, spec.priceDecimals),
            maxPrice: '1000000.00000000',
            tickSize: formatUnits(1, spec.priceDecimals),
          },
          {
            filterType: 'LOT_SIZE',
            minQty: formatUnits(1, spec.qtyDecimals),
            maxQty: '9000000.00000000',
            stepSize: formatUnits(1, spec.qtyDecimals),
          },
        ],
      };
    });
    return ok(
      JSON.stringify({
        timezone: 'UTC',
        serverTime: nowMs,
        rateLimits: [
          { rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 6000 },
          { rateLimitType: 'RAW_REQUESTS', interval: 'MINUTE', intervalNum: 5, limit: 61000 },
        ],
        exchangeFilters: [],
        symbols,
      }),
    );
  }
}
