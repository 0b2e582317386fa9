import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { runHistory, type HistoryOptions, type HistorySummary } from '../../lib/app/history';
import { archiveFile, parseArchiveDataset, type ArchiveFileKey } from '../../lib/exchanges/binance/archive-layout';
import { readTables } from '../../lib/parquet/read';
import { dataset } from '../../lib/schema/registry';
import { runSilver } from '../../lib/silver/silver-job';
import { startArchiveServer, type RunningArchiveServer } from '../../lib/simulator';
import { LocalObjectStore } from '../../lib/storage/local-store';
import { lakehouseInProcess } from '../helpers/cli';
import { bronzeRows, lakeFiles, ledgerRows, servedDataLines } from '../helpers/history';

/**
 * `lakehouse history` against the offline archive (docs/history.md): two symbols, klines 1m and 1h and trades over
 * a whole month plus days on either side (monthly and daily files, ms and µs spot files); a re-run that fetches only
 * checksums; an interrupted run that resumes to the same lake; a republished file; the server's faults; Silver.
 */

const TODAY = '2025-01-06';
/** The run's clock: fixed, so two lakes built alike are byte for byte alike. */
const NOW = Date.UTC(2025, 0, 6, 12);
const FROM = '2024-11-29';
const TO = '2025-01-02';
const SYMBOLS = ['BTCUSDT', 'ETHUSDT'];
const DATASETS = ['klines:1m', 'klines:1h', 'trades'].map(parseArchiveDataset);
const SLOW_MS = 240_000;

let server: RunningArchiveServer;
let root: string;
const sleeps: number[] = [];

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'history-'));
  server = await startArchiveServer({
    today: TODAY,
    symbols: SYMBOLS,
    seed: 3,
    instruments: { BTCUSDT: { tradesPerMinute: 3 }, ETHUSDT: { tradesPerMinute: 2 } },
  });
}, 30_000);

afterAll(async () => {
  await server.stop();
  fs.rmSync(root, { recursive: true, force: true });
});

function options(lake: string, extra: Partial<HistoryOptions> = {}): HistoryOptions {
  const store = new LocalObjectStore(lake);
  return {
    store,
    exchange: 'binance',
    symbols: SYMBOLS,
    datasets: DATASETS,
    from: FROM,
    to: TO,
    baseUrl: server.baseUrl,
    concurrency: 3,
    tmpDir: path.join(lake, '_history', 'tmp'),
    now: () => NOW,
    sleep: (ms) => {
      sleeps.push(ms);
      return Promise.resolve();
    },
    ...extra,
  };
}

const spotFile = (key: Omit<ArchiveFileKey, 'market'>) => archiveFile({ market: 'spot', ...key });

/** Rows of one Bronze dataset for a symbol and day. */
const bronzeDay = (lake: string, name: string, symbol: string, dt: string, timeframe?: string) =>
  bronzeRows(lake, name, { exchange: 'binance', symbol, dt, ...(timeframe ? { timeframe } : {}) });

const FULL = () => path.join(root, 'full');
let first: HistorySummary;

describe('lakehouse history over the offline archive', () => {
  it(
    'imports monthly and daily files of klines and trades: rows equal the archive, klines agree with trades',
    async () => {
      first = await runHistory(options(FULL()));
      // 2 symbols × 3 datasets × (2 November days + December + 2 January days)
      expect(first.files).toEqual({ planned: 30, imported: 30, skipped: 0, missing: 0, failed: 0 });
      expect([first.rejected, first.failed, first.missing, first.monthlyFallbacks]).toEqual([0, [], [], []]);
      // The month's file and a µs day's file, row for row.
      const december = spotFile({ dataset: 'trades', symbol: 'BTCUSDT', period: 'monthly', date: '2024-12' });
      const newYear = spotFile({ dataset: 'trades', symbol: 'ETHUSDT', period: 'daily', date: '2025-01-01' });
      let decemberRows = 0;
      for (let day = 1; day <= 31; day++) {
        const dt = `2024-12-${String(day).padStart(2, '0')}`;
        const { keys, table } = await bronzeDay(FULL(), 'trades', 'BTCUSDT', dt);
        expect(keys).toHaveLength(1);
        expect(keys[0]).toMatch(new RegExp(`/dt=${dt}/hour=00/part-\\d{8}T000000Z-archive-[0-9a-f]{16}\\.parquet$`));
        decemberRows += table.length;
      }
      expect(decemberRows).toBe(await servedDataLines(server, december, path.join(root, 'count')));
      const ethNewYear = await bronzeDay(FULL(), 'trades', 'ETHUSDT', '2025-01-01');
      expect(ethNewYear.table.length).toBe(await servedDataLines(server, newYear, path.join(root, 'count')));
      const times = ethNewYear.table.num('event_time');
      expect(Math.min(...times)).toBeGreaterThanOrEqual(Date.UTC(2025, 0, 1));
      expect(Math.max(...times)).toBeLessThan(Date.UTC(2025, 0, 2));
      // Per day: 1440 minutes, 24 hours, and the minutes' trade counts are the day's trades.
      for (const [symbol, dt] of [
        ['BTCUSDT', '2024-11-29'],
        ['ETHUSDT', '2024-12-15'],
        ['BTCUSDT', '2025-01-02'],
      ]) {
        const minutes = (await bronzeDay(FULL(), 'klines', symbol, dt, '1m')).table;
        const hours = (await bronzeDay(FULL(), 'klines', symbol, dt, '1h')).table;
        const trades = (await bronzeDay(FULL(), 'trades', symbol, dt)).table;
        expect([symbol, dt, minutes.length, hours.length]).toEqual([symbol, dt, 1440, 24]);
        const counted = minutes.num('trade_count').reduce((sum, value) => sum + value, 0);
        expect(counted).toBe(trades.length);
        expect(hours.num('trade_count').reduce((sum, value) => sum + value, 0)).toBe(trades.length);
      }
      // The ledger: one imported row per file, with the archive's checksum.
      const ledger = await ledgerRows(FULL());
      expect(ledger.length).toBe(30);
      expect(new Set(ledger.str('status'))).toEqual(new Set(['imported']));
      const paths = ledger.str('archive_path');
      const shas = ledger.str('sha256');
      paths.forEach((urlPath, index) => expect(shas[index]).toBe(server.fileBytes(urlPath!)!.sha256));
      expect(fs.existsSync(path.join(FULL(), '_history', 'tmp'))).toBe(false);
    },
    SLOW_MS,
  );

  it(
    'a second run fetches only the checksums and writes nothing',
    async () => {
      const before = lakeFiles(FULL());
      const mtimes = [...before.keys()].map((file) => fs.statSync(path.join(FULL(), file)).mtimeMs);
      const seen = server.log.length;
      const again = await runHistory(options(FULL()));
      expect(again.files).toEqual({ planned: 30, imported: 0, skipped: 30, missing: 0, failed: 0 });
      const requests = server.log.slice(seen);
      expect(requests).toHaveLength(30);
      expect(requests.every((entry) => entry.path.endsWith('.CHECKSUM') && entry.status === 200)).toBe(true);
      expect(lakeFiles(FULL())).toEqual(before);
      expect([...before.keys()].map((file) => fs.statSync(path.join(FULL(), file)).mtimeMs)).toEqual(mtimes);
    },
    SLOW_MS,
  );

  it(
    'an interrupted run resumes and ends with the same lake',
    async () => {
      const lake = path.join(root, 'interrupted');
      let commits = 0;
      const interrupt = () => (++commits > 7 ? Promise.reject(new Error('killed')) : Promise.resolve());
      await expect(runHistory(options(lake, { beforeCommit: interrupt }))).rejects.toThrow('killed');
      const resumed = await runHistory(options(lake));
      expect(resumed.files.skipped).toBeGreaterThanOrEqual(7);
      expect(resumed.files.skipped + resumed.files.imported).toBe(30);
      expect(lakeFiles(lake)).toEqual(lakeFiles(FULL()));
    },
    SLOW_MS,
  );
});

/** A proxy to `upstream` that answers the paths in `rerouted` from `other` instead: a file republished upstream. */
async function republishingProxy(upstream: string, other: string, rerouted: readonly string[]) {
  const proxy = http.createServer((req, res) => {
    const urlPath = (req.url ?? '/').replace(/^\/+/, '');
    const base = rerouted.includes(urlPath) ? other : upstream;
    void fetch(`${base}/${urlPath}`).then(async (answer) => {
      const body = Buffer.from(await answer.arrayBuffer());
      res.writeHead(answer.status, { 'Content-Length': body.length }).end(body);
    });
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  return {
    baseUrl: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
    stop: () => new Promise<void>((resolve) => proxy.close(() => resolve())),
  };
}

describe('lakehouse history: a republished file, faults, the CLI, Silver', () => {
  it(
    'a republished file (new body, new checksum) replaces only its own rows',
    async () => {
      const lake = path.join(root, 'republished');
      fs.cpSync(FULL(), lake, { recursive: true });
      const before = lakeFiles(lake);
      const file = spotFile({ dataset: 'trades', symbol: 'ETHUSDT', period: 'daily', date: '2025-01-02' });
      const other = await startArchiveServer({
        today: TODAY,
        symbols: SYMBOLS,
        seed: 4,
        instruments: { BTCUSDT: { tradesPerMinute: 3 }, ETHUSDT: { tradesPerMinute: 2 } },
      });
      const proxy = await republishingProxy(server.baseUrl, other.baseUrl, [file.urlPath, file.checksumPath]);
      try {
        const run = await runHistory(options(lake, { baseUrl: proxy.baseUrl }));
        expect(run.files).toEqual({ planned: 30, imported: 1, skipped: 29, missing: 0, failed: 0 });
        const republishedRows = await servedDataLines(other, file, path.join(root, 'republished'));
        const day = await bronzeDay(lake, 'trades', 'ETHUSDT', '2025-01-02');
        expect(day.keys).toHaveLength(1);
        expect(day.table.length).toBe(republishedRows);
        const after = lakeFiles(lake);
        const changed = [...after.keys()].filter((key) => after.get(key) !== before.get(key));
        // The day's Bronze object (same key) and the file's ledger row; nothing else.
        expect(changed.sort()).toEqual([
          expect.stringMatching(/^bronze\/import_ledger\/exchange=binance\/symbol=ETHUSDT\/dt=2025-01-02\//),
          day.keys[0],
        ]);
        expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
      } finally {
        await proxy.stop();
        await other.stop();
      }
    },
    SLOW_MS,
  );

  it(
    '429 and 503 (Retry-After honoured), resets and truncated bodies are retried; a bad checksum fails; 404 is missing',
    async () => {
      const lake = path.join(root, 'faults');
      const day = (date: string) => spotFile({ dataset: 'klines', interval: '1h', symbol: 'BTCUSDT', period: 'daily', date });
      const [throttled, failing, reset, truncated, badSum, absent] = [
        '2024-12-10',
        '2024-12-11',
        '2024-12-12',
        '2024-12-13',
        '2024-12-14',
        '2024-12-15',
      ].map(day);
      server.setFaults({
        [throttled.urlPath]: [{ kind: 'status', status: 429, retryAfterS: 7, times: 2 }],
        [failing.urlPath]: [{ kind: 'status', status: 503, times: 1 }],
        [reset.urlPath]: [{ kind: 'reset', keepBytes: 50, times: 1 }],
        [truncated.urlPath]: [{ kind: 'truncate', times: 1 }],
        [badSum.urlPath]: [{ kind: 'badChecksum' }],
        [absent.urlPath]: [{ kind: 'missing' }, { kind: 'missing' }],
        [absent.checksumPath]: [{ kind: 'missing' }],
      });
      sleeps.length = 0;
      try {
        const run = await runHistory(
          options(lake, {
            symbols: ['BTCUSDT'],
            datasets: [parseArchiveDataset('klines:1h')],
            from: '2024-12-10',
            to: '2024-12-15',
          }),
        );
        expect(run.files).toEqual({ planned: 6, imported: 4, skipped: 0, missing: 1, failed: 1 });
        expect(run.missing).toEqual([absent.urlPath]);
        expect(run.failed).toEqual([{ path: badSum.urlPath, reason: expect.stringContaining('checksum mismatch twice') }]);
        const statuses = (urlPath: string) => server.requestsFor(urlPath).map((entry) => entry.status);
        expect(statuses(throttled.urlPath)).toEqual([429, 429, 200]);
        expect(sleeps.filter((ms) => ms === 7000)).toHaveLength(2);
        expect(statuses(failing.urlPath)).toEqual([503, 200]);
        expect(server.requestsFor(reset.urlPath).map((entry) => entry.fault ?? 'whole')).toEqual(['reset', 'whole']);
        expect(server.requestsFor(truncated.urlPath).map((entry) => entry.fault ?? 'whole')).toEqual(['truncate', 'whole']);
        expect(statuses(badSum.urlPath)).toEqual([200, 200]);
        for (const file of [throttled, failing, reset, truncated]) {
          expect((await bronzeDay(lake, 'klines', 'BTCUSDT', file.date, '1h')).table.length).toBe(24);
        }
        expect((await bronzeDay(lake, 'klines', 'BTCUSDT', badSum.date, '1h')).keys).toEqual([]);
        const ledger = await ledgerRows(lake);
        const statusOf = new Map(ledger.str('archive_path').map((urlPath, index) => [urlPath, ledger.str('status')[index]]));
        expect([statusOf.get(badSum.urlPath), statusOf.get(absent.urlPath), statusOf.get(reset.urlPath)]).toEqual([
          'failed',
          'missing',
          'imported',
        ]);
      } finally {
        server.setFaults({});
      }
    },
    SLOW_MS,
  );

  it(
    'the command: a failed file is named on stderr and exits 3; a dataset without a mapper is one line, exit 2',
    async () => {
      const lake = path.join(root, 'cli');
      const file = spotFile({ dataset: 'klines', interval: '1d', symbol: 'ETHUSDT', period: 'daily', date: '2024-12-20' });
      server.setFaults({ [file.urlPath]: [{ kind: 'badChecksum' }] });
      const args = ['history', '--exchange', 'binance', '--symbols', 'ETHUSDT', '--from', '2024-12-20', '--to', '2024-12-21'];
      try {
        const result = await lakehouseInProcess([
          ...args,
          '--datasets',
          'klines:1d',
          '--base-url',
          server.baseUrl,
          '--lake',
          lake,
        ]);
        expect(result.code).toBe(3);
        const summary = JSON.parse(result.stdout) as HistorySummary;
        expect(summary.files).toEqual({ planned: 2, imported: 1, skipped: 0, missing: 0, failed: 1 });
        expect(result.stderr).toContain(`lakehouse: history: failed ${file.urlPath}: checksum mismatch twice`);
      } finally {
        server.setFaults({});
      }
      const refused = await lakehouseInProcess([...args, '--datasets', 'trades,fundingRate', '--lake', lake]);
      expect([refused.code, refused.stdout]).toEqual([2, '']);
      expect(refused.stderr).toBe(
        'lakehouse: the spot archive (binance) publishes no fundingRate (it has: klines:<interval>, trades, aggTrades)\n',
      );
    },
    SLOW_MS,
  );

  it(
    'Silver builds an imported day',
    async () => {
      const store = new LocalObjectStore(FULL());
      const results = await runSilver({ store, dt: '2024-12-15', exchange: 'binance', now: () => NOW });
      expect(results.map((result) => result.symbol).sort()).toEqual(SYMBOLS);
      const btc = results.find((result) => result.symbol === 'BTCUSDT')!;
      const silverTrades = await readTables(store, dataset('silver', 'trades'), [
        'silver/trades/exchange=binance/symbol=BTCUSDT/dt=2024-12-15/data.parquet',
      ]);
      const bronzeTrades = await bronzeDay(FULL(), 'trades', 'BTCUSDT', '2024-12-15');
      expect(silverTrades.length).toBe(bronzeTrades.table.length);
      expect(btc.files).toEqual(
        expect.arrayContaining(['silver/bars_1s/exchange=binance/symbol=BTCUSDT/dt=2024-12-15/data.parquet']),
      );
      // Without quotes or a book the day still builds: klines, trades and 1-second bars (no bid/ask).
      expect(btc.files).toEqual(
        expect.arrayContaining(['silver/klines/timeframe=1m/exchange=binance/symbol=BTCUSDT/dt=2024-12-15/data.parquet']),
      );
    },
    SLOW_MS,
  );
});
