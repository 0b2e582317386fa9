import { importArchive } from '../../lib/history/import-archive';
import { readTable } from '../../lib/parquet/read';
import { QualityFlag } from '../../lib/schema/quality-flags';
import { dataset } from '../../lib/schema/registry';
import { runSilver, type SilverResult } from '../../lib/silver/silver-job';
import { dateRange, partitionFileKey } from '../../lib/storage/lake-paths';
import { LocalObjectStore } from '../../lib/storage/local-store';
import { tmpDir } from '../helpers/sample-rows';
import { testdataPath } from '../helpers/testdata';

/**
 * Silver 1m on real thin and gappy markets (shared/testdata/README.md §2 and §10): Binance US fills no-trade
 * minutes with zero-volume bars (BTCUSDC 43 %), which are quiet minutes, not outages; Kraken's download omits
 * no-trade minutes (56 % of the quarter), which must stay missing except single minutes.
 */

async function silverDays(store: LocalObjectStore, from: string, to: string): Promise<SilverResult[]> {
  const out: SilverResult[] = [];
  for (const dt of dateRange(from, to)) out.push(...(await runSilver({ store, dt })));
  return out;
}

const sumFlag = (rs: SilverResult[], flag: string) => rs.reduce((n, r) => n + (r.report.klines_1m.flagged[flag] ?? 0), 0);

describe('Silver 1m on the Binance US files (2023-03-01 → 03-21)', () => {
  const store = new LocalObjectStore(tmpDir('binanceus-real'));
  const bySymbol = new Map<string, SilverResult[]>();

  beforeAll(async () => {
    for (const sym of ['BTCUSDC', 'BTCUSDT', 'BTCUSD']) {
      const r = await importArchive({
        store,
        file: testdataPath(`binance_us_klines_1m/${sym}_1m_20230301_20230321.csv`),
        dataset: 'klines',
        exchange: 'binanceus',
      });
      expect(r).toMatchObject({ symbol: sym, interval: '1m', layout: 'ohlcv', rows: 30_240, rejected: 0 });
    }
    for (const r of await silverDays(store, '2023-03-01', '2023-03-21'))
      bySymbol.set(r.symbol, [...(bySymbol.get(r.symbol) ?? []), r]);
  }, 180_000);

  it('keeps every minute of the 21 days', () => {
    for (const rs of bySymbol.values()) {
      expect(rs).toHaveLength(21);
      for (const r of rs) expect(r.report.klines_1m).toMatchObject({ present: 1440, missing: 0, filled: 0, quarantined: 0 });
    }
  });

  it('flags every zero-volume bar NO_TRADES and none EXCHANGE_OUTAGE: a thin market is quiet, not down', () => {
    // The counts the testdata README gives for each file.
    expect(sumFlag(bySymbol.get('BTCUSDC')!, 'NO_TRADES')).toBe(12_971);
    expect(sumFlag(bySymbol.get('BTCUSDT')!, 'NO_TRADES')).toBe(658);
    expect(sumFlag(bySymbol.get('BTCUSD')!, 'NO_TRADES')).toBe(72);
    for (const rs of bySymbol.values()) expect(sumFlag(rs, 'EXCHANGE_OUTAGE')).toBe(0);
  });
});

describe('Silver 1m on the Kraken OHLCVT download (2023 Q1, no-trade minutes omitted)', () => {
  const store = new LocalObjectStore(tmpDir('kraken-real'));
  let results: SilverResult[] = [];

  beforeAll(async () => {
    const r = await importArchive({
      store,
      file: testdataPath('kraken/BTCUSDC_1m_2023Q1.csv'),
      dataset: 'klines',
      exchange: 'kraken',
      symbol: 'BTC/USDC',
      interval: '1m',
    });
    expect(r).toMatchObject({ layout: 'kraken-ohlcvt', rows: 56_717, rejected: 0 });
    results = await silverDays(store, '2023-01-01', '2023-03-31');
  }, 240_000);

  it('keeps every real bar and invents nothing beyond single missing minutes', () => {
    expect(results).toHaveLength(90);
    const total = (k: 'present' | 'filled' | 'missing') => results.reduce((n, r) => n + r.report.klines_1m[k], 0);
    expect(total('present')).toBe(56_717);
    for (const r of results) {
      const s = r.report.klines_1m;
      expect(s.present + s.filled + s.missing).toBe(1440);
      // Ranges run from the first to the last missing minute. Inside the day every gap left is at least two minutes
      // (single minutes were filled, nothing longer was); a lone minute stays missing only at the day's edges.
      const dayStart = Date.parse(`${r.dt}T00:00:00Z`);
      for (const [from, to] of s.missingRanges) {
        if (to - from < 60_000) expect(from === dayStart || to === dayStart + 1439 * 60_000).toBe(true);
      }
    }
    expect(total('filled')).toBeGreaterThan(0);
    expect(total('missing')).toBe(90 * 1440 - 56_717 - total('filled'));
  });

  it('reports completeness honestly: the share of minutes with a real bar', () => {
    const feb22 = results.find((r) => r.dt === '2023-02-22')!;
    expect(feb22.report.klines_1m.completeness).toBeCloseTo(feb22.report.klines_1m.present / 1440, 12);
    // The largest gap of the file (the next bar after 2023-02-22 00:06 comes 88 minutes later) is reported, not filled.
    expect(feb22.report.klines_1m.missingRanges).toContainEqual([
      Date.parse('2023-02-22T00:07:00Z'),
      Date.parse('2023-02-22T01:33:00Z'),
    ]);
    const overall = results.reduce((n, r) => n + r.report.klines_1m.present, 0) / (90 * 1440);
    expect(overall).toBeCloseTo(56_717 / 129_600, 12);
  });
});

describe('Silver 1m on the Binance USD-M futures archives: exchange outages', () => {
  const store = new LocalObjectStore(tmpDir('futures-outages'));

  beforeAll(async () => {
    for (const name of ['AVAXUSDT-1m-2023-09', 'FILUSDT-1m-2024-10', 'LINKUSDT-1m-2023-02']) {
      await importArchive({
        store,
        file: testdataPath(`binance_um_futures_klines_1m/${name}.csv`),
        dataset: 'klines',
        exchange: 'binance-futures',
      });
    }
  }, 120_000);

  /** Open times (HH:MM UTC) of the day's bars flagged EXCHANGE_OUTAGE. */
  async function outageMinutes(symbol: string, dt: string): Promise<string[]> {
    await runSilver({ store, dt, symbol });
    const silver = await readTable(
      store,
      dataset('silver', 'klines'),
      partitionFileKey(dataset('silver', 'klines'), { exchange: 'binance-futures', symbol, dt, timeframe: '1m' }),
    );
    const t = silver.num('open_time');
    const flags = silver.num('quality_flags');
    const out: string[] = [];
    for (let i = 0; i < silver.length; i++)
      if (flags[i] & QualityFlag.EXCHANGE_OUTAGE) out.push(new Date(t[i]).toISOString().slice(11, 16));
    return out;
  }

  const minutes = (from: string, to: string) => {
    const out: string[] = [];
    for (let t = Date.parse(`2000-01-01T${from}Z`); t <= Date.parse(`2000-01-01T${to}Z`); t += 60_000)
      out.push(new Date(t).toISOString().slice(11, 16));
    return out;
  };

  it('AVAXUSDT 2023-09-12: 08:34–08:52 (19 bars)', async () => {
    expect(await outageMinutes('AVAXUSDT', '2023-09-12')).toEqual(minutes('08:34', '08:52'));
  });

  it('FILUSDT 2024-10-28: 16:21–16:34, 16:36 and 20:00–21:13', async () => {
    expect(await outageMinutes('FILUSDT', '2024-10-28')).toEqual([
      ...minutes('16:21', '16:34'),
      '16:36',
      ...minutes('20:00', '21:13'),
    ]);
  });

  it('LINKUSDT 2023-02: none on any day', async () => {
    for (const dt of dateRange('2023-02-01', '2023-02-28')) expect(await outageMinutes('LINKUSDT', dt)).toEqual([]);
  }, 120_000);
});
