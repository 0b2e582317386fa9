import { isFileableSymbol } from '../symbols';
import type { ExchangeAdapter, ParseOutcome } from '../types';
import type { Json } from './field-reader';
import { BinancePayloadMapper } from './payload-mapper';
import { BINANCE_SPOT, parseSpotStreamName, type BinanceSpotExchange } from './spot-streams';

/**
 * Binance spot WebSocket messages → Bronze rows (klines, trades, book_top10, quotes). Accepts combined-stream
 * envelopes `{"stream","data"}` and raw payloads as sent on `/ws`. Binance US uses the same format.
 *
 * Partial-depth payloads carry no symbol, so without an envelope or the `stream` hint of `parse` they are
 * skipped.
 */
export class BinanceSpotAdapter extends BinancePayloadMapper implements ExchangeAdapter {
  constructor(readonly exchange: BinanceSpotExchange) {
    super(BINANCE_SPOT, parseSpotStreamName);
    this.events.set('serverShutdown', (p) => ({ kind: 'control', what: 'serverShutdown', detail: { eventTime: p.E } }));
    this.skippedEvents.set(
      'depthUpdate',
      'diff depth (depthUpdate) is not collected: book_top10 comes from the partial-depth stream',
    );
  }

  /** Spot partial depth has no event type, and its bookTicker none either. */
  protected untyped(payload: Json, stream: string | undefined, receiveMs: number): ParseOutcome | undefined {
    if ('lastUpdateId' in payload) return this.partialDepth(payload, stream, receiveMs);
    if ('u' in payload && 's' in payload && 'b' in payload && 'a' in payload) return this.bookTicker(payload, stream, receiveMs);
    return undefined;
  }

  /** `depth5/10/20[@100ms]` payloads carry neither symbol nor event time: both come from the stream and the clock. */
  private partialDepth(payload: Json, stream: string | undefined, receiveMs: number): ParseOutcome {
    if (stream === undefined)
      return { kind: 'skipped', reason: 'depth snapshot without a stream name: no symbol to file it under' };
    const info = parseSpotStreamName(stream);
    if (!info || info.channel !== 'partialDepth') {
      return {
        kind: 'skipped',
        reason: `depth snapshot on stream ${this.names.name('stream', stream)} is not a partial-depth stream`,
      };
    }
    const { bids, asks } = payload;
    if (!Array.isArray(bids) || !Array.isArray(asks)) return { kind: 'error', reason: 'depth: bids or asks is not an array' };
    const read = this.fields.reset();
    const lastUpdateId = read.int(payload, 'lastUpdateId');
    if (!isFileableSymbol(info.symbol)) read.fail('the stream name does not name a symbol');
    return this.book(
      bids,
      asks,
      ['bids', 'asks'],
      { symbol: info.symbol, stream, eventTime: receiveMs, lastUpdateId },
      receiveMs,
    );
  }
}
