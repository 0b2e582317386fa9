import { readTables } from '../parquet/read';
import { dataset } from '../schema/registry';
import { generateTradeRows, type MarketModel } from '../simulator';
import { symbolPathValue } from '../storage/lake-paths';
import { listAll, type ObjectStore } from '../storage/object-store';

/**
 * Checks Bronze against what a simulator sent: every trade id of [from, to) must be in Bronze, or inside an
 * interval the gap ledger recorded for that symbol's trade stream. The proof behind "no data loss".
 */

export interface TradeAudit {
  symbol: string;
  expected: number;
  inBronze: number;
  /** Ids Bronze lacks. */
  missing: number;
  /** Missing ids no gap-ledger interval accounts for: silent loss (must be 0). */
  unexplained: number;
  /** Bronze rows that are repeats of an id (duplicates are kept in Bronze; Silver keeps the first copy). */
  duplicates: number;
  gapRows: number;
}

export async function auditTrades(
  store: ObjectStore,
  exchange: string,
  symbols: readonly string[],
  from: number,
  to: number,
  model: MarketModel,
): Promise<TradeAudit[]> {
  const out: TradeAudit[] = [];
  for (const symbol of symbols) {
    const part = `exchange=${exchange}/symbol=${symbolPathValue(symbol)}/`;
    const keysOf = async (name: string) => (await listAll(store, `bronze/${name}/${part}`)).map((o) => o.key);
    const trades = await readTables(store, dataset('bronze', 'trades'), await keysOf('trades'));
    const gapTable = await readTables(store, dataset('bronze', 'gaps'), await keysOf('gaps'));
    const tradeStreams = new Set([`${symbol.toLowerCase()}@trade`, `trade:${symbol}`]);
    const gaps: [number, number][] = [];
    for (let i = 0; i < gapTable.length; i++) {
      const gap = gapTable.row(i);
      if (tradeStreams.has(gap.stream as string))
        gaps.push([gap.start_time as number, (gap.end_time as number | null) ?? Infinity]);
    }
    const have = new Set(trades.num('trade_id'));
    const expected = generateTradeRows(symbol, from, to, { model });
    const ids = expected.num('trade_id');
    const times = expected.num('event_time');
    let missing = 0;
    let unexplained = 0;
    for (let i = 0; i < ids.length; i++) {
      if (have.has(ids[i])) continue;
      missing++;
      if (!gaps.some(([s, e]) => times[i] >= s && times[i] <= e)) unexplained++;
    }
    out.push({
      symbol,
      expected: ids.length,
      inBronze: have.size,
      missing,
      unexplained,
      duplicates: trades.length - have.size,
      gapRows: gapTable.length,
    });
  }
  return out;
}
