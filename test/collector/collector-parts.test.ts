import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import type { NormalizedRecord } from '../../lib/exchanges/types';
import { BronzeBuffers } from '../../lib/bronze/bronze-buffers';
import { EventClock, WallClock } from '../../lib/collector/clock';
import { FlushSchedule } from '../../lib/collector/flush-schedule';
import { GapLedger } from '../../lib/collector/gap-ledger';
import { ManagedConnection, type SubscribedStream } from '../../lib/collector/managed-connection';
import { RecordFanOut } from '../../lib/collector/record-fan-out';
import { RestartStateFile } from '../../lib/collector/restart-state';
import { SilenceWatchdog } from '../../lib/collector/silence-watchdog';
import { CollectorStats } from '../../lib/collector/stats';
import { StreamTracker } from '../../lib/collector/stream-tracker';
import { TradeIdSequence } from '../../lib/collector/trade-id-sequence';
import { tmpDir } from '../helpers/sample-rows';

/** The collector's parts on their own, on clocks the test sets: no socket, no timer. */

const T0 = Date.UTC(2024, 4, 1, 10, 0);
const MIN = 60_000;
const silent = pino({ level: 'silent' });

const trade = (symbol: string, id: number, eventMs: number): NormalizedRecord => ({
  dataset: 'trades',
  symbol,
  stream: `${symbol.toLowerCase()}@trade`,
  row: { event_time: eventMs, trade_id: id, price: 1, qty: 1, is_buyer_maker: false, ingest_time: eventMs, source: 'ws' },
});

/** A connection that is never started: identity and subscribed streams only. */
const connection = (streams: SubscribedStream[]) =>
  new ManagedConnection({
    spec: { url: 'ws://127.0.0.1:1/unused', streams },
    clock: new WallClock(),
    log: silent,
    onMessage: () => undefined,
    onDrop: () => undefined,
  });

describe('collector clocks', () => {
  it('an event clock answers with its fallback until the first event, then with the latest event time', () => {
    let simNow = T0 + 5000;
    const clock = new EventClock({ now: () => simNow });
    expect(clock.eventDriven).toBe(true);
    expect(clock.now()).toBe(T0 + 5000);
    clock.observe(T0 + 1000);
    clock.observe(T0 + 900); // late events do not move it back
    clock.observe(NaN);
    simNow += 60_000;
    expect(clock.now()).toBe(T0 + 1000);
  }, 5_000);

  it('a wall clock reads its source and ignores events', () => {
    const clock = new WallClock(() => T0);
    clock.observe(T0 + 99_999);
    expect([clock.now(), clock.eventDriven]).toEqual([T0, false]);
  }, 5_000);
});

describe('flush schedule', () => {
  it('is due when an event opens a later period, never for the first event, a late one or one on the boundary', () => {
    const schedule = new FlushSchedule(5 * MIN);
    expect(schedule.due(T0 + 4 * MIN)).toBe(false);
    expect(schedule.due(T0 + 4.9 * MIN)).toBe(false);
    // A boundary's own millisecond closes its period (bars close on it); the next one opens the new period.
    expect(schedule.due(T0 + 5 * MIN)).toBe(false);
    expect(schedule.due(NaN)).toBe(false);
    expect(schedule.due(T0 + 5 * MIN + 1)).toBe(true);
    expect(schedule.due(T0 + 4 * MIN)).toBe(false);
    expect(schedule.due(T0 + 9 * MIN)).toBe(false);
    expect(schedule.due(T0 + 31 * MIN)).toBe(true);
  }, 5_000);
});

describe('trade-id sequence', () => {
  it('reports a jump forward from the last trade seen, not reordered or repeated ids, per symbol', () => {
    const ids = new TradeIdSequence();
    expect(ids.check(trade('BTCUSDT', 10, T0))).toBeUndefined();
    expect(ids.check(trade('BTCUSDT', 11, T0 + 1))).toBeUndefined();
    expect(ids.check(trade('ETHUSDT', 500, T0 + 2))).toBeUndefined();
    expect(ids.check(trade('BTCUSDT', 11, T0 + 3))).toBeUndefined();
    expect(ids.check(trade('BTCUSDT', 9, T0 + 4))).toBeUndefined();
    expect(ids.check(trade('BTCUSDT', 15, T0 + 5))).toEqual({ start: T0 + 1, end: T0 + 5 });
    expect(ids.check(trade('BTCUSDT', 16, T0 + 6))).toBeUndefined();
  }, 5_000);
});

describe('gap ledger', () => {
  it('keeps the first cause of an open interruption, ends it at the next event, and writes the rest open on stop', () => {
    let now = T0 + 10 * MIN;
    const rows: NormalizedRecord[] = [];
    const ledger = new GapLedger({ clock: { now: () => now }, record: (row) => rows.push(row) });
    ledger.open('btcusdt@trade', 'BTCUSDT', T0, 'reconnect');
    ledger.open('btcusdt@trade', 'BTCUSDT', T0 + MIN, 'silent_stream');
    ledger.open('ethusdt@trade', 'ETHUSDT', T0 + 2 * MIN, 'restart');
    ledger.resumed('btcusdt@trade', 'BTCUSDT', T0 + 3 * MIN);
    ledger.resumed('btcusdt@trade', 'BTCUSDT', T0 + 4 * MIN);
    now += MIN;
    ledger.closeOpen();
    ledger.closeOpen();
    expect(rows.map((row) => [row.stream, row.row.start_time, row.row.end_time, row.row.cause, row.row.detected_at])).toEqual([
      ['btcusdt@trade', T0, T0 + 3 * MIN, 'reconnect', T0 + 10 * MIN],
      ['ethusdt@trade', T0 + 2 * MIN, null, 'restart', T0 + 11 * MIN],
    ]);
    expect(rows[0]).toMatchObject({ dataset: 'gaps', symbol: 'BTCUSDT', row: { base: 'BTC', quote: 'USDT', source: 'ws' } });
  }, 5_000);
});

describe('silence watchdog', () => {
  it('flags a stream with a cadence silent past its threshold, again after two thresholds, and watches never-seen streams', () => {
    const funding: SubscribedStream = { name: 'btcusdt@markPrice@1s', symbol: 'BTCUSDT', dataset: 'funding' };
    const trades: SubscribedStream = { name: 'btcusdt@trade', symbol: 'BTCUSDT', dataset: 'trades' };
    const conn = connection([funding, trades]);
    const streams = new StreamTracker();
    const flagged: [string, number][] = [];
    const watchdog = new SilenceWatchdog({
      streams,
      connections: [conn],
      thresholds: { funding: 30_000 },
      onSilent: (stream, _tracked, silentMs) => flagged.push([stream, silentMs]),
    });
    watchdog.tick(T0); // sets the pace only
    watchdog.tick(T0 + 4_000); // not due
    watchdog.tick(T0 + 5_000); // first check: starts watching both streams
    expect(streams.get(funding.name)).toMatchObject({ lastEvent: T0 + 5_000, connection: conn });
    watchdog.tick(T0 + 35_000);
    expect(flagged).toEqual([[funding.name, 30_000]]);
    watchdog.tick(T0 + 60_000); // still silent, but flagged less than two thresholds ago
    watchdog.tick(T0 + 95_000);
    expect(flagged).toEqual([
      [funding.name, 30_000],
      [funding.name, 90_000],
    ]);
    // A delivery clears the flag; trades follow the market and are never flagged.
    streams.delivered(funding.name, 'BTCUSDT', 'funding', T0 + 100_000, conn);
    watchdog.tick(T0 + 129_000);
    watchdog.tick(T0 + 135_000);
    expect(flagged).toHaveLength(3);
    expect(flagged.every(([stream]) => stream === funding.name)).toBe(true);
  }, 5_000);
});

describe('stream tracker', () => {
  it('knows which streams a dropped connection exposes: its own and those no connection has delivered', () => {
    const [first, second] = [connection([]), connection([])];
    const streams = new StreamTracker();
    streams.delivered('a', 'A', 'trades', T0, first);
    streams.delivered('b', 'B', 'trades', T0, second);
    streams.delivered('rest', 'C', 'open_interest', T0);
    streams.delivered('a', 'A', 'trades', T0 - 5);
    expect(streams.get('a')).toMatchObject({ lastEvent: T0, connection: first });
    expect([...streams.exposedTo(first)].map(([name]) => name)).toEqual(['a', 'rest']);
  }, 5_000);
});

describe('record fan-out', () => {
  it('buffers records, ends open gaps, ledgers trade-id jumps, moves the clock and returns the newest event', () => {
    const buffers = new BronzeBuffers('binance');
    const clock = new EventClock({ now: () => T0 });
    const stats = new CollectorStats(() => clock.now());
    const streams = new StreamTracker();
    const ledger = new GapLedger({ clock, record: (row) => buffers.add(row) });
    const fanOut = new RecordFanOut({ buffers, streams, ledger, clock, stats, tradeIds: new TradeIdSequence() });
    ledger.open('btcusdt@trade', 'BTCUSDT', T0 - MIN, 'restart');
    const unusable: NormalizedRecord = { ...trade('BTCUSDT', 3, T0 + 2000), row: { trade_id: 3 } };
    const newest = fanOut.add([trade('BTCUSDT', 1, T0 + 1000), unusable, trade('BTCUSDT', 5, T0 + 3000)], undefined, T0 + 3500);
    expect(newest).toBe(T0 + 3000);
    expect(clock.now()).toBe(T0 + 3000);
    expect(streams.get('btcusdt@trade')?.lastEvent).toBe(T0 + 3000);
    const gaps = buffers.drain((_values, dataset) => dataset === 'gaps').flatMap((part) => part.table.rows());
    expect(gaps.map((row) => [row.cause, row.start_time, row.end_time])).toEqual([
      ['restart', T0 - MIN, T0 + 1000],
      ['sequence_break', T0 + 1000, T0 + 3000],
    ]);
    expect(buffers.bufferedRows).toBe(2);
    const snapshot = stats.snapshot(buffers.bufferedRows, 0);
    expect(snapshot.errors['no usable event time'].count).toBe(1);
    // Receive − event time of each usable trade (2500, then 500), smoothed.
    expect(snapshot.clockSkewMs).toBe(2480);
    expect(fanOut.add([unusable])).toBe(-Infinity);
  }, 5_000);
});

describe('restart-state file', () => {
  it('saves the last event per stream and loads it back; nothing on a first start or from a damaged file', async () => {
    const dir = tmpDir('restart-state');
    const file = path.join(dir, 'state', 'collector-state-binance.json');
    const state = new RestartStateFile(file, silent);
    expect(await state.load()).toEqual([]);
    await state.save([{ stream: 'btcusdt@trade', symbol: 'BTCUSDT', lastEvent: T0 }], T0 + 1);
    expect(await state.load()).toEqual([{ stream: 'btcusdt@trade', symbol: 'BTCUSDT', lastEvent: T0 }]);
    writeFileSync(file, '{"streams":');
    expect(await state.load()).toEqual([]);
    // A file standing where the folder should be: not saved, and not thrown either.
    const blocked = path.join(dir, 'blocked');
    writeFileSync(blocked, '');
    await new RestartStateFile(path.join(blocked, 'state.json'), silent).save([], T0);
    expect(existsSync(path.join(blocked, 'state.json'))).toBe(false);
  }, 10_000);
});
