import type { ArchiveDataset, ArchiveMarket } from '../../exchanges/binance/archive-layout';
import type { ArchiveRowMapper } from '../archive-row-mapper';
import { aggTradesRows } from './agg-trades';
import { bookDepthRows } from './book-depth';
import { bookTickerRows } from './book-ticker';
import { fundingRateRows } from './funding-rate';
import { klinesMapper } from './klines';
import { metricsOpenInterestRows, metricsRatiosRows } from './metrics';
import { tradesMapper } from './trades';

/**
 * The mapper table: which archive datasets `lakehouse history` and `lakehouse import` bring into Bronze, per market
 * (docs/history.md, "Archive rows in Bronze"). A dataset is one mapper file in this folder plus one line here.
 * Each entry is a list because a metrics line feeds two Bronze datasets (open_interest and long_short_ratios):
 * the importer reads the file once and hands every line to each mapper of the list.
 */

type MapperTable = Readonly<Record<ArchiveDataset, Readonly<Partial<Record<ArchiveMarket, readonly ArchiveRowMapper[]>>>>>;

const MAPPERS: MapperTable = {
  klines: { spot: [klinesMapper], 'futures/um': [klinesMapper] },
  trades: { spot: [tradesMapper], 'futures/um': [tradesMapper] },
  aggTrades: { spot: [aggTradesRows], 'futures/um': [aggTradesRows] },
  fundingRate: { 'futures/um': [fundingRateRows] },
  metrics: { 'futures/um': [metricsOpenInterestRows, metricsRatiosRows] },
  bookDepth: { 'futures/um': [bookDepthRows] },
  bookTicker: { 'futures/um': [bookTickerRows] },
};

/** The mappers of one market's dataset, in table order; empty when there are none. */
export function archiveRowMappers(market: ArchiveMarket, dataset: ArchiveDataset): readonly ArchiveRowMapper[] {
  return MAPPERS[dataset][market] ?? [];
}

/** The datasets a market has mappers for, in table order (for the one-line refusal of the others). */
export function supportedArchiveDatasets(market: ArchiveMarket): ArchiveDataset[] {
  return (Object.keys(MAPPERS) as ArchiveDataset[]).filter((name) => archiveRowMappers(market, name).length > 0);
}
