import { runRange } from '../../lib/app/run-range';
import { importArchive } from '../../lib/history/import-archive';
import { LocalObjectStore } from '../../lib/storage/local-store';
import { tmpDir } from './sample-rows';
import { testdataPath } from './testdata';

/**
 * A real lake to run SQL on: a month's Binance USD-M LINKUSDT 1m archive imported into Bronze, then Silver (every
 * timeframe) and Gold built for three of its days, as `lakehouse import` + `lakehouse run` would. Takes a few
 * seconds.
 */
export const ARCHIVE_LAKE = { exchange: 'binance-futures', symbol: 'LINKUSDT', from: '2023-02-01', to: '2023-02-03' } as const;

export async function buildArchiveLake(prefix: string): Promise<LocalObjectStore> {
  const store = new LocalObjectStore(tmpDir(prefix));
  const file = testdataPath('binance_um_futures_klines_1m/LINKUSDT-1m-2023-02.csv');
  await importArchive({ store, file, dataset: 'klines', exchange: ARCHIVE_LAKE.exchange });
  await runRange({ store, from: ARCHIVE_LAKE.from, to: ARCHIVE_LAKE.to });
  return store;
}
