import { BronzeBuffers } from '../bronze/bronze-buffers';
import { writeBronze } from '../bronze/bronze-writer';
import { HISTORICAL_TRADES_MAX_LIMIT, historicalTradesUrl, parseHistoricalTrades } from '../exchanges/binance';
import type { ExchangeId } from '../schema/columns';
import type { ObjectStore } from '../storage/object-store';
import { getJson, restFileId } from './rest-backfill';

/**
 * REST backfill of trades by id (Binance spot `/api/v3/historicalTrades`, 1,000 a call): for each run of wanted
 * ids [first, last], pages by `fromId` and keeps only the wanted ids, written as new Bronze `trades` files with
 * source `rest`. File names derive from the wanted runs, so re-running the same request rewrites the same
 * objects; Silver keeps the first copy of a trade id, so a REST row never replaces a WebSocket one.
 */

export interface TradeBackfillOptions {
  store: ObjectStore;
  exchange: ExchangeId;
  symbol: string;
  /** Runs of wanted ids, [first, last] inclusive, ascending and disjoint. */
  runs: readonly [number, number][];
  restBase: string;
  now?: () => number;
  fetchImpl?: typeof fetch;
}

export interface TradeBackfillResult {
  /** Wanted ids fetched and written. */
  trades: number;
  calls: number;
  files: number;
  /** Wanted ids the exchange did not return. */
  stillMissing: number;
  /** Exchange errors and rejected entries. */
  errors: string[];
}

export async function backfillTrades(options: TradeBackfillOptions): Promise<TradeBackfillResult> {
  const fetchImpl = options.fetchImpl ?? fetch;
  const now = options.now ?? Date.now;
  const result: TradeBackfillResult = { trades: 0, calls: 0, files: 0, stillMissing: 0, errors: [] };
  if (options.runs.length === 0) return result;
  const buffers = new BronzeBuffers(options.exchange);
  const fileId = restFileId(
    `${options.exchange}|${options.symbol}|trades|${options.runs.map(([a, b]) => `${a}-${b}`).join(',')}`,
  );
  for (const [first, last] of options.runs) {
    let got = 0;
    for (let from = first; from <= last; ) {
      const url = historicalTradesUrl(options.restBase, {
        symbol: options.symbol,
        fromId: from,
        limit: Math.min(HISTORICAL_TRADES_MAX_LIMIT, last - from + 1),
      });
      const body = await getJson(fetchImpl, url);
      result.calls++;
      const parsed = parseHistoricalTrades(body, options.symbol, now());
      result.errors.push(...parsed.errors);
      let next = from;
      for (const rec of parsed.records) {
        const id = rec.row.trade_id as number;
        if (id >= next) next = id + 1;
        if (id < from || id > last) continue;
        buffers.add(rec);
        got++;
      }
      // An empty page (nothing from this id on) or one that does not move forward ends the run.
      if (parsed.records.length === 0 || next <= from) break;
      from = next;
    }
    result.trades += got;
    result.stillMissing += last - first + 1 - got;
  }
  const files = await writeBronze(options.store, buffers.drain(), () => fileId);
  result.files = files.length;
  return result;
}
