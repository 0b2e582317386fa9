import type { Row } from '../../schema/types';
import type { ExchangeAdapter, ParseOutcome } from '../types';
import { isJsonObject, type Json } from './field-reader';
import { BINANCE_USDM, parseFuturesStreamName } from './futures-streams';
import { AGG_TRADE_SKIPPED, BinancePayloadMapper, streamMismatch } from './payload-mapper';

/**
 * Binance USD-M perpetual WebSocket messages → Bronze rows (klines, trades, book_top10, quotes, funding,
 * liquidations). Accepts combined-stream envelopes `{"stream","data"}` and raw payloads as sent on `/ws`.
 * Unlike spot, every futures payload carries its symbol and event time, but partial and diff depth share the
 * `depthUpdate` event: only the stream name tells them apart.
 */

export const FUTURES_SKIP_REASONS = {
  aggTrade: AGG_TRADE_SKIPPED,
  diffDepth: 'diff depth (depthUpdate on a depth@ stream) is not collected: book_top10 comes from the depth10@100ms stream',
  depthWithoutStream: 'depthUpdate without a stream name: partial and diff depth look alike, so it cannot be filed',
  nonMarketTrade: 'trade is not a MARKET trade (insurance fund or ADL fill): not market activity',
  noFunding: 'markPriceUpdate without a funding rate (a delivery contract, not a perpetual)',
} as const;

export class BinanceFuturesAdapter extends BinancePayloadMapper implements ExchangeAdapter {
  readonly exchange = 'binance-futures' as const;

  constructor() {
    super(BINANCE_USDM, parseFuturesStreamName);
    this.events
      .set('depthUpdate', (p, stream, receiveMs) => this.depth(p, stream, receiveMs))
      .set('markPriceUpdate', (p, stream, receiveMs) => this.markPrice(p, stream, receiveMs))
      .set('forceOrder', (p, stream, receiveMs) => this.forceOrder(p, stream, receiveMs));
  }

  /** The REST depth snapshot some recorders store inline with the stream. */
  protected untyped(payload: Json): ParseOutcome | undefined {
    return 'lastUpdateId' in payload
      ? { kind: 'skipped', reason: 'REST depth snapshot: book_top10 comes from the depth10@100ms stream' }
      : undefined;
  }

  /**
   * USD-M trade payloads say who made the trade in `X`: MARKET for order-book matches, INSURANCE_FUND or ADL
   * for the exchange's own closing fills, which are not market activity. Payloads without `X` (the docs'
   * example, older recordings) are order-book trades.
   */
  protected override trade(payload: Json, stream: string | undefined, receiveMs: number): ParseOutcome {
    if (payload.X !== undefined && payload.X !== 'MARKET')
      return { kind: 'skipped', reason: FUTURES_SKIP_REASONS.nonMarketTrade };
    return super.trade(payload, stream, receiveMs);
  }

  /** Partial depth (`depth10@100ms`) → book_top10; diff depth (`depth@100ms`, `depth@0ms`) is skipped. */
  private depth(payload: Json, stream: string | undefined, receiveMs: number): ParseOutcome {
    if (stream === undefined) return { kind: 'skipped', reason: FUTURES_SKIP_REASONS.depthWithoutStream };
    const info = parseFuturesStreamName(stream);
    if (info?.channel === 'diffDepth') return { kind: 'skipped', reason: FUTURES_SKIP_REASONS.diffDepth };
    if (info?.channel !== 'partialDepth') {
      return {
        kind: 'skipped',
        reason: `depthUpdate on stream ${this.names.name('stream', stream)}, which is not a depth stream`,
      };
    }
    const { b: bids, a: asks } = payload;
    if (!Array.isArray(bids) || !Array.isArray(asks)) return { kind: 'error', reason: 'depth: b or a is not an array' };
    const read = this.fields.reset();
    const symbol = read.symbol(payload, 's').toUpperCase();
    const eventTime = read.time(payload, 'E');
    const lastUpdateId = read.int(payload, 'u');
    if (info.symbol !== symbol) read.fail(streamMismatch('partialDepth'));
    return this.book(bids, asks, ['b', 'a'], { symbol, stream, eventTime, lastUpdateId }, receiveMs);
  }

  /** `markPrice@1s` → funding. A delivery contract sends `r: ""`, `T: 0`: it has no funding to record. */
  private markPrice(payload: Json, stream: string | undefined, receiveMs: number): ParseOutcome {
    if (payload.r === '') return { kind: 'skipped', reason: FUTURES_SKIP_REASONS.noFunding };
    const read = this.fields.reset();
    const symbol = read.symbol(payload, 's');
    const streams = this.symbolStreams(symbol);
    const next = payload.T === 0 || payload.T === undefined ? null : read.time(payload, 'T');
    const row: Row = {
      event_time: read.time(payload, 'E'),
      mark_price: read.decimal(payload, 'p'),
      index_price: payload.i === undefined || payload.i === '' ? null : read.decimal(payload, 'i'),
      funding_rate: read.decimal(payload, 'r'),
      next_funding_time: next,
      base: streams.base,
      quote: streams.quote,
      ingest_time: receiveMs,
      source: 'ws',
    };
    const name = this.recordStream(read, stream, symbol, 'markPrice', streams.markPrice);
    return this.finish('funding', 'markPriceUpdate', read, {
      dataset: 'funding',
      symbol: symbol.toUpperCase(),
      stream: name,
      row,
    });
  }

  /**
   * `forceOrder` → liquidations. The event time is the order's trade time `o.T`, not the frame's `E`: Binance
   * pushes at most one liquidation per symbol per second, so `E` is when the snapshot was sent and can trail the
   * liquidation itself; `E` stands in only when `o.T` is absent. An unfilled average price ("0") is null.
   */
  private forceOrder(payload: Json, stream: string | undefined, receiveMs: number): ParseOutcome {
    const order = payload.o;
    if (!isJsonObject(order)) return { kind: 'error', reason: 'forceOrder: field o is missing' };
    const read = this.fields.reset();
    const symbol = read.symbol(order, 's');
    const streams = this.symbolStreams(symbol);
    const avg = order.ap === undefined ? null : read.decimal(order, 'ap');
    const row: Row = {
      event_time: order.T !== undefined ? read.time(order, 'T') : read.time(payload, 'E'),
      side: read.str(order, 'S'),
      price: read.decimal(order, 'p'),
      qty: read.decimal(order, 'q'),
      avg_price: avg === 0 ? null : avg,
      status: order.X === undefined ? null : read.str(order, 'X'),
      filled_qty: order.z === undefined ? null : read.decimal(order, 'z'),
      base: streams.base,
      quote: streams.quote,
      ingest_time: receiveMs,
      source: 'ws',
    };
    const name = this.recordStream(read, stream, symbol, 'forceOrder', streams.forceOrder);
    return this.finish('liquidations', 'forceOrder', read, {
      dataset: 'liquidations',
      symbol: symbol.toUpperCase(),
      stream: name,
      row,
    });
  }
}
