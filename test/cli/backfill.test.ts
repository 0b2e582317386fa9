import { createHash } from 'node:crypto';
import path from 'node:path';
import { runHistory } from '../../lib/app/history';
import { BronzeBuffers } from '../../lib/bronze/bronze-buffers';
import { writeBronze } from '../../lib/bronze/bronze-writer';
import { parseArchiveDataset } from '../../lib/exchanges/binance/archive-layout';
import { backfillKlines } from '../../lib/history/rest-backfill';
import { readTable, readTables } from '../../lib/parquet/read';
import { putTable } from '../../lib/parquet/write';
import { dataset } from '../../lib/schema/registry';
import {
  generateTradeRows,
  startArchiveServer,
  startSimulator,
  type RunningArchiveServer,
  type RunningSimulator,
} from '../../lib/simulator';
import { LocalObjectStore } from '../../lib/storage/local-store';
import { listAll, type ObjectStore } from '../../lib/storage/object-store';
import { Table } from '../../lib/table/table';
import { lakehouseInProcess } from '../helpers/cli';
import { tmpDir } from '../helpers/sample-rows';

/**
 * `lakehouse backfill` (docs/silver.md, "Self-heal"; README CLI table) against the simulator's REST API: three days
 * of WebSocket Bronze 1m klines with holes (a whole hour, a run across midnight, a lone minute, a minute with only
 * an in-progress update and no ledgered gap): the command fetches exactly the holes, day by day, writes them as new
 * REST files beside the untouched WebSocket files, and a second run fetches nothing. Kraken is refused in one line.
 */

const MIN = 60_000;
const at = (text: string) => Date.parse(`${text}Z`);
const KLINES = dataset('bronze', 'klines');
const PREFIX = 'bronze/klines/timeframe=1m/exchange=binance/symbol=BTCUSDT/';
const FROM = '2024-05-05';
const TO = '2024-05-08';

function minutes(from: string, to: string): number[] {
  const out: number[] = [];
  for (let t = at(from); t < at(to); t += MIN) out.push(t);
  return out;
}

/** Rewrites REST-fetched Bronze as the collector would have filed it: closed WebSocket bars, `-ws-` file names. */
async function asWebSocket(store: ObjectStore, drop: ReadonlySet<number>, inProgress: ReadonlySet<number>): Promise<void> {
  for (const { key } of await listAll(store, PREFIX)) {
    const table = await readTable(store, KLINES, key);
    const rows = table
      .rows()
      .filter((row) => !drop.has(row.open_time as number))
      .map((row) => ({ ...row, source: 'ws', is_closed: !inProgress.has(row.open_time as number) }));
    await store.delete(key);
    if (rows.length > 0) await putTable(store, key.replace('-rest-', '-ws-'), Table.fromRows(KLINES, rows));
  }
}

async function listing(store: ObjectStore, prefix = PREFIX): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const { key } of await listAll(store, prefix)) {
    const bytes = await store.tryGet(key);
    out.set(
      key,
      createHash('sha256')
        .update(bytes ?? new Uint8Array())
        .digest('hex'),
    );
  }
  return out;
}

describe('lakehouse backfill against the simulator', () => {
  const lake = path.join(tmpDir('cli-backfill'), 'lake');
  const store = new LocalObjectStore(lake);
  let sim: RunningSimulator;
  const hole = [
    ...minutes('2024-05-05T10:00', '2024-05-05T11:00'),
    ...minutes('2024-05-06T23:55', '2024-05-07T00:05'),
    at('2024-05-07T13:37'),
  ];
  // Only an in-progress update and no ledgered gap: left as it is (Silver flags it INCOMPLETE), as the self-heal does.
  const inProgress = at('2024-05-06T08:08');
  const args = ['backfill', '--exchange', 'binance', '--symbol', 'BTCUSDT', '--from', FROM, '--to', TO, '--lake', lake];
  let before: Map<string, string>;

  beforeAll(async () => {
    sim = await startSimulator({ symbols: ['BTCUSDT'], seed: 7, start: at('2024-05-08T00:30'), speed: 'max', historyDays: 4 });
    args.push('--rest-endpoint', sim.restBaseUrl);
    const fetched = await backfillKlines({
      store,
      exchange: 'binance',
      symbol: 'BTCUSDT',
      from: at(`${FROM}T00:00`),
      to: at(`${TO}T00:00`),
      restBase: sim.restBaseUrl,
    });
    expect(fetched.rows).toBe(3 * 1440);
    await asWebSocket(store, new Set(hole), new Set([inProgress]));
    before = await listing(store);
  }, 120_000);
  afterAll(async () => {
    await sim?.stop();
  });

  it('fetches exactly the hole, as new REST files, and leaves the WebSocket files as they were', async () => {
    const r = await lakehouseInProcess(args);
    expect({ code: r.code, stderr: r.stderr }).toEqual({
      code: 0,
      stderr: expect.stringMatching(/backfill binance BTCUSDT 2024-05-07 \(day 3\/3\)/),
    });
    const summary = JSON.parse(r.stdout);
    expect(summary).toMatchObject({
      exchange: 'binance',
      symbol: 'BTCUSDT',
      from: '2024-05-05T00:00:00.000Z',
      to: '2024-05-08T00:00:00.000Z',
      days: 3,
      minutesFetched: hole.length,
      rowsWritten: hole.length,
      tradeIdsFetched: 0,
      notFetched: { minutes: 0, ranges: [], tradeIds: 0 },
      errors: [],
    });
    const after = await listing(store);
    for (const [key, hash] of before) expect({ key, hash: after.get(key) }).toEqual({ key, hash });
    const added = [...after.keys()].filter((key) => !before.has(key));
    expect(added.length).toBeGreaterThan(0);
    expect(added.every((key) => /-rest-[0-9a-f]{16}\.parquet$/.test(key))).toBe(true);
    const rows = await readTables(store, KLINES, added);
    expect(Array.from(rows.num('open_time')).sort((a, b) => a - b)).toEqual(hole);
    expect(new Set(rows.str('source'))).toEqual(new Set(['rest']));
    expect(rows.bool('is_closed').every(Boolean)).toBe(true);
  }, 120_000);

  it('a second run over the same range fetches nothing', async () => {
    const files = await listing(store);
    const r = await lakehouseInProcess(args);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ minutesFetched: 0, rowsWritten: 0, calls: 0, files: 0, errors: [] });
    expect(await listing(store)).toEqual(files);
  }, 120_000);

  it('refuses an exchange without REST klines in one line naming what can be backfilled (exit 2)', async () => {
    const r = await lakehouseInProcess([
      'backfill',
      '--exchange',
      'kraken',
      '--symbol',
      'XBTUSD',
      '--from',
      FROM,
      '--to',
      TO,
      '--lake',
      lake,
    ]);
    expect({ code: r.code, stdout: r.stdout, lines: r.stderr.split('\n').filter(Boolean).length }).toEqual({
      code: 2,
      stdout: '',
      lines: 1,
    });
    expect(r.stderr).toMatch(
      /^lakehouse: kraken cannot be backfilled \(Kraken's REST OHLC .*\); backfill serves binance, binanceus, binance-futures\n$/,
    );
  });
});

/**
 * Spot trades by id: WebSocket trades 23:00-00:20 lose two runs of ids without any ledgered gap, one inside an hour
 * and one across midnight (bounded by the last id of the day before). Backfill fetches exactly those ids.
 */
describe('lakehouse backfill of trade ids missing between known ids', () => {
  const lake = path.join(tmpDir('cli-backfill-trades'), 'lake');
  const store = new LocalObjectStore(lake);
  const TRADES = dataset('bronze', 'trades');
  let sim: RunningSimulator;
  let lost: number[] = [];
  let all: number[] = [];
  const lostAt = (time: number) =>
    (time >= at('2024-05-07T23:30') && time < at('2024-05-07T23:31')) ||
    (time >= at('2024-05-07T23:59:30') && time < at('2024-05-08T00:00:30'));
  const args = [
    'backfill',
    '--exchange',
    'binance',
    '--symbol',
    'BTCUSDT',
    '--from',
    '2024-05-07T23:00Z',
    '--to',
    '2024-05-08T00:20Z',
  ];

  beforeAll(async () => {
    sim = await startSimulator({ symbols: ['BTCUSDT'], seed: 8, start: at('2024-05-08T00:30'), speed: 'max', historyDays: 1 });
    args.push('--rest-endpoint', sim.restBaseUrl, '--lake', lake);
    const generated = generateTradeRows('BTCUSDT', at('2024-05-07T23:00'), at('2024-05-08T00:20'), {
      model: sim.model,
      ingestLagMs: 40,
    });
    const ids = generated.num('trade_id');
    const times = generated.num('event_time');
    const buffers = new BronzeBuffers('binance');
    for (let i = 0; i < generated.length; i++) {
      all.push(ids[i]);
      if (lostAt(times[i])) lost.push(ids[i]);
      else buffers.add({ dataset: 'trades', symbol: 'BTCUSDT', stream: 'btcusdt@trade', row: generated.row(i) });
    }
    await writeBronze(store, buffers.drain(), () => 'ws');
    all = all.sort((a, b) => a - b);
    lost = lost.sort((a, b) => a - b);
  }, 120_000);
  afterAll(async () => {
    await sim?.stop();
  });

  it('fetches exactly the lost ids, across midnight too, and nothing on a second run', async () => {
    expect(lost.length).toBeGreaterThan(0);
    const before = (await listAll(store, 'bronze/trades/')).map((object) => object.key);
    const r = await lakehouseInProcess(args);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      days: 2,
      tradeIdsFetched: lost.length,
      notFetched: { tradeIds: 0 },
      errors: [],
    });
    const keys = (await listAll(store, 'bronze/trades/')).map((object) => object.key);
    expect(keys).toEqual(expect.arrayContaining(before));
    const added = keys.filter((key) => !before.includes(key));
    const fetched = await readTables(store, TRADES, added);
    expect(Array.from(fetched.num('trade_id')).sort((a, b) => a - b)).toEqual(lost);
    expect(new Set(fetched.str('source'))).toEqual(new Set(['rest']));
    const held = await readTables(store, TRADES, keys);
    expect([...new Set(held.num('trade_id'))].sort((a, b) => a - b)).toEqual(all);

    const again = await lakehouseInProcess(args);
    expect(JSON.parse(again.stdout)).toMatchObject({ minutesFetched: 0, tradeIdsFetched: 0, calls: 0, errors: [] });
  }, 120_000);
});

/**
 * USD-M klines (binance-futures): `lakehouse history` loaded the archive's daily files up to yesterday; `backfill`
 * fetches today's minutes from `/fapi/v1/klines` and none of the archive's, whose days it finds in their hour=00
 * objects. The archive server and the futures simulator share the market model (seed, anchor), so both sources
 * serve the same bars.
 */
describe('lakehouse backfill of USD-M klines after an archive load', () => {
  const lake = path.join(tmpDir('cli-backfill-futures'), 'lake');
  const store = new LocalObjectStore(lake);
  const START = at('2024-03-04T06:00');
  const PREFIX_FUTURES = 'bronze/klines/timeframe=1m/exchange=binance-futures/symbol=BTCUSDT/';
  let sim: RunningSimulator;
  let archive: RunningArchiveServer;
  let args: string[];

  beforeAll(async () => {
    sim = await startSimulator({ protocol: 'binance-futures', symbols: ['BTCUSDT'], seed: 9, start: START, speed: 'max' });
    archive = await startArchiveServer({ today: '2024-03-04', symbols: ['BTCUSDT'], seed: 9, anchorMs: START });
    const loaded = await runHistory({
      store,
      exchange: 'binance-futures',
      symbols: ['BTCUSDT'],
      datasets: [parseArchiveDataset('klines:1m')],
      from: '2024-03-02',
      to: '2024-03-03',
      baseUrl: archive.baseUrl,
      tmpDir: path.join(lake, '_history', 'tmp'),
      now: () => START,
    });
    expect([loaded.files.imported, loaded.rows]).toEqual([2, 2 * 1440]);
    args = [
      'backfill',
      '--exchange',
      'binance-futures',
      '--symbol',
      'BTCUSDT',
      '--from',
      '2024-03-02',
      '--to',
      '2024-03-04T06:00Z',
    ];
    args.push('--rest-endpoint', sim.restBaseUrl, '--lake', lake);
  }, 120_000);
  afterAll(async () => {
    await sim?.stop();
    await archive?.stop();
  });

  it("fetches the minutes after the archive's last day, and none of the archive's days", async () => {
    const before = await listAll(store, PREFIX_FUTURES);
    const r = await lakehouseInProcess(args);
    expect([r.code, r.stderr]).toEqual([0, expect.stringMatching(/backfill binance-futures BTCUSDT 2024-03-04 \(day 3\/3\)/)]);
    expect(JSON.parse(r.stdout)).toMatchObject({
      exchange: 'binance-futures',
      symbol: 'BTCUSDT',
      days: 3,
      minutesFetched: 360,
      rowsWritten: 360,
      tradeIdsFetched: 0,
      notFetched: { minutes: 0, ranges: [], tradeIds: 0 },
      errors: [],
    });
    const added = (await listAll(store, PREFIX_FUTURES)).filter((object) => !before.some((old) => old.key === object.key));
    expect(added.every((object) => /\/dt=2024-03-04\/hour=0[0-5]\/part-.*-rest-[0-9a-f]{16}\.parquet$/.test(object.key))).toBe(
      true,
    );
    const rows = await readTables(
      store,
      KLINES,
      added.map((object) => object.key),
    );
    expect(Array.from(rows.num('open_time')).sort((a, b) => a - b)).toEqual(minutes('2024-03-04T00:00', '2024-03-04T06:00'));
    expect(new Set(rows.str('source'))).toEqual(new Set(['rest']));

    // A minute both serve: the archive's bar (Bronze) and /fapi/v1/klines agree, so Silver sees one series.
    const lastArchived = at('2024-03-03T23:59');
    const archived = (
      await readTables(
        store,
        KLINES,
        before.map((object) => object.key),
      )
    ).rows();
    const fromArchive = archived.find((row) => row.open_time === lastArchived)!;
    const answer = await fetch(`${sim.restBaseUrl}/fapi/v1/klines?symbol=BTCUSDT&interval=1m&startTime=${lastArchived}&limit=1`);
    const [rest] = (await answer.json()) as string[][];
    expect([rest[0], rest[1], rest[2], rest[3], rest[4], rest[5]].map(Number)).toEqual(
      ['open_time', 'open', 'high', 'low', 'close', 'volume'].map((column) => fromArchive[column]),
    );
  }, 120_000);

  it('a second run fetches nothing', async () => {
    const files = await listing(store, PREFIX_FUTURES);
    const r = await lakehouseInProcess(args);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ minutesFetched: 0, rowsWritten: 0, calls: 0, files: 0, errors: [] });
    expect(await listing(store, PREFIX_FUTURES)).toEqual(files);
  }, 120_000);
});
