import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { archiveDataset, archiveFile, type ArchiveFileKey } from '../../lib/exchanges/binance/archive-layout';
import { archiveLines, verifyChecksum } from '../../lib/history/archive-source';
import { startArchiveServer, type RunningArchiveServer } from '../../lib/simulator';

/**
 * The offline data.binance.vision (docs/history.md): real ZIPs that lib/history's reader opens, checksums that
 * verify, the layout's columns, klines that aggregate the trades they list, 404s where the real archive has none,
 * and every scripted fault.
 */

const TODAY = '2025-01-03';
/** Generating a day of trades is quick alone but not on a loaded 2-core machine. */
const SLOW_MS = 30_000;
const SYMBOL = 'BTCUSDT';

let server: RunningArchiveServer;
let tmp: string;

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'archive-server-'));
  server = await startArchiveServer({
    today: TODAY,
    symbols: [SYMBOL, 'ETHUSDT'],
    listing: { [SYMBOL]: '2024-03-01' },
    seed: 7,
    instruments: { [SYMBOL]: { tradesPerMinute: 12 }, ETHUSDT: { tradesPerMinute: 6 } },
  });
});

afterAll(async () => {
  await server.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

const fileOf = (key: Omit<ArchiveFileKey, 'symbol'> & { symbol?: string }) => archiveFile({ symbol: SYMBOL, ...key });

const get = (urlPath: string, init?: RequestInit) => fetch(`${server.baseUrl}/${urlPath}`, init);

/** Downloads a file and its checksum into the temp folder, as the history command will. */
async function download(key: Omit<ArchiveFileKey, 'symbol'> & { symbol?: string }): Promise<string> {
  const file = fileOf(key);
  const zip = await get(file.urlPath);
  expect(zip.status).toBe(200);
  const checksum = await get(file.checksumPath);
  expect(checksum.status).toBe(200);
  const local = path.join(tmp, file.fileName);
  fs.writeFileSync(local, Buffer.from(await zip.arrayBuffer()));
  fs.writeFileSync(`${local}.CHECKSUM`, await checksum.text());
  return local;
}

/** The CSV's records (fields split), header first when there is one, read with lib/history's ZIP reader. */
async function records(local: string): Promise<string[][]> {
  const out: string[][] = [];
  for await (const line of archiveLines(local)) {
    expect(line.terminated).toBe(true);
    out.push(line.text.split(','));
  }
  return out;
}

async function verifiedRecords(key: Omit<ArchiveFileKey, 'symbol'> & { symbol?: string }): Promise<string[][]> {
  const local = await download(key);
  expect((await verifyChecksum(local)).verified).toBe(true);
  return records(local);
}

const column = (key: Pick<ArchiveFileKey, 'market' | 'dataset'>, name: string) =>
  archiveDataset(key.market, key.dataset)!.columns.indexOf(name);

describe('archive server: files', () => {
  it(
    'serves a real ZIP of one CSV named like the archive, with a sha256 CHECKSUM line',
    async () => {
      const file = fileOf({ market: 'futures/um', dataset: 'klines', interval: '1m', period: 'daily', date: '2024-12-30' });
      const local = await download(file);
      const checksum = fs.readFileSync(`${local}.CHECKSUM`, 'utf8');
      const sha256 = createHash('sha256').update(fs.readFileSync(local)).digest('hex');
      expect(checksum).toBe(`${sha256}  BTCUSDT-1m-2024-12-30.zip\n`);
      const yauzl = await import('yauzl');
      const names = await new Promise<string[]>((resolve, reject) => {
        yauzl.fromBuffer(fs.readFileSync(local), { lazyEntries: false }, (error, zip) => {
          if (error || !zip) return reject(error ?? new Error('yauzl gave no zip'));
          const entries: string[] = [];
          zip.on('entry', (entry: { fileName: string }) => entries.push(entry.fileName));
          zip.on('end', () => resolve(entries));
        });
      });
      expect(names).toEqual(['BTCUSDT-1m-2024-12-30.csv']);
    },
    SLOW_MS,
  );

  it(
    'USD-M klines carry the header and aggregate, minute by minute, the trades file of the same day',
    async () => {
      const day = { market: 'futures/um', period: 'daily', date: '2024-12-30' } as const;
      const klines = await verifiedRecords({ ...day, dataset: 'klines', interval: '1m' });
      const trades = await verifiedRecords({ ...day, dataset: 'trades' });
      expect(klines[0]).toEqual(archiveDataset('futures/um', 'klines')!.columns);
      expect(trades[0]).toEqual(archiveDataset('futures/um', 'trades')!.columns);
      expect(klines).toHaveLength(1 + 1440);
      const byMinute = new Map<number, string[][]>();
      for (const trade of trades.slice(1)) {
        const minute = Math.floor(Number(trade[4]) / 60_000) * 60_000;
        byMinute.set(minute, [...(byMinute.get(minute) ?? []), trade]);
      }
      const scaled = (text: string) => Math.round(Number(text) * 1e5);
      for (const kline of klines.slice(1)) {
        const openTime = Number(kline[0]);
        expect(Number(kline[6])).toBe(openTime + 59_999);
        const inMinute = byMinute.get(openTime) ?? [];
        expect(Number(kline[8])).toBe(inMinute.length);
        if (inMinute.length === 0) continue;
        const prices = inMinute.map((trade) => Number(trade[1]));
        expect(Number(kline[1])).toBe(prices[0]);
        expect(Number(kline[2])).toBe(Math.max(...prices));
        expect(Number(kline[3])).toBe(Math.min(...prices));
        expect(Number(kline[4])).toBe(prices.at(-1));
        expect(scaled(kline[5])).toBe(inMinute.reduce((sum, trade) => sum + scaled(trade[2]), 0));
        const takerBuys = inMinute.filter((trade) => trade[5] === 'false');
        expect(scaled(kline[9])).toBe(takerBuys.reduce((sum, trade) => sum + scaled(trade[2]), 0));
      }
      // Trade ids run on without a gap.
      const ids = trades.slice(1).map((trade) => Number(trade[0]));
      expect(ids.every((id, index) => index === 0 || id === ids[index - 1] + 1)).toBe(true);
    },
    SLOW_MS,
  );

  it(
    'spot files have no header, µs times from 2025-01-01 (ms before) and True/False',
    async () => {
      const before = await verifiedRecords({ market: 'spot', dataset: 'trades', period: 'daily', date: '2024-12-31' });
      const after = await verifiedRecords({ market: 'spot', dataset: 'trades', period: 'daily', date: '2025-01-01' });
      const columns = archiveDataset('spot', 'trades')!.columns;
      for (const rows of [before, after]) {
        expect(rows.every((row) => row.length === columns.length)).toBe(true);
        expect(new Set(rows.map((row) => row[columns.indexOf('is_best_match')]))).toEqual(new Set(['True']));
      }
      expect(Number(before[0][4])).toBeLessThan(1e14);
      expect(Number(after[0][4])).toBeGreaterThanOrEqual(Date.UTC(2025, 0, 1) * 1000);
      expect(before.at(-1)![0]).toBe(String(Number(after[0][0]) - 1));
      const klines = await verifiedRecords({
        market: 'spot',
        dataset: 'klines',
        interval: '1h',
        period: 'daily',
        date: '2025-01-01',
      });
      expect(klines).toHaveLength(24);
      expect(klines[0][0]).toBe(`${Date.UTC(2025, 0, 1)}000`);
      expect(klines[0][6]).toBe(`${Date.UTC(2025, 0, 1) + 3_599_999}999`);
      expect(klines[0][1]).toMatch(/^\d+\.\d{8}$/);
    },
    SLOW_MS,
  );

  it(
    'aggTrades aggregate the same trades: quantities add up and trade-id ranges tile the day',
    async () => {
      const day = { market: 'futures/um', period: 'daily', date: '2024-12-29' } as const;
      const trades = (await verifiedRecords({ ...day, dataset: 'trades' })).slice(1);
      const aggregates = await verifiedRecords({ ...day, dataset: 'aggTrades' });
      expect(aggregates[0]).toEqual(archiveDataset('futures/um', 'aggTrades')!.columns);
      let nextId = Number(trades[0][0]);
      let qty = 0;
      for (const aggregate of aggregates.slice(1)) {
        expect(Number(aggregate[3])).toBe(nextId);
        expect(aggregate[0]).toBe(aggregate[3]);
        nextId = Number(aggregate[4]) + 1;
        qty += Math.round(Number(aggregate[2]) * 1e5);
      }
      expect(nextId).toBe(Number(trades.at(-1)![0]) + 1);
      expect(qty).toBe(trades.reduce((sum, trade) => sum + Math.round(Number(trade[2]) * 1e5), 0));
    },
    SLOW_MS,
  );

  it(
    'fundingRate: monthly, one row per 8 hours, a few ms after the hour',
    async () => {
      const rows = await verifiedRecords({ market: 'futures/um', dataset: 'fundingRate', period: 'monthly', date: '2024-12' });
      expect(rows[0]).toEqual(['calc_time', 'funding_interval_hours', 'last_funding_rate']);
      expect(rows).toHaveLength(1 + 31 * 3);
      rows.slice(1).forEach((row, index) => {
        expect(Number(row[0]) - (Date.UTC(2024, 11, 1) + index * 8 * 3_600_000)).toBeLessThan(10);
        expect(row[1]).toBe('8');
        expect(Math.abs(Number(row[2]))).toBeLessThan(0.01);
      });
    },
    SLOW_MS,
  );

  it(
    'metrics: 288 five-minute rows with text times, open interest and the taker ratio of the trades',
    async () => {
      const key = { market: 'futures/um', dataset: 'metrics', period: 'daily', date: '2024-12-29' } as const;
      const rows = await verifiedRecords(key);
      expect(rows[0]).toEqual(archiveDataset('futures/um', 'metrics')!.columns);
      expect(rows).toHaveLength(1 + 288);
      expect(rows[1][0]).toBe('2024-12-29 00:00:00');
      expect(rows[2][0]).toBe('2024-12-29 00:05:00');
      expect(rows.slice(1).every((row) => row[1] === SYMBOL && Number(row[2]) > 0 && Number(row[3]) > Number(row[2]))).toBe(true);
      // The taker ratio at 00:10 is buy over sell volume of 00:05–00:10, from the trades file.
      const trades = (await verifiedRecords({ ...key, dataset: 'trades' })).slice(1);
      const window = trades.filter(
        (trade) => Number(trade[4]) >= Date.UTC(2024, 11, 29, 0, 5) && Number(trade[4]) < Date.UTC(2024, 11, 29, 0, 10),
      );
      const volume = (buyerMaker: string) =>
        window.filter((trade) => trade[5] === buyerMaker).reduce((sum, trade) => sum + Number(trade[2]), 0);
      expect(Number(rows[3][column(key, 'sum_taker_long_short_vol_ratio')])).toBeCloseTo(volume('false') / volume('true'), 6);
    },
    SLOW_MS,
  );

  it(
    'bookDepth: ±1…5 % bands every 30 s, depth growing with the band, notional ≈ depth × price',
    async () => {
      const rows = await verifiedRecords({ market: 'futures/um', dataset: 'bookDepth', period: 'daily', date: '2024-12-29' });
      expect(rows[0]).toEqual(['timestamp', 'percentage', 'depth', 'notional']);
      expect(rows).toHaveLength(1 + 2880 * 10);
      const first = rows.slice(1, 11);
      expect(first.map((row) => row[1])).toEqual(['-5', '-4', '-3', '-2', '-1', '1', '2', '3', '4', '5']);
      expect(new Set(first.map((row) => row[0]))).toEqual(new Set(['2024-12-29 00:00:00']));
      expect(rows[11][0]).toBe('2024-12-29 00:00:30');
      const depth = first.map((row) => Number(row[2]));
      expect(depth.slice(0, 5)).toEqual([...depth.slice(0, 5)].sort((left, right) => right - left));
      expect(depth.slice(5)).toEqual([...depth.slice(5)].sort((left, right) => left - right));
      const prices = first.map((row) => Number(row[3]) / Number(row[2]));
      expect(Math.max(...prices) / Math.min(...prices)).toBeLessThan(1.1);
    },
    SLOW_MS,
  );

  it(
    'bookTicker: best bid below best ask, event time after transaction time, until its last publication',
    async () => {
      const rows = await verifiedRecords({ market: 'futures/um', dataset: 'bookTicker', period: 'daily', date: '2024-03-29' });
      expect(rows[0]).toEqual(archiveDataset('futures/um', 'bookTicker')!.columns);
      expect(rows.length).toBeGreaterThan(1000);
      for (const row of rows.slice(1, 500)) {
        expect(Number(row[1])).toBeLessThan(Number(row[3]));
        expect(Number(row[6])).toBeGreaterThan(Number(row[5]));
      }
      const after = fileOf({ market: 'futures/um', dataset: 'bookTicker', period: 'daily', date: '2024-03-31' });
      expect((await get(after.urlPath)).status).toBe(404);
    },
    SLOW_MS,
  );

  it(
    'answers 404 where the real archive has no file',
    async () => {
      const missing = [
        fileOf({ market: 'spot', dataset: 'trades', period: 'daily', date: '2024-02-29' }).urlPath, // before the listing
        fileOf({ market: 'spot', dataset: 'trades', period: 'monthly', date: '2024-02' }).urlPath,
        fileOf({ market: 'spot', dataset: 'trades', period: 'daily', date: TODAY }).urlPath, // published tomorrow
        fileOf({ market: 'spot', dataset: 'trades', period: 'monthly', date: '2025-01' }).checksumPath, // month not over
        // A symbol the archive does not hold, and an interval the model does not make.
        fileOf({ market: 'spot', dataset: 'trades', period: 'daily', date: '2024-12-01', symbol: 'XRPUSDT' }).urlPath,
        fileOf({ market: 'spot', dataset: 'klines', interval: '1w', period: 'monthly', date: '2024-11' }).urlPath,
        'data/spot/daily/fundingRate/BTCUSDT/BTCUSDT-fundingRate-2024-12-01.zip',
        'favicon.ico',
      ];
      for (const urlPath of missing) expect([urlPath, (await get(urlPath)).status]).toEqual([urlPath, 404]);
      // The listing month's monthly file exists and starts on the listing day.
      const march = await verifiedRecords({
        market: 'futures/um',
        dataset: 'klines',
        interval: '1d',
        period: 'monthly',
        date: '2024-03',
      });
      expect(march).toHaveLength(1 + 31);
    },
    SLOW_MS,
  );

  it(
    'is deterministic: the same seed serves the same bytes',
    async () => {
      const again = await startArchiveServer({
        today: TODAY,
        symbols: [SYMBOL],
        listing: { [SYMBOL]: '2024-03-01' },
        seed: 7,
        instruments: { [SYMBOL]: { tradesPerMinute: 12 } },
      });
      try {
        const file = fileOf({ market: 'futures/um', dataset: 'metrics', period: 'daily', date: '2024-12-28' });
        const [first, second] = await Promise.all([get(file.checksumPath), fetch(`${again.baseUrl}/${file.checksumPath}`)]);
        expect(await first.text()).toBe(await second.text());
      } finally {
        await again.stop();
      }
    },
    SLOW_MS,
  );
});

describe('archive server: faults and the request log', () => {
  const day = (date: string) => fileOf({ market: 'spot', dataset: 'klines', interval: '1h', period: 'daily', date });

  it('missing: 404 for a day the archive lacks, for as many requests as planned', async () => {
    const file = day('2024-06-01');
    server.setFaults({ [file.urlPath]: [{ kind: 'missing', times: 1 }] });
    expect((await get(file.urlPath)).status).toBe(404);
    expect((await get(file.urlPath)).status).toBe(200);
    expect(server.requestsFor(file.urlPath).map((entry) => [entry.attempt, entry.status, entry.fault])).toEqual([
      [1, 404, 'missing'],
      [2, 200, undefined],
    ]);
  });

  it('badChecksum: the ZIP is intact, its CHECKSUM names another hash, and verification fails', async () => {
    const file = day('2024-06-02');
    server.setFaults({ [file.urlPath]: [{ kind: 'badChecksum' }] });
    const local = await download(file);
    await expect(verifyChecksum(local)).rejects.toThrow('checksum mismatch');
    expect(await records(local)).toHaveLength(24);
  });

  it('truncate: a shorter body with a matching length, caught by the checksum and the ZIP reader', async () => {
    const file = day('2024-06-03');
    server.setFaults({ [file.urlPath]: [{ kind: 'truncate', times: 1 }] });
    const whole = server.fileBytes(file.urlPath)!.zip;
    const local = await download(file);
    expect(fs.statSync(local).size).toBe(Math.floor(whole.length / 2));
    await expect(verifyChecksum(local)).rejects.toThrow('checksum mismatch');
    await expect(records(local)).rejects.toThrow();
    const retried = Buffer.from(await (await get(file.urlPath)).arrayBuffer());
    expect(retried.equals(whole)).toBe(true);
  });

  it('429 with Retry-After, then 503, for the first requests of a path; then the file', async () => {
    const file = day('2024-06-04');
    server.setFaults({
      [file.urlPath]: [
        { kind: 'status', status: 429, retryAfterS: 7, times: 2 },
        { kind: 'status', status: 503, times: 3 },
      ],
    });
    const first = await get(file.urlPath);
    expect([first.status, first.headers.get('retry-after')]).toEqual([429, '7']);
    expect((await get(file.urlPath)).status).toBe(429);
    const third = await get(file.urlPath);
    expect([third.status, third.headers.get('retry-after')]).toEqual([503, null]);
    expect((await get(file.urlPath)).status).toBe(200);
    expect(server.requestsFor(`/${file.urlPath}`).map((entry) => entry.status)).toEqual([429, 429, 503, 200]);
  });

  it('reset: the connection drops mid-body once, and the next request gets the whole file', async () => {
    const file = day('2024-06-05');
    server.setFaults({ [file.urlPath]: [{ kind: 'reset', keepBytes: 100, times: 1 }] });
    await expect(get(file.urlPath).then((response) => response.arrayBuffer())).rejects.toThrow();
    const retried = await get(file.urlPath);
    expect(Buffer.from(await retried.arrayBuffer()).equals(server.fileBytes(file.urlPath)!.zip)).toBe(true);
    expect(server.requestsFor(file.urlPath).map((entry) => [entry.status, entry.bytes, entry.fault])).toEqual([
      [200, 100, 'reset'],
      [200, server.fileBytes(file.urlPath)!.zip.length, undefined],
    ]);
  });

  it('logs every request, so a test can assert that a re-run fetched nothing new', async () => {
    server.setFaults({});
    const file = day('2024-06-06');
    const before = server.stats();
    const head = await get(file.urlPath, { method: 'HEAD' });
    expect([head.status, Number(head.headers.get('content-length'))]).toEqual([200, server.fileBytes(file.urlPath)!.zip.length]);
    await (await get(file.checksumPath)).text();
    const after = server.stats();
    expect(after.requests - before.requests).toBe(2);
    expect((after.byStatus[200] ?? 0) - (before.byStatus[200] ?? 0)).toBe(2);
    expect(server.log.at(-1)).toMatchObject({ method: 'GET', path: file.checksumPath, status: 200, attempt: 1 });
    expect(server.stats()).toEqual(after);
  });
});
