import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runHistory } from '../../lib/app/history';
import { parseArchiveDataset } from '../../lib/exchanges/binance/archive-layout';
import { readTable } from '../../lib/parquet/read';
import { putTable } from '../../lib/parquet/write';
import { dataset } from '../../lib/schema/registry';
import { reportMarkdown } from '../../lib/silver/quality-report';
import { runSilver } from '../../lib/silver/silver-job';
import { startArchiveServer, type RunningArchiveServer } from '../../lib/simulator';
import { LocalObjectStore } from '../../lib/storage/local-store';
import { listAll } from '../../lib/storage/object-store';
import { Table } from '../../lib/table/table';

/**
 * Parity of the 1m klines with the day's trades in Silver's quality report (docs/silver.md, "Parity with the
 * exchange's bars"): two days of klines and trades imported from the offline archive, whose klines are made from
 * the same trades. The first day agrees minute for minute; on the second, three archive klines are tampered with
 * in Bronze: they are counted, sampled, and the verdict is INVESTIGATE.
 */

const NOW = Date.UTC(2025, 0, 6, 12);
const MIN = 60_000;
const TAMPERED = [Date.UTC(2024, 11, 16, 3, 0), Date.UTC(2024, 11, 16, 9, 30), Date.UTC(2024, 11, 16, 21, 59)];

let server: RunningArchiveServer;
let root: string;
let store: LocalObjectStore;

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'trade-parity-'));
  server = await startArchiveServer({
    today: '2025-01-06',
    symbols: ['BTCUSDT'],
    seed: 5,
    instruments: { BTCUSDT: { tradesPerMinute: 3 } },
  });
  const lake = path.join(root, 'lake');
  store = new LocalObjectStore(lake);
  const summary = await runHistory({
    store,
    exchange: 'binance',
    symbols: ['BTCUSDT'],
    datasets: ['klines:1m', 'trades'].map(parseArchiveDataset),
    from: '2024-12-15',
    to: '2024-12-16',
    baseUrl: server.baseUrl,
    tmpDir: path.join(lake, '_history', 'tmp'),
    now: () => NOW,
    sleep: () => Promise.resolve(),
  });
  expect(summary.failed).toEqual([]);
  // Tamper with three of the second day's archive klines: a close, a volume, a trade count.
  const spec = dataset('bronze', 'klines');
  const [object] = await listAll(store, 'bronze/klines/timeframe=1m/exchange=binance/symbol=BTCUSDT/dt=2024-12-16/');
  const table = await readTable(store, spec, object.key);
  const rows = table.rows().map((row) => {
    const at = TAMPERED.indexOf(row.open_time as number);
    if (at === 0)
      return { ...row, close: (row.close as number) * 1.001, high: Math.max(row.high as number, (row.close as number) * 1.001) };
    if (at === 1) return { ...row, volume: (row.volume as number) + 0.5 };
    if (at === 2) return { ...row, trade_count: (row.trade_count as number) + 1 };
    return row;
  });
  await putTable(store, object.key, Table.fromRows(spec, rows));
}, 240_000);

afterAll(async () => {
  await server?.stop();
  fs.rmSync(root, { recursive: true, force: true });
});

it('a day whose klines and trades agree: every minute compared, none disagreeing', async () => {
  const [result] = await runSilver({ store, dt: '2024-12-15', exchange: 'binance', now: () => NOW });
  const { report } = result;
  expect(report.tradeParity).toEqual({ compared: 1440, disagreeing: 0, byField: {}, tradeMinutesWithoutKline: 0, samples: [] });
  expect(report.reasons.join('; ')).not.toMatch(/trades/);
  const markdown = reportMarkdown(report);
  expect(markdown).toContain("## Parity with the day's trades");
  expect(markdown).toContain('| 1440 | 0 | — | 0 |');
  const json = JSON.parse(
    Buffer.from((await store.tryGet('reports/quality/dt=2024-12-15/binance_BTCUSDT.json')) ?? '').toString('utf8'),
  );
  expect(json.tradeParity.compared).toBe(1440);
}, 120_000);

it('tampered klines disagree: counted per field, sampled, and the verdict is INVESTIGATE', async () => {
  const [result] = await runSilver({ store, dt: '2024-12-16', exchange: 'binance', now: () => NOW });
  const { report } = result;
  expect(report.tradeParity).toMatchObject({
    compared: 1440,
    disagreeing: 3,
    byField: { high: 1, close: 1, volume: 1, trade_count: 1 },
    tradeMinutesWithoutKline: 0,
  });
  expect(report.tradeParity?.samples.map((sample) => [sample.open_time, sample.field, sample.source])).toEqual([
    // The raised close lifts the high with it: one minute, two fields.
    [TAMPERED[0], 'high', 'archive'],
    [TAMPERED[0], 'close', 'archive'],
    [TAMPERED[1], 'volume', 'archive'],
    [TAMPERED[2], 'trade_count', 'archive'],
  ]);
  const closeSample = report.tradeParity?.samples[1] ?? { kline: 0, trades: 1 };
  expect(closeSample.kline / closeSample.trades).toBeCloseTo(1.001, 9);
  expect(report.verdict).toBe('INVESTIGATE');
  expect(report.reasons).toContainEqual(
    expect.stringMatching(/^3 of 1440 1m bars disagree with the day's trades \(first 03:00: high /),
  );
  expect(reportMarkdown(report)).toContain('| 1440 | 3 | high 1, close 1, volume 1, trade_count 1 | 0 |');
  expect(TAMPERED.every((t) => (t - Date.UTC(2024, 11, 16)) % MIN === 0)).toBe(true);
}, 120_000);
