import type { ArchiveDataset, ArchiveMarket } from '../../exchanges/binance/archive-layout';
import type { ArchiveRowMapper } from '../archive-row-mapper';
import { klinesMapper } from './klines';
import { tradesMapper } from './trades';

/**
 * The mapper table: which archive datasets `lakehouse history` can bring into Bronze, per market (docs/history.md).
 * A dataset is one mapper file in this folder plus one line here; datasets without a line are refused up front.
 */

type MapperTable = Readonly<Partial<Record<ArchiveDataset, Readonly<Partial<Record<ArchiveMarket, ArchiveRowMapper>>>>>>;

const MAPPERS: MapperTable = {
  klines: { spot: klinesMapper, 'futures/um': klinesMapper },
  trades: { spot: tradesMapper, 'futures/um': tradesMapper },
  // aggTrades, fundingRate, metrics, bookDepth, bookTicker: one line each, e.g.
  // aggTrades: { spot: aggTradesMapper, 'futures/um': aggTradesMapper },
};

/** The mapper of one market's dataset, or undefined when there is none yet. */
export function archiveRowMapper(market: ArchiveMarket, dataset: ArchiveDataset): ArchiveRowMapper | undefined {
  return MAPPERS[dataset]?.[market];
}

/** The datasets a market has a mapper for, in table order (for the one-line refusal of the others). */
export function supportedArchiveDatasets(market: ArchiveMarket): ArchiveDataset[] {
  return (Object.keys(MAPPERS) as ArchiveDataset[]).filter((name) => MAPPERS[name]?.[market] !== undefined);
}
