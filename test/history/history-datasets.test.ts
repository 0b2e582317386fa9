import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runHistory, type HistoryOptions, type HistorySummary } from '../../lib/app/history';
import {
  type ArchiveDatasetRequest,
  type ArchiveFile,
  type ArchiveMarket,
  parseArchiveDataset,
  planArchive,
} from '../../lib/exchanges/binance/archive-layout';
import { archiveLines } from '../../lib/history/archive-source';
import { importArchiveDataset } from '../../lib/history/import-archive-dataset';
import { startArchiveServer, type RunningArchiveServer } from '../../lib/simulator';
import { LocalObjectStore } from '../../lib/storage/local-store';
import { lakehouseInProcess } from '../helpers/cli';
import { bronzeRows as bronzeRowsWhere, ledgerRows, saveServedZip, servedDataLines } from '../helpers/history';
import { testdataPath } from '../helpers/testdata';

/**
 * `lakehouse history` and `lakehouse import` for every archive dataset besides klines and trades (docs/history.md,
 * "Archive rows in Bronze"; docs/import.md, "Other archive datasets"), against the offline archive: USD-M aggTrades,
 * fundingRate (monthly only), metrics (two Bronze datasets from one file), bookDepth, bookTicker (still published in
 * this range: its last daily file is 2024-03-30) and spot aggTrades, over February 2024 whole plus days on either
 * side. Bronze rows equal the archive's lines, the ledger holds one row per file, a re-run fetches only checksums,
 * and `lakehouse run` builds a day with the new datasets present.
 */

const TODAY = '2024-03-10';
const NOW = Date.UTC(2024, 2, 10, 12);
const FROM = '2024-01-30';
const TO = '2024-03-02';
const SYMBOL = 'BTCUSDT';
const FUTURES = ['klines:1m', 'aggTrades', 'fundingRate', 'metrics', 'bookDepth', 'bookTicker'].map(parseArchiveDataset);
const SPOT = [parseArchiveDataset('aggTrades')];
/** Archive dataset → the Bronze datasets its rows land in. */
const BRONZE: Record<string, string[]> = {
  klines: ['klines'],
  aggTrades: ['agg_trades'],
  fundingRate: ['funding_rates'],
  metrics: ['open_interest', 'long_short_ratios'],
  bookDepth: ['book_depth'],
  bookTicker: ['quotes'],
};
const SLOW_MS = 600_000;

let server: RunningArchiveServer;
let root: string;

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'history-datasets-'));
  server = await startArchiveServer({
    today: TODAY,
    symbols: [SYMBOL],
    seed: 5,
    instruments: { [SYMBOL]: { tradesPerMinute: 2 } },
  });
}, 30_000);

afterAll(async () => {
  await server.stop();
  fs.rmSync(root, { recursive: true, force: true });
});

const LAKE = () => path.join(root, 'lake');

function options(exchange: HistoryOptions['exchange'], datasets: ArchiveDatasetRequest[]): HistoryOptions {
  return {
    store: new LocalObjectStore(LAKE()),
    exchange,
    symbols: [SYMBOL],
    datasets,
    from: FROM,
    to: TO,
    baseUrl: server.baseUrl,
    concurrency: 2,
    tmpDir: path.join(LAKE(), '_history', 'tmp'),
    now: () => NOW,
    sleep: () => Promise.resolve(),
  };
}

const planOf = (market: ArchiveMarket, datasets: ArchiveDatasetRequest[]) =>
  planArchive({ market, symbols: [SYMBOL], datasets, from: FROM, to: TO }, TODAY);

/** Writes the ZIP the server serves for a file into `folder`, under the archive's file name. */
const saveZip = (file: ArchiveFile, folder: string): string => saveServedZip(server, file, folder);

/** Data lines of a served file: its lines without the header (USD-M files have one, spot files none). */
const dataLines = (file: ArchiveFile): Promise<number> => servedDataLines(server, file, path.join(root, 'count'));

/** Every Bronze row of a dataset for an exchange in a lake. */
const bronzeRows = (lake: string, name: string, exchange: string) => bronzeRowsWhere(lake, name, { exchange });

let futures: HistorySummary;
let spot: HistorySummary;

describe('lakehouse history: every archive dataset', () => {
  it(
    'imports USD-M aggTrades, fundingRate, metrics, bookDepth, bookTicker and spot aggTrades: Bronze rows equal the lines',
    async () => {
      const futuresPlan = planOf('futures/um', FUTURES);
      const spotPlan = planOf('spot', SPOT);
      futures = await runHistory(options('binance-futures', FUTURES));
      spot = await runHistory(options('binance', SPOT));
      // Daily files for 2024-01-30…31 and 2024-03-01…02, February monthly; fundingRate January and February monthly
      // (March is not over: a gap); metrics and bookDepth daily only.
      const planned = futuresPlan.files.length;
      expect(planned).toBe(5 + 5 + 2 + 33 + 33 + 5);
      expect(futures.files).toEqual({ planned, imported: planned, skipped: 0, missing: 0, failed: 0 });
      expect(futures.gaps).toEqual([expect.objectContaining({ dataset: 'fundingRate', firstDay: '2024-03-01' })]);
      expect(spot.files).toEqual({ planned: 5, imported: 5, skipped: 0, missing: 0, failed: 0 });
      expect([futures.rejected, spot.rejected, futures.monthlyFallbacks, spot.monthlyFallbacks]).toEqual([0, 0, [], []]);

      const expected = new Map<string, number>();
      for (const [exchange, files] of [
        ['binance-futures', futuresPlan.files],
        ['binance', spotPlan.files],
      ] as const) {
        for (const file of files) {
          const lines = await dataLines(file);
          expect([file.urlPath, lines > 0]).toEqual([file.urlPath, true]);
          for (const name of BRONZE[file.dataset]) {
            const key = `${exchange} ${name}`;
            expected.set(key, (expected.get(key) ?? 0) + lines);
          }
        }
      }
      const counted = new Map<string, number>();
      for (const key of expected.keys()) {
        const [exchange, name] = key.split(' ');
        counted.set(key, (await bronzeRows(LAKE(), name, exchange)).table.length);
      }
      expect(counted).toEqual(expected);
      // Both datasets of the metrics files are filled, line for line.
      expect(counted.get('binance-futures open_interest')).toBe(33 * 288);
      expect(counted.get('binance-futures long_short_ratios')).toBe(33 * 288);
      expect(futures.rows + spot.rows).toBe([...counted.values()].reduce((sum, rows) => sum + rows, 0));

      // One Bronze object per archive day and dataset, in hour=00.
      const ratios = await bronzeRows(LAKE(), 'long_short_ratios', 'binance-futures');
      expect(ratios.keys).toHaveLength(33);
      expect(ratios.keys.every((key) => /\/hour=00\/part-\d{8}T000000Z-archive-[0-9a-f]{16}\.parquet$/.test(key))).toBe(true);
      const ratioColumns = ratios.table.num('top_trader_account_ratio');
      expect(ratioColumns.every((value) => value > 0)).toBe(true);

      // The ledger: one row per archive file (a metrics file's rows count both datasets'), with the archive's checksum.
      const ledger = await ledgerRows(LAKE());
      expect(ledger.length).toBe(planned + 5);
      expect(new Set(ledger.str('status'))).toEqual(new Set(['imported']));
      const paths = ledger.str('archive_path');
      const shas = ledger.str('sha256');
      paths.forEach((urlPath, index) => expect(shas[index]).toBe(server.fileBytes(urlPath ?? '')?.sha256));
      const metricsDay = paths.findIndex((urlPath) => urlPath?.endsWith('BTCUSDT-metrics-2024-02-15.zip'));
      expect(ledger.num('rows')[metricsDay]).toBe(2 * 288);
    },
    SLOW_MS,
  );

  it(
    'a second run fetches only the checksums and writes nothing',
    async () => {
      const seen = server.log.length;
      const again = await runHistory(options('binance-futures', FUTURES));
      const planned = futures.files.planned;
      expect(again.files).toEqual({ planned, imported: 0, skipped: planned, missing: 0, failed: 0 });
      const requests = server.log.slice(seen);
      expect(requests).toHaveLength(planned);
      expect(requests.every((entry) => entry.path.endsWith('.CHECKSUM') && entry.status === 200)).toBe(true);
    },
    SLOW_MS,
  );

  it(
    '`lakehouse run` builds a day with the new datasets in Bronze',
    async () => {
      const day = '2024-02-15';
      const result = await lakehouseInProcess(['run', '--from', day, '--to', day, '--lake', LAKE()]);
      expect([result.code, result.stderr]).toEqual([0, expect.any(String)]);
      const silverKlines = `silver/klines/timeframe=1m/exchange=binance-futures/symbol=${SYMBOL}/dt=${day}/data.parquet`;
      expect(fs.existsSync(path.join(LAKE(), silverKlines))).toBe(true);
      const gold = `gold/features_1m/exchange=binance-futures/symbol=${SYMBOL}/dt=${day}/data.parquet`;
      expect(fs.existsSync(path.join(LAKE(), gold))).toBe(true);
    },
    SLOW_MS,
  );
});

describe('lakehouse import --dataset: one archive file of any dataset', () => {
  const folder = () => path.join(root, 'files');
  const fileOf = (market: ArchiveMarket, name: string, date: string): ArchiveFile => {
    const file = planOf(market, [parseArchiveDataset(name)]).files.find((planned) => planned.date === date);
    if (!file) throw new Error(`no ${market} ${name} file for ${date}`);
    return file;
  };

  it(
    'imports a metrics ZIP from the archive into both datasets, like history; history then skips it',
    async () => {
      const lake = path.join(root, 'import-metrics');
      const file = fileOf('futures/um', 'metrics', '2024-02-15');
      const local = saveZip(file, folder());
      const result = await lakehouseInProcess([
        'import',
        '--file',
        local,
        '--dataset',
        'metrics',
        '--exchange',
        'binance-futures',
        '--lake',
        lake,
      ]);
      expect([result.code, result.stderr]).toEqual([0, '']);
      const imported = JSON.parse(result.stdout) as { rows: number; bronze: string[]; archivePath: string };
      expect(imported).toMatchObject({
        rows: 2 * 288,
        bronze: ['open_interest', 'long_short_ratios'],
        archivePath: file.urlPath,
      });
      // The same objects `history` wrote for the file, byte for byte (same keys, same clock).
      for (const name of ['open_interest', 'long_short_ratios']) {
        const [key] = (await bronzeRows(lake, name, 'binance-futures')).keys;
        const fromHistory = (await bronzeRows(LAKE(), name, 'binance-futures')).keys.find((other) => other === key);
        expect(fromHistory).toBe(key);
        expect((await bronzeRows(lake, name, 'binance-futures')).table.length).toBe(288);
      }
      const history = await runHistory({
        ...options('binance-futures', [parseArchiveDataset('metrics')]),
        store: new LocalObjectStore(lake),
        from: '2024-02-15',
        to: '2024-02-15',
        tmpDir: path.join(lake, '_history', 'tmp'),
      });
      expect(history.files).toEqual({ planned: 1, imported: 0, skipped: 1, missing: 0, failed: 0 });
    },
    SLOW_MS,
  );

  it(
    'imports each other dataset (monthly and daily, spot and USD-M, a bare CSV, the old lower-case names)',
    async () => {
      const lake = path.join(root, 'import-each');
      const store = new LocalObjectStore(lake);
      const cases = [
        { market: 'futures/um', exchange: 'binance-futures', name: 'fundingRate', date: '2024-01', bronze: 'funding_rates' },
        { market: 'futures/um', exchange: 'binance-futures', name: 'bookDepth', date: '2024-03-01', bronze: 'book_depth' },
        { market: 'futures/um', exchange: 'binance-futures', name: 'bookTicker', date: '2024-02', bronze: 'quotes' },
        { market: 'futures/um', exchange: 'binance-futures', name: 'aggTrades', date: '2024-01-31', bronze: 'agg_trades' },
        { market: 'spot', exchange: 'binance', name: 'aggTrades', date: '2024-03-02', bronze: 'agg_trades' },
        { market: 'spot', exchange: 'binance', name: 'trades', date: '2024-03-01', bronze: 'trades' },
      ] as const;
      for (const wanted of cases) {
        const file = fileOf(wanted.market, wanted.name, wanted.date);
        const local = saveZip(file, folder());
        const result = await importArchiveDataset({
          store,
          file: local,
          dataset: wanted.name,
          exchange: wanted.exchange,
          now: () => NOW,
        });
        expect([wanted.name, result.rows, result.rejected]).toEqual([wanted.name, await dataLines(file), 0]);
        expect(result.bronze).toEqual([wanted.bronze]);
      }
      // A bare CSV named like the archive's, and `funding` (the old spelling) for fundingRate.
      const csv = path.join(folder(), 'BTCUSDT-fundingRate-2024-02.csv');
      const zipped = saveZip(fileOf('futures/um', 'fundingRate', '2024-02'), path.join(folder(), 'csv'));
      let text = '';
      for await (const line of archiveLines(zipped)) text += `${line.text}\n`;
      fs.writeFileSync(csv, text);
      const viaAlias = await lakehouseInProcess([
        'import',
        '--file',
        csv,
        '--dataset',
        'funding',
        '--exchange',
        'binance-futures',
        '--lake',
        lake,
      ]);
      expect(viaAlias.code).toBe(0);
      expect(JSON.parse(viaAlias.stdout)).toMatchObject({
        dataset: 'fundingRate',
        rows: await dataLines(fileOf('futures/um', 'fundingRate', '2024-02')),
        checksumVerified: false,
      });
    },
    SLOW_MS,
  );

  it("refuses a name that is not the archive's, another dataset's name, a market without the dataset", async () => {
    const lake = path.join(root, 'import-refused');
    const local = saveZip(fileOf('futures/um', 'aggTrades', '2024-01-30'), folder());
    const renamed = path.join(folder(), 'aggtrades.zip');
    fs.copyFileSync(local, renamed);
    const run = (file: string, name: string, exchange: string) =>
      lakehouseInProcess(['import', '--file', file, '--dataset', name, '--exchange', exchange, '--lake', lake]);
    const cases: [string, string, string, RegExp][] = [
      [
        renamed,
        'aggTrades',
        'binance-futures',
        /aggtrades\.zip: name the file as the archive does, e\.g\. BTCUSDT-aggTrades-2024-01\.zip/,
      ],
      [
        local,
        'bookDepth',
        'binance-futures',
        /BTCUSDT-aggTrades-2024-01-30\.zip: the name says aggTrades, not --dataset bookDepth/,
      ],
      [local, 'aggTrades', 'kraken', /aggTrades archives come from data\.binance\.vision: --exchange binance, binance-futures/],
      [local, 'fundingRate', 'binance', /the spot archive \(binance\) publishes no fundingRate/],
    ];
    for (const [file, name, exchange, message] of cases) {
      const result = await run(file, name, exchange);
      expect([name, exchange, result.code, result.stdout]).toEqual([name, exchange, 2, '']);
      expect(result.stderr).toMatch(message);
    }
    // A USD-M file imported as spot: its header and lower-case booleans fail every line, so the file is refused whole.
    const wrongMarket = await run(local, 'aggTrades', 'binance');
    expect([wrongMarket.code, wrongMarket.stdout]).toEqual([2, '']);
    expect(wrongMarket.stderr).toMatch(/rows fail the checks .*: likely the wrong dataset or format/);
    expect(fs.existsSync(path.join(lake, 'bronze', 'agg_trades'))).toBe(false);
  });

  it("imports Binance's own example lines (shared test data): spot aggTrades and trades of 2025, in microseconds", async () => {
    const lake = path.join(root, 'import-examples');
    const examples = 'binance_docs/public_data_readme_examples';
    const cases = [
      ['spot_aggTrades_example_2025_microseconds.csv', 'BTCUSDT-aggTrades-2025-01-01.csv', 'aggTrades', 'agg_trades'],
      ['spot_trades_example_2025_microseconds.csv', 'BTCUSDT-trades-2025-01-01.csv', 'trades', 'trades'],
    ] as const;
    for (const [sample, name, archiveName, bronze] of cases) {
      const local = path.join(root, 'examples', name);
      fs.mkdirSync(path.dirname(local), { recursive: true });
      fs.copyFileSync(testdataPath(examples, sample), local);
      const result = await importArchiveDataset({
        store: new LocalObjectStore(lake),
        file: local,
        dataset: archiveName,
        exchange: 'binance',
        now: () => Date.UTC(2025, 0, 2),
      });
      expect([name, result.rows, result.rejected]).toEqual([name, 1, 0]);
      const rows = await bronzeRows(lake, bronze, 'binance');
      expect([...rows.table.num('event_time')]).toEqual([Date.parse('2025-01-01T00:00:00.010Z')]);
    }
  });
});
