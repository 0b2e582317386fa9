import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runHistory, type HistoryExchange, type HistoryOptions, type HistorySummary } from '../../lib/app/history';
import { addDays, dayOf, parseArchiveDataset, parseArchivePath, planArchive } from '../../lib/exchanges/binance/archive-layout';
import type { FileOutcome } from '../../lib/history/archive-file-import';
import { readTables } from '../../lib/parquet/read';
import { dataset } from '../../lib/schema/registry';
import type { QualityReport } from '../../lib/silver/quality-report';
import { startArchiveServer, type RunningArchiveServer } from '../../lib/simulator';
import { LocalObjectStore } from '../../lib/storage/local-store';
import { lakehouseInProcess } from '../helpers/cli';
import { bronzeKeys, lakeFiles, ledgerRows, parquetRowCount, servedDataLines } from '../helpers/history';

/**
 * Issue 14's "Done when" (docs/history.md, "lakehouse history"): in one lake, `lakehouse history` against the offline
 * archive loads every archive dataset for two symbols over two months, February 2024 as monthly files and March as
 * daily files (the archive's "today" is 2024-03-04: March has not ended), a second run skips everything, an
 * interrupted run resumes to the same Bronze, and `lakehouse run` builds Silver and Gold over it. The spot archive
 * has klines, trades and aggTrades; fundingRate, metrics, bookDepth and bookTicker come from USD-M, so the load is
 * two requests. The market trades once or twice a minute, which keeps the run short: bookDepth (a snapshot of ten
 * bands every 30 s, whatever the trading) is most of the rows.
 */

const TODAY = '2024-03-04';
/** The run's clock: fixed, so two lakes loaded alike are byte for byte alike. */
const NOW = Date.UTC(2024, 2, 4, 12);
const FROM = '2024-02-01';
const TO = '2024-03-03';
const SYMBOLS = ['BTCUSDT', 'ETHUSDT'];
const REQUESTS: readonly { exchange: HistoryExchange; datasets: readonly string[] }[] = [
  { exchange: 'binance', datasets: ['klines:1m', 'klines:1h', 'trades', 'aggTrades'] },
  { exchange: 'binance-futures', datasets: ['fundingRate', 'metrics', 'bookDepth', 'bookTicker'] },
];
/** Archive dataset → the Bronze datasets (and kline timeframe) its lines land in. */
const BRONZE: Record<string, { name: string; timeframe?: string }[]> = {
  'klines:1m': [{ name: 'klines', timeframe: '1m' }],
  'klines:1h': [{ name: 'klines', timeframe: '1h' }],
  trades: [{ name: 'trades' }],
  aggTrades: [{ name: 'agg_trades' }],
  fundingRate: [{ name: 'funding_rates' }],
  metrics: [{ name: 'open_interest' }, { name: 'long_short_ratios' }],
  bookDepth: [{ name: 'book_depth' }],
  bookTicker: [{ name: 'quotes' }],
};
const SLOW_MS = 300_000;

function daysOf(from: string, to: string): string[] {
  const out: string[] = [];
  for (let day = from; day <= to; day = addDays(day, 1)) out.push(day);
  return out;
}
const FEBRUARY = daysOf(FROM, '2024-02-29');
const MARCH = daysOf('2024-03-01', TO);

/**
 * The files of each dataset and symbol: February's monthly file and March's days; the days throughout where the
 * archive publishes daily files only (metrics, bookDepth); February alone for fundingRate, published monthly only
 * (March, not over, is a gap).
 */
function expectedFiles(name: string): string[] {
  if (name === 'metrics' || name === 'bookDepth') return [...FEBRUARY, ...MARCH];
  if (name === 'fundingRate') return ['2024-02'];
  return ['2024-02', ...MARCH];
}
const PLANNED = REQUESTS.flatMap((request) => request.datasets.map(expectedFiles)).flat().length * SYMBOLS.length;

let server: RunningArchiveServer;
let root: string;

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'history-done-when-'));
  server = await startArchiveServer({
    today: TODAY,
    symbols: SYMBOLS,
    seed: 11,
    instruments: { BTCUSDT: { tradesPerMinute: 2 }, ETHUSDT: { tradesPerMinute: 1 } },
  });
}, 30_000);

afterAll(async () => {
  await server.stop();
  fs.rmSync(root, { recursive: true, force: true });
});

const FULL = () => path.join(root, 'full');

/** The requests (both: spot then USD-M), into `lake`. */
async function loadHistory(lake: string, extra: Partial<HistoryOptions> = {}, requests = REQUESTS): Promise<HistorySummary[]> {
  const summaries: HistorySummary[] = [];
  for (const request of requests) {
    summaries.push(
      await runHistory({
        store: new LocalObjectStore(lake),
        exchange: request.exchange,
        symbols: SYMBOLS,
        datasets: request.datasets.map(parseArchiveDataset),
        from: FROM,
        to: TO,
        baseUrl: server.baseUrl,
        concurrency: 3,
        tmpDir: path.join(lake, '_history', 'tmp'),
        now: () => NOW,
        sleep: () => Promise.resolve(),
        ...extra,
      }),
    );
  }
  return summaries;
}

/** Every planned archive path of the requests. */
const plannedPaths = (requests = REQUESTS) =>
  requests.flatMap((request) =>
    planArchive(
      {
        market: request.exchange === 'binance' ? 'spot' : 'futures/um',
        symbols: SYMBOLS,
        datasets: request.datasets.map(parseArchiveDataset),
        from: FROM,
        to: TO,
      },
      TODAY,
    ).files.map((file) => file.urlPath),
  );

/** The ledger's rows grouped by `<dataset> <symbol>` (klines as `klines:<interval>`). */
async function ledgerByDataset(lake: string) {
  const ledger = await ledgerRows(lake);
  const groups = new Map<string, { dates: string[]; rows: number; firstTime: number; lastTime: number; paths: string[] }>();
  const [paths, rows, firsts, lasts] = [
    ledger.str('archive_path'),
    ledger.num('rows'),
    ledger.num('first_time'),
    ledger.num('last_time'),
  ];
  for (let i = 0; i < ledger.length; i++) {
    const file = parseArchivePath(paths[i] ?? '')?.file;
    if (!file) throw new Error(`the ledger names no archive file: ${paths[i]}`);
    const key = `${file.interval ? `klines:${file.interval}` : file.dataset} ${file.symbol}`;
    const group = groups.get(key) ?? { dates: [], rows: 0, firstTime: Infinity, lastTime: -Infinity, paths: [] };
    group.dates.push(file.date);
    group.rows += rows[i];
    group.firstTime = Math.min(group.firstTime, firsts[i]);
    group.lastTime = Math.max(group.lastTime, lasts[i]);
    group.paths.push(file.urlPath);
    groups.set(key, group);
  }
  return { ledger, groups };
}

describe("issue 14's done-when: two symbols, two months, every archive dataset", () => {
  it(
    'loads February as monthly files and March as daily files; Bronze holds the ledger rows over both months',
    async () => {
      const [spot, futures] = await loadHistory(FULL());
      expect(spot.files).toEqual({ planned: 32, imported: 32, skipped: 0, missing: 0, failed: 0 });
      expect(futures.files).toEqual({ planned: 138, imported: 138, skipped: 0, missing: 0, failed: 0 });
      expect(spot.files.planned + futures.files.planned).toBe(PLANNED);
      for (const summary of [spot, futures]) {
        expect([summary.rejected, summary.missing, summary.failed, summary.monthlyFallbacks]).toEqual([0, [], [], []]);
      }
      expect(spot.gaps).toEqual([]);
      expect(futures.gaps).toEqual(
        SYMBOLS.map((symbol) => ({
          dataset: 'fundingRate',
          symbol,
          firstDay: '2024-03-01',
          lastDay: TO,
          reason: 'fundingRate is published monthly only; 2024-03 has not ended',
        })),
      );

      const { ledger, groups } = await ledgerByDataset(FULL());
      expect(ledger.length).toBe(PLANNED);
      expect(new Set(ledger.str('status'))).toEqual(new Set(['imported']));
      expect(spot.rows + futures.rows).toBe(ledger.num('rows').reduce((sum, rows) => sum + rows, 0));
      // The ledger's checksums are the archive's own.
      const checksums = await Promise.all(
        ledger
          .str('archive_path')
          .map(async (urlPath) => (await (await fetch(`${server.baseUrl}/${urlPath}.CHECKSUM`)).text()).slice(0, 64)),
      );
      expect(ledger.str('sha256')).toEqual(checksums);

      for (const request of REQUESTS) {
        for (const name of request.datasets) {
          for (const symbol of SYMBOLS) {
            const group = groups.get(`${name} ${symbol}`);
            const label = `${request.exchange} ${name} ${symbol}`;
            expect([label, group?.dates.sort()]).toEqual([label, expectedFiles(name)]);
            // Bronze rows equal the ledger's, one object per archive day, in hour=00, over every day of the files.
            let bronze = 0;
            for (const target of BRONZE[name]) {
              const where = { exchange: request.exchange, symbol, ...(target.timeframe ? { timeframe: target.timeframe } : {}) };
              const keys = await bronzeKeys(FULL(), target.name, where);
              bronze += parquetRowCount(FULL(), keys);
              const days = name === 'fundingRate' ? FEBRUARY : [...FEBRUARY, ...MARCH];
              expect([label, keys.map((key) => /\/dt=([\d-]+)\/hour=00\//.exec(key)?.[1])]).toEqual([label, days]);
            }
            expect([label, bronze]).toEqual([label, group!.rows]);
            // The first and last times: the first day of February and the last day loaded (fundingRate: of February).
            const lastDay = name === 'fundingRate' ? '2024-02-29' : TO;
            expect([label, dayOf(group!.firstTime), dayOf(group!.lastTime)]).toEqual([label, FROM, lastDay]);
          }
        }
      }
      // Bronze times, read back for one dataset of each request: the first and last rows of the span.
      const store = new LocalObjectStore(FULL());
      for (const [name, exchange, lastDay] of [
        ['trades', 'binance', TO],
        ['book_depth', 'binance-futures', TO],
        ['funding_rates', 'binance-futures', '2024-02-29'],
      ]) {
        const keys = await bronzeKeys(FULL(), name, { exchange, symbol: 'ETHUSDT' });
        const spec = dataset('bronze', name);
        const [first, last] = [await readTables(store, spec, keys.slice(0, 1)), await readTables(store, spec, keys.slice(-1))];
        expect([name, dayOf(Math.min(...first.num(spec.timeColumn))), dayOf(Math.max(...last.num(spec.timeColumn)))]).toEqual([
          name,
          FROM,
          lastDay,
        ]);
      }
      // The ledger's rows are the archive's lines: a monthly spot file and a daily USD-M file, line by line.
      const paths = ledger.str('archive_path');
      for (const urlPath of [
        'data/spot/monthly/trades/ETHUSDT/ETHUSDT-trades-2024-02.zip',
        'data/futures/um/daily/bookTicker/BTCUSDT/BTCUSDT-bookTicker-2024-03-02.zip',
      ]) {
        const file = parseArchivePath(urlPath)!.file;
        const lines = await servedDataLines(server, file, path.join(root, 'count'));
        expect([urlPath, ledger.num('rows')[paths.indexOf(urlPath)]]).toEqual([urlPath, lines]);
      }
      expect(fs.existsSync(path.join(FULL(), '_history', 'tmp'))).toBe(false);
      expect(fs.existsSync(path.join(FULL(), 'quarantine'))).toBe(false);
    },
    SLOW_MS,
  );

  it(
    'a second run fetches only the checksums, writes nothing and says every file was skipped',
    async () => {
      const before = lakeFiles(FULL());
      const mtimes = [...before.keys()].map((file) => fs.statSync(path.join(FULL(), file)).mtimeMs);
      const seen = server.log.length;
      const again = await loadHistory(FULL());
      expect(again.map((summary) => summary.files)).toEqual([
        { planned: 32, imported: 0, skipped: 32, missing: 0, failed: 0 },
        { planned: 138, imported: 0, skipped: 138, missing: 0, failed: 0 },
      ]);
      expect(again.map((summary) => summary.rows)).toEqual([0, 0]);
      const requests = server.log.slice(seen);
      expect(requests.map((entry) => entry.path).sort()).toEqual(
        plannedPaths()
          .map((urlPath) => `${urlPath}.CHECKSUM`)
          .sort(),
      );
      expect(requests.every((entry) => entry.status === 200)).toBe(true);
      expect(lakeFiles(FULL())).toEqual(before);
      expect([...before.keys()].map((file) => fs.statSync(path.join(FULL(), file)).mtimeMs)).toEqual(mtimes);
    },
    SLOW_MS,
  );

  it(
    'a run interrupted midway resumes: the second run imports only the files the first did not finish',
    async () => {
      // The spot request: a resume works file by file whatever the dataset, and the USD-M request (1.8 million
      // bookDepth rows) would double the test's time.
      const spot = REQUESTS.filter((request) => request.exchange === 'binance');
      const planned = plannedPaths(spot);
      const lake = path.join(root, 'interrupted');
      // Stopped (as Ctrl-C would stop it) once six files are in: February's trades are then in flight, some of
      // their Bronze days written and no ledger row yet.
      const controller = new AbortController();
      const finished: string[] = [];
      const onFile = (outcome: FileOutcome) => {
        if (outcome.status !== 'imported') return;
        finished.push(outcome.file.urlPath);
        if (finished.length === 6) controller.abort();
      };
      await expect(loadHistory(lake, { signal: controller.signal, onFile }, spot)).rejects.toMatchObject({ name: 'AbortError' });
      const { ledger } = await ledgerByDataset(lake);
      expect(ledger.str('archive_path').sort()).toEqual([...finished].sort());
      expect(fs.existsSync(path.join(lake, '_history', 'tmp'))).toBe(false);
      // The files in flight had written Bronze days already (February's klines, read whole before the stop is
      // checked at their commit): the resume must rewrite those objects, not add to them.
      const finishedDays = finished
        .map((urlPath) => parseArchivePath(urlPath)!.file)
        .reduce((days, file) => days + daysOf(file.firstDay, file.lastDay).length, 0);
      const bronzeObjects = [...lakeFiles(lake, 'bronze').keys()].filter((file) => !file.startsWith('bronze/import_ledger/'));
      expect(bronzeObjects.length).toBeGreaterThan(finishedDays);

      const seen = server.log.length;
      const [resumed] = await loadHistory(lake, {}, spot);
      expect(resumed.files).toEqual({
        planned: planned.length,
        imported: planned.length - finished.length,
        skipped: finished.length,
        missing: 0,
        failed: 0,
      });
      // Only the unfinished files' ZIPs were downloaded again.
      const zips = server.log.slice(seen).filter((entry) => !entry.path.endsWith('.CHECKSUM'));
      const remaining = planned.filter((urlPath) => !finished.includes(urlPath));
      expect(zips.map((entry) => entry.path).sort()).toEqual(remaining.sort());
      // The same Bronze and ledger rows as the uninterrupted run's spot files, byte for byte.
      const spotFiles = (lakePath: string) =>
        new Map([...lakeFiles(lakePath, 'bronze')].filter(([file]) => file.includes('/exchange=binance/')));
      expect(spotFiles(lake).size).toBe(lakeFiles(lake, 'bronze').size);
      expect(spotFiles(lake)).toEqual(spotFiles(FULL()));
    },
    SLOW_MS,
  );

  it(
    '`lakehouse run` builds Silver and Gold over the two months: every day passes, trades and bars agree',
    async () => {
      const result = await lakehouseInProcess(['run', '--from', FROM, '--to', TO, '--lake', FULL()]);
      expect([result.code, result.stderr]).toEqual([0, expect.any(String)]);
      const built = JSON.parse(result.stdout) as {
        silver: { exchange: string; symbol: string; dt: string; verdict: string; completeness: number }[];
        gold: { exchange: string; symbol: string; dt: string; rows: number }[];
      };
      const days = [...FEBRUARY, ...MARCH];
      const expected = days.flatMap((dt) => SYMBOLS.map((symbol) => `binance ${symbol} ${dt}`)).sort();
      expect(built.silver.map((part) => `${part.exchange} ${part.symbol} ${part.dt}`).sort()).toEqual(expected);
      expect(built.gold.map((part) => `${part.exchange} ${part.symbol} ${part.dt}`).sort()).toEqual(expected);
      expect(built.silver.filter((part) => part.verdict !== 'PASS' || part.completeness !== 1)).toEqual([]);
      expect(built.gold.filter((part) => part.rows !== 1440)).toEqual([]);

      for (const symbol of SYMBOLS) {
        for (const dt of ['2024-02-15', '2024-03-02']) {
          const report = JSON.parse(
            fs.readFileSync(path.join(FULL(), `reports/quality/dt=${dt}/binance_${symbol}.json`), 'utf8'),
          ) as QualityReport;
          // Every minute of the archive's 1m klines agrees with the archive's trades; the archive's 1h bars with Silver's.
          // (Compared: the minutes from the day's first trade to its last.)
          expect(report.tradeParity).toMatchObject({ disagreeing: 0, tradeMinutesWithoutKline: 0 });
          expect(report.tradeParity!.compared).toBeGreaterThan(1430);
          expect(report.parity?.['1h']).toMatchObject({ compared: 24, matching: 24, differing: 0 });
          const markdown = fs.readFileSync(path.join(FULL(), `reports/quality/dt=${dt}/binance_${symbol}.md`), 'utf8');
          expect(markdown).toContain("## Parity with the day's trades");
        }
      }
      const goldKeys = fs
        .readdirSync(path.join(FULL(), 'gold/features_1m/exchange=binance'))
        .map((folder) => folder.replace('symbol=', ''));
      expect(goldKeys.sort()).toEqual(SYMBOLS);
    },
    SLOW_MS,
  );
});
