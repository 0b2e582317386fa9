import fs from 'node:fs';
import {
  ARCHIVE_BASE_URL,
  ARCHIVE_MARKETS,
  archiveDataset,
  archiveFile,
  archiveFiles,
  archiveTimeFormat,
  archiveUrl,
  dailyFilesOf,
  parseArchiveDataset,
  parseArchivePath,
  planArchive,
  type ArchiveFile,
  type ArchiveRequest,
} from '../../lib/exchanges/binance/archive-layout';
import { testdataPath } from '../helpers/testdata';

/** Real archive URLs quoted in docs/history.md ("The Binance archive layout", Sources). */
const REAL_URLS = [
  'https://data.binance.vision/data/spot/monthly/klines/BNBUSDT/1m/BNBUSDT-1m-2019-01.zip',
  'https://data.binance.vision/data/spot/monthly/trades/BNBUSDT/BNBUSDT-trades-2019-01.zip',
  'https://data.binance.vision/data/spot/monthly/klines/ADABKRW/1h/ADABKRW-1h-2020-08.zip',
  'https://data.binance.vision/data/futures/um/daily/bookDepth/BTCUSDT/BTCUSDT-bookDepth-2025-05-19.zip',
  'https://data.binance.vision/data/futures/um/daily/metrics/BTCUSDT/BTCUSDT-metrics-2024-01-15.zip',
  'https://data.binance.vision/data/futures/um/daily/bookTicker/BTCUSDT/BTCUSDT-bookTicker-2024-03-25.zip',
  'https://data.binance.vision/data/futures/um/monthly/fundingRate/BTCUSDT/BTCUSDT-fundingRate-2021-01.zip',
];

const paths = (files: readonly ArchiveFile[]) => files.map((file) => file.urlPath);

function request(overrides: Partial<ArchiveRequest>): ArchiveRequest {
  return {
    market: 'futures/um',
    symbols: ['BTCUSDT'],
    datasets: [{ dataset: 'klines', interval: '1m' }],
    from: '2024-01-01',
    to: '2024-01-31',
    ...overrides,
  };
}

describe('Binance archive layout: names and paths', () => {
  it.each(REAL_URLS)('builds %s back from its parts', (url) => {
    const path = url.slice(ARCHIVE_BASE_URL.length + 1);
    const parsed = parseArchivePath(path);
    expect(parsed?.checksum).toBe(false);
    const file = parsed!.file;
    expect(archiveUrl(ARCHIVE_BASE_URL, archiveFile(file).urlPath)).toBe(url);
    expect(file.checksumPath).toBe(`${path}.CHECKSUM`);
    expect(file.fileName).toBe(path.split('/').at(-1));
  });

  it('names klines by interval and every other dataset by its type, monthly and daily', () => {
    const monthly = archiveFile({
      market: 'spot',
      dataset: 'klines',
      interval: '1h',
      symbol: 'btcusdt',
      period: 'monthly',
      date: '2024-02',
    });
    expect(monthly).toMatchObject({
      fileName: 'BTCUSDT-1h-2024-02.zip',
      urlPath: 'data/spot/monthly/klines/BTCUSDT/1h/BTCUSDT-1h-2024-02.zip',
      firstDay: '2024-02-01',
      lastDay: '2024-02-29',
      timeFormat: 'ms',
    });
    const daily = archiveFile({
      market: 'futures/um',
      dataset: 'aggTrades',
      symbol: 'ETHUSDT',
      period: 'daily',
      date: '2025-03-09',
    });
    expect(daily.urlPath).toBe('data/futures/um/daily/aggTrades/ETHUSDT/ETHUSDT-aggTrades-2025-03-09.zip');
    expect(daily.checksumPath).toBe('data/futures/um/daily/aggTrades/ETHUSDT/ETHUSDT-aggTrades-2025-03-09.zip.CHECKSUM');
    expect(parseArchivePath(`/${daily.checksumPath}`)).toEqual({ file: daily, checksum: true });
  });

  it('refuses what the archive does not publish', () => {
    const spotFunding = {
      market: 'spot',
      dataset: 'fundingRate',
      symbol: 'BTCUSDT',
      period: 'monthly',
      date: '2024-01',
    } as const;
    expect(() => archiveFile(spotFunding)).toThrow('no fundingRate');
    expect(() => archiveFile({ ...spotFunding, market: 'futures/um', period: 'daily', date: '2024-01-02' })).toThrow(
      'not published daily',
    );
    expect(() =>
      archiveFile({ market: 'futures/um', dataset: 'metrics', symbol: 'BTCUSDT', period: 'monthly', date: '2024-01' }),
    ).toThrow('not published monthly');
    expect(() =>
      archiveFile({
        market: 'futures/um',
        dataset: 'klines',
        interval: '1s',
        symbol: 'BTCUSDT',
        period: 'daily',
        date: '2024-01-02',
      }),
    ).toThrow('no 1s interval');
    expect(() =>
      archiveFile({ market: 'spot', dataset: 'klines', symbol: 'BTCUSDT', period: 'daily', date: '2024-01-02' }),
    ).toThrow('interval');
    expect(() =>
      archiveFile({ market: 'spot', dataset: 'trades', symbol: 'BTCUSDT', period: 'daily', date: '2024-02-30' }),
    ).toThrow('not a');
    // The name must repeat the folder's symbol and interval.
    expect(parseArchivePath('data/spot/daily/klines/BTCUSDT/1m/ETHUSDT-1m-2024-01-01.zip')).toBeUndefined();
    expect(parseArchivePath('data/spot/daily/klines/BTCUSDT/1m/BTCUSDT-5m-2024-01-01.zip')).toBeUndefined();
    expect(parseArchivePath('data/futures/cm/daily/trades/BTCUSD_PERP/BTCUSD_PERP-trades-2024-01-01.zip')).toBeUndefined();
  });

  it('parses the CLI dataset names', () => {
    expect(parseArchiveDataset('klines:1h')).toEqual({ dataset: 'klines', interval: '1h' });
    expect(parseArchiveDataset('bookDepth')).toEqual({ dataset: 'bookDepth' });
    expect(() => parseArchiveDataset('klines')).toThrow('need an interval');
    expect(() => parseArchiveDataset('trades:1m')).toThrow('only klines');
    expect(() => parseArchiveDataset('depth')).toThrow('unknown archive dataset');
  });
});

describe('Binance archive layout: the planner', () => {
  it('takes whole past months monthly and the partial months at the ends daily', () => {
    const files = archiveFiles(request({ from: '2024-01-30', to: '2024-04-02' }), '2024-06-15');
    expect(paths(files)).toEqual([
      'data/futures/um/daily/klines/BTCUSDT/1m/BTCUSDT-1m-2024-01-30.zip',
      'data/futures/um/daily/klines/BTCUSDT/1m/BTCUSDT-1m-2024-01-31.zip',
      'data/futures/um/monthly/klines/BTCUSDT/1m/BTCUSDT-1m-2024-02.zip',
      'data/futures/um/monthly/klines/BTCUSDT/1m/BTCUSDT-1m-2024-03.zip',
      'data/futures/um/daily/klines/BTCUSDT/1m/BTCUSDT-1m-2024-04-01.zip',
      'data/futures/um/daily/klines/BTCUSDT/1m/BTCUSDT-1m-2024-04-02.zip',
    ]);
    expect(files[2]).toMatchObject({
      period: 'monthly',
      firstDay: '2024-02-01',
      lastDay: '2024-02-29',
      interval: '1m',
      symbol: 'BTCUSDT',
    });
  });

  it('takes the current month daily, up to yesterday, and says why the rest is missing', () => {
    const plan = planArchive(request({ from: '2024-05-31', to: '2024-06-20' }), '2024-06-04');
    expect(plan.files.map((file) => file.date)).toEqual(['2024-05-31', '2024-06-01', '2024-06-02', '2024-06-03']);
    expect(plan.gaps).toEqual([
      expect.objectContaining({
        firstDay: '2024-06-04',
        lastDay: '2024-06-20',
        reason: expect.stringContaining('not published yet'),
      }),
    ]);
    // A whole month that is the current one is daily too.
    const current = archiveFiles(request({ from: '2024-06-01', to: '2024-06-30' }), '2024-07-01');
    expect(current.map((file) => file.period)).toEqual(['monthly']);
    const stillRunning = archiveFiles(request({ from: '2024-06-01', to: '2024-06-30' }), '2024-06-30');
    expect(stillRunning).toHaveLength(29);
    expect(new Set(stillRunning.map((file) => file.period))).toEqual(new Set(['daily']));
  });

  it('gives monthly-only datasets the whole months the range touches, except the current month', () => {
    const plan = planArchive(
      request({ datasets: [{ dataset: 'fundingRate' }], from: '2024-03-15', to: '2024-06-10' }),
      '2024-06-11',
    );
    expect(plan.files.map((file) => `${file.period} ${file.date}`)).toEqual([
      'monthly 2024-03',
      'monthly 2024-04',
      'monthly 2024-05',
    ]);
    expect(plan.gaps).toEqual([
      expect.objectContaining({ dataset: 'fundingRate', firstDay: '2024-06-01', lastDay: '2024-06-10' }),
    ]);
  });

  it('gives daily-only datasets daily files even for whole past months', () => {
    const files = archiveFiles(
      request({ datasets: [{ dataset: 'metrics' }, { dataset: 'bookDepth' }], from: '2024-02-01', to: '2024-02-29' }),
      '2024-06-01',
    );
    expect(files).toHaveLength(58);
    expect(files.every((file) => file.period === 'daily')).toBe(true);
    expect(files[0].urlPath).toBe('data/futures/um/daily/metrics/BTCUSDT/BTCUSDT-metrics-2024-02-01.zip');
    expect(files[29].urlPath).toBe('data/futures/um/daily/bookDepth/BTCUSDT/BTCUSDT-bookDepth-2024-02-01.zip');
  });

  it('asks for nothing after a dataset stopped being published (bookTicker, 2024-03-30)', () => {
    const plan = planArchive(
      request({ datasets: [{ dataset: 'bookTicker' }], from: '2024-02-01', to: '2024-04-03' }),
      '2024-06-01',
    );
    expect(plan.files.map((file) => `${file.period} ${file.date}`)).toEqual([
      'monthly 2024-02',
      ...range(1, 30).map((day) => `daily 2024-03-${day}`),
    ]);
    expect(plan.gaps).toEqual([
      expect.objectContaining({ firstDay: '2024-03-31', lastDay: '2024-04-03', reason: expect.stringContaining('2024-03-30') }),
    ]);
    expect(
      archiveFiles(request({ datasets: [{ dataset: 'bookTicker' }], from: '2025-01-01', to: '2025-01-31' }), '2025-06-01'),
    ).toEqual([]);
  });

  it('plans every symbol and dataset, and reports a dataset the market lacks', () => {
    const plan = planArchive(
      request({
        market: 'spot',
        symbols: ['btcusdt', 'ETHUSDT'],
        datasets: [{ dataset: 'klines', interval: '1h' }, { dataset: 'trades' }, { dataset: 'metrics' }],
        from: '2024-01-01',
        to: '2024-01-31',
      }),
      '2024-03-01',
    );
    expect(paths(plan.files)).toEqual([
      'data/spot/monthly/klines/BTCUSDT/1h/BTCUSDT-1h-2024-01.zip',
      'data/spot/monthly/trades/BTCUSDT/BTCUSDT-trades-2024-01.zip',
      'data/spot/monthly/klines/ETHUSDT/1h/ETHUSDT-1h-2024-01.zip',
      'data/spot/monthly/trades/ETHUSDT/ETHUSDT-trades-2024-01.zip',
    ]);
    expect(plan.gaps.map((gap) => `${gap.symbol} ${gap.reason}`)).toEqual([
      'BTCUSDT the spot archive has no metrics',
      'ETHUSDT the spot archive has no metrics',
    ]);
  });

  it('expands a monthly file into its days, for when the monthly file is not there yet', () => {
    const monthly = archiveFile({ market: 'spot', dataset: 'trades', symbol: 'BTCUSDT', period: 'monthly', date: '2024-02' });
    expect(dailyFilesOf(monthly).map((file) => file.date)).toEqual(range(1, 29).map((day) => `2024-02-${day}`));
    expect(
      dailyFilesOf(
        archiveFile({ market: 'futures/um', dataset: 'fundingRate', symbol: 'BTCUSDT', period: 'monthly', date: '2024-02' }),
      ),
    ).toEqual([]);
  });

  it('rejects malformed requests', () => {
    expect(() => archiveFiles(request({ from: '2024-02-01', to: '2024-01-01' }), '2024-06-01')).toThrow('after');
    expect(() => archiveFiles(request({ from: '2024-1-1' }), '2024-06-01')).toThrow('not a YYYY-MM-DD');
  });
});

describe('Binance archive layout: CSV formats against real files', () => {
  const examples = (name: string) =>
    fs
      .readFileSync(testdataPath('binance_docs', 'public_data_readme_examples', name), 'utf8')
      .trim()
      .split(',');

  it('USD-M klines: the real files start with exactly the layout header, in milliseconds', () => {
    const folder = testdataPath('binance_um_futures_klines_1m');
    const files = fs.readdirSync(folder).filter((name) => name.endsWith('.csv'));
    expect(files.length).toBeGreaterThan(0);
    expect(ARCHIVE_MARKETS['futures/um'].header).toBe(true);
    for (const name of files) {
      const [header, first] = fs.readFileSync(`${folder}/${name}`, 'utf8').slice(0, 1000).split('\n');
      expect(header.split(',')).toEqual(archiveDataset('futures/um', 'klines')!.columns);
      expect(Number(first.split(',')[0])).toBeLessThan(1e14);
      // The sample file names follow the archive's monthly naming.
      const month = /-(\d{4}-\d{2})\.csv$/.exec(name)![1];
      const symbol = name.split('-')[0];
      expect(
        archiveFile({ market: 'futures/um', dataset: 'klines', interval: '1m', symbol, period: 'monthly', date: month }).fileName,
      ).toBe(name.replace('.csv', '.zip'));
    }
  });

  it('spot rows (no header) have the layout column counts, µs times from 2025 and capitalised booleans', () => {
    expect(ARCHIVE_MARKETS.spot.header).toBe(false);
    const klines = examples('spot_klines_1h_example_2025_microseconds.csv');
    expect(klines).toHaveLength(archiveDataset('spot', 'klines')!.columns.length);
    expect(archiveTimeFormat('spot', 'klines', '2025-01-01')).toBe('us');
    expect(archiveTimeFormat('spot', 'klines', '2024-12-31')).toBe('ms');
    expect(Number(klines[0])).toBeGreaterThan(1e15);
    expect(klines[6]).toMatch(/999999$/);
    const trades = examples('spot_trades_example_2025_microseconds.csv');
    const tradeColumns = archiveDataset('spot', 'trades')!.columns;
    expect(trades).toHaveLength(tradeColumns.length);
    expect(trades[tradeColumns.indexOf('is_buyer_maker')]).toBe(ARCHIVE_MARKETS.spot.booleans[0]);
    const aggTrades = examples('spot_aggTrades_example_2025_microseconds.csv');
    expect(aggTrades).toHaveLength(archiveDataset('spot', 'aggTrades')!.columns.length);
    expect(Number(aggTrades[archiveDataset('spot', 'aggTrades')!.columns.indexOf('transact_time')])).toBeGreaterThan(1e15);
  });

  it('USD-M rows have the layout column counts, ms times and lower-case booleans', () => {
    for (const [name, dataset] of [
      ['um_futures_klines_example.csv', 'klines'],
      ['um_futures_trades_example.csv', 'trades'],
      ['um_futures_aggTrades_example.csv', 'aggTrades'],
    ] as const) {
      const row = examples(name);
      const spec = archiveDataset('futures/um', dataset)!;
      expect(row).toHaveLength(spec.columns.length);
      expect(Number(row[spec.columns.indexOf(spec.timeColumn)])).toBeLessThan(1e14);
      for (const column of spec.booleanColumns)
        expect(ARCHIVE_MARKETS['futures/um'].booleans).toContain(row[spec.columns.indexOf(column)]);
    }
    expect(archiveTimeFormat('futures/um', 'trades', '2025-06-01')).toBe('ms');
    expect(archiveTimeFormat('futures/um', 'metrics', '2025-06-01')).toBe('text');
  });
});

function range(first: number, last: number): string[] {
  return Array.from({ length: last - first + 1 }, (_, index) => String(first + index).padStart(2, '0'));
}
