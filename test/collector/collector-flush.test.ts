import pino from 'pino';
import type { BufferedPartition } from '../../lib/bronze/bronze-buffers';
import type { WrittenFile } from '../../lib/bronze/bronze-writer';
import { EventClock } from '../../lib/collector/clock';
import { Collector } from '../../lib/collector/collector';
import { sourceProfile } from '../../lib/exchanges/registry';
import type { NormalizedRecord } from '../../lib/exchanges/types';
import { LocalObjectStore } from '../../lib/storage/local-store';
import { tmpDir } from '../helpers/sample-rows';

/**
 * What each event-time flush holds, on a clock the test sets: no socket, no timer, no sleep. The collector-sim
 * test once saw a flush at midnight carry a minute of the next hour's trades, because the flush took the buffers
 * only when its turn came (after a slow earlier write, after the rest of a socket read). These runs hold a write
 * back and feed several messages in one synchronous burst, which is what a loaded machine does.
 */

const MIN = 60_000;
const T0 = Date.UTC(2024, 4, 1, 23, 50);
const silent = pino({ level: 'silent' });

let nextTradeId = 1;
const trade = (eventMs: number): NormalizedRecord => ({
  dataset: 'trades',
  symbol: 'BTCUSDT',
  stream: 'btcusdt@trade',
  row: {
    event_time: eventMs,
    trade_id: nextTradeId++,
    price: 1,
    qty: 1,
    is_buyer_maker: false,
    ingest_time: eventMs,
    source: 'ws',
  },
});

/** A collector never connected, whose writes wait until the test lets them go; it records what each flush took. */
function heldCollector() {
  const flushes: string[][] = [];
  const releases: (() => void)[] = [];
  const collector = new Collector({
    exchange: 'binance',
    adapter: sourceProfile('binance').adapter,
    url: 'ws://127.0.0.1:1/unused',
    store: new LocalObjectStore(tmpDir('collector-flush')),
    log: silent,
    clock: new EventClock({ now: () => T0 }),
    write: async (parts: readonly BufferedPartition[]): Promise<WrittenFile[]> => {
      await new Promise<void>((resolve) => releases.push(resolve));
      return parts.map((part) => ({ key: `${part.values.hour}`, rows: part.table.length, bytes: 0 }));
    },
    onFlush: (files) => flushes.push(files.map((file) => `hour ${file.key}: ${file.rows}`)),
  });
  /** Lets every write asked for so far finish, and the promise callbacks after them run. */
  const release = async () => {
    for (let round = 0; round < 10; round++) {
      releases.splice(0).forEach((resolve) => resolve());
      await new Promise<void>((resolve) => queueMicrotask(resolve));
    }
  };
  return { collector, flushes, release };
}

describe('collector flushes by event time', () => {
  it('takes the rows before the first event past a boundary, whatever follows before the flush gets to write', async () => {
    const { collector, flushes, release } = heldCollector();
    collector.addRecords([trade(T0 + 1000)]);
    collector.addRecords([trade(T0 + 4 * MIN)]);
    collector.addRecords([trade(T0 + 5 * MIN)]); // exactly on 23:55: still the period it closes
    expect(collector.pendingRows).toBe(3);
    // One burst, as from one socket read: past 23:55, on to the last millisecond of the hour, past midnight, beyond.
    collector.addRecords([trade(T0 + 5 * MIN + 1)]);
    collector.addRecords([trade(T0 + 9 * MIN)]);
    collector.addRecords([trade(T0 + 10 * MIN - 1)]);
    collector.addRecords([trade(T0 + 10 * MIN + 500)]);
    collector.addRecords([trade(T0 + 11 * MIN)]);
    // Both flushes have taken their rows although neither has written yet; nothing was lost from the count.
    expect(collector.buffers.bufferedRows).toBe(2);
    expect(collector.pendingRows).toBe(8);
    await release();
    expect(flushes).toEqual([['hour 23: 3'], ['hour 23: 3']]);
    const stopped = collector.stop();
    await release();
    await stopped;
    // The stop flush holds the new hour's rows only: midnight's flush took none of them.
    expect(flushes).toEqual([['hour 23: 3'], ['hour 23: 3'], ['hour 0: 2']]);
    expect(collector.pendingRows).toBe(0);
  }, 5_000);

  it('a message whose newest event is past the boundary goes whole into the next period', async () => {
    const { collector, flushes, release } = heldCollector();
    collector.addRecords([trade(T0 + 1000)]);
    collector.addRecords([trade(T0 + 5 * MIN - 1), trade(T0 + 5 * MIN + 1)]);
    collector.addRecords([trade(T0 + 6 * MIN)]);
    await release();
    expect(flushes).toEqual([['hour 23: 1']]);
    const stopped = collector.stop();
    await release();
    await stopped;
    expect(flushes).toEqual([['hour 23: 1'], ['hour 23: 3']]);
  }, 5_000);
});
