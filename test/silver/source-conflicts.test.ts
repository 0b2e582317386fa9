import { promises as fs, readFileSync } from 'node:fs';
import path from 'node:path';
import { BronzeBuffers } from '../../lib/bronze/bronze-buffers';
import { writeBronze } from '../../lib/bronze/bronze-writer';
import { klineArchiveRow } from '../../lib/history/binance-klines-archive';
import { importArchive } from '../../lib/history/import-archive';
import { restFileId } from '../../lib/history/rest-backfill';
import { readTable } from '../../lib/parquet/read';
import { QualityFlag } from '../../lib/schema/quality-flags';
import { dataset } from '../../lib/schema/registry';
import type { Row } from '../../lib/schema/types';
import { runSilver } from '../../lib/silver/silver-job';
import { partitionFileKey } from '../../lib/storage/lake-paths';
import { LocalObjectStore } from '../../lib/storage/local-store';
import { tmpDir } from '../helpers/sample-rows';
import { testdataPath } from '../helpers/testdata';

/**
 * The real LINKUSDT futures day 2023-02-01 against REST rows of the same minutes: an archive that agrees with them
 * (the exchange's archive and REST rows are the same numbers) passes; another market's archive imported under the
 * symbol is kept by precedence (archive over REST) but every minute is flagged and the day FAILs.
 */

const DT = '2023-02-01';
const LINES = readFileSync(testdataPath('binance_um_futures_klines_1m/LINKUSDT-1m-2023-02.csv'), 'latin1')
  .split('\n')
  .slice(1, 1441);

/** The day as REST rows of `symbol`, prices scaled by `scale` (1: the archive's own numbers). */
async function writeRestDay(store: LocalObjectStore, symbol: string, scale: number) {
  const buffers = new BronzeBuffers('binance-futures');
  for (const line of LINES) {
    const row = klineArchiveRow(line.split(','), 'ms', 'BTC', 'USDT', Date.parse('2023-02-02T00:00:00Z')) as Row;
    for (const c of ['open', 'high', 'low', 'close'] as const) row[c] = (row[c] as number) * scale;
    buffers.add({ dataset: 'klines', symbol, timeframe: '1m', stream: 'rest', row: { ...row, source: 'rest' } });
  }
  await writeBronze(store, buffers.drain(), () => restFileId(`${symbol}|${scale}`));
}

async function importDayAs(store: LocalObjectStore, dir: string, symbol: string) {
  const file = path.join(dir, 'LINKUSDT-1m-2023-02-01.csv');
  await fs.writeFile(file, LINES.join('\n'));
  return importArchive({ store, file, dataset: 'klines', exchange: 'binance-futures', symbol });
}

describe('Silver 1m: sources that disagree on a closed minute', () => {
  it('passes when the archive and REST agree (they are the same numbers)', async () => {
    const dir = tmpDir('conflict-agree');
    const store = new LocalObjectStore(path.join(dir, 'lake'));
    await writeRestDay(store, 'LINKUSDT', 1);
    expect(await importDayAs(store, dir, 'LINKUSDT')).toMatchObject({ rows: 1440, rejected: 0 });
    const [r] = await runSilver({ store, dt: DT });
    expect(r.report.klines_1m).toMatchObject({ rowsIn: 2880, duplicates: 1440, kept: 1440, conflicts: 0 });
    expect(r.report.verdict).toBe('PASS');
  }, 60_000);

  it('flags every minute and FAILs the day when a LINKUSDT archive is imported under BTCUSDT over its REST rows', async () => {
    const dir = tmpDir('conflict-wrong-symbol');
    const store = new LocalObjectStore(path.join(dir, 'lake'));
    await writeRestDay(store, 'BTCUSDT', 3300);
    await importDayAs(store, dir, 'BTCUSDT');
    const [r] = await runSilver({ store, dt: DT });
    expect(r.report.klines_1m).toMatchObject({ kept: 1440, conflicts: 1440, flagged: { SOURCE_CONFLICT: 1440 } });
    expect(r.report.klines_1m.conflictSamples[0]).toEqual({
      open_time: Date.parse(`${DT}T00:00:00Z`),
      kept: { source: 'archive', close: 6.957 },
      other: { source: 'rest', close: 6.957 * 3300 },
    });
    expect(r.report.verdict).toBe('FAIL');
    expect(r.report.reasons).toEqual([
      expect.stringMatching(/^1440 minutes where sources disagree \(first 00:00: archive close 6\.957 vs rest 22958\.1/),
    ]);
    const silver = await readTable(
      store,
      dataset('silver', 'klines'),
      partitionFileKey(dataset('silver', 'klines'), { timeframe: '1m', exchange: 'binance-futures', symbol: 'BTCUSDT', dt: DT }),
    );
    expect(silver.num('quality_flags').every((f) => (f & QualityFlag.SOURCE_CONFLICT) !== 0)).toBe(true);
  }, 60_000);
});
