import type { ExchangeId } from '../schema/columns';
import type { Row } from '../schema/types';

/**
 * Exchange adapters are pure mappers from one raw WebSocket/REST message to normalized Bronze rows (the same
 * code serves live streams, replays of captures and the simulator). They never throw on bad input: they say
 * what they did with every message.
 */

/** Bronze datasets an adapter can produce. */
export type BronzeDatasetName =
  | 'klines'
  | 'book_top10'
  | 'trades'
  | 'quotes'
  | 'funding'
  | 'open_interest'
  | 'liquidations'
  | 'gaps';

export interface NormalizedRecord {
  dataset: BronzeDatasetName;
  /** Symbol as the exchange spells it, upper-case (BTCUSDT, BTC/USD). */
  symbol: string;
  /** Kline interval for `klines` rows. */
  timeframe?: string;
  /** Stream the message came from, for per-stream metrics and the gap ledger (e.g. `btcusdt@trade`). */
  stream: string;
  /** Columns of the Bronze dataset (registry names), including base, quote, ingest_time and source. */
  row: Row;
}

export type ParseOutcome =
  | { kind: 'records'; records: NormalizedRecord[] }
  /** Protocol traffic that carries no market data: subscribe acks, pongs, heartbeats, status. */
  | { kind: 'control'; what: string; detail?: unknown }
  /** Well-formed but not ours to map (a stream we did not ask for, an unknown event type). */
  | { kind: 'skipped'; reason: string }
  /** Malformed: not JSON, missing or invalid fields. */
  | { kind: 'error'; reason: string };

export interface StreamRequest {
  symbol: string;
  dataset: BronzeDatasetName;
  timeframe?: string;
}

export interface ExchangeAdapter {
  readonly exchange: ExchangeId;
  /** Map one raw message received at local time `receiveMs` (epoch ms). */
  parse(raw: string, receiveMs: number): ParseOutcome;
}
