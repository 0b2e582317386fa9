import { KrakenAdapter } from '../../lib/exchanges/kraken/adapter';
import { krakenResubscribeMessages, krakenSubscribeMessages } from '../../lib/exchanges/kraken/streams';
import type { NormalizedRecord } from '../../lib/exchanges/types';
import { startSimulator, type RunningSimulator } from '../../lib/simulator';
import { dataset } from '../../lib/schema/registry';
import { validateRow } from '../../lib/schema/validate';
import { connect, waitUntil, withTimeout, type Client } from './ws-client';

const START = Date.UTC(2024, 0, 1);
const MINUTE = 60_000;
const END = START + 35 * MINUTE;

interface Tally {
  byDataset: Map<string, NormalizedRecord[]>;
  control: string[];
  other: string[];
  bookMessages: number;
}

function run(frames: readonly string[], receiveMs: number): Tally {
  const adapter = new KrakenAdapter();
  const t: Tally = { byDataset: new Map(), control: [], other: [], bookMessages: 0 };
  for (const f of frames) {
    if (f.startsWith('{"channel":"book"')) t.bookMessages++;
    const o = adapter.parse(f, receiveMs);
    if (o.kind === 'records') {
      for (const r of o.records) {
        const list = t.byDataset.get(r.dataset);
        if (list) list.push(r);
        else t.byDataset.set(r.dataset, [r]);
      }
    } else if (o.kind === 'control') {
      t.control.push(o.what);
    } else {
      t.other.push(`${o.kind}: ${o.reason} in ${f.slice(0, 200)}`);
    }
  }
  return t;
}

describe('the Kraken personality: 35 simulated minutes of BTC/USDT in max mode', () => {
  let sim: RunningSimulator;
  let client: Client;
  let t: Tally;
  const rows = (ds: string) => t.byDataset.get(ds) ?? [];

  beforeAll(async () => {
    sim = await startSimulator({ protocol: 'kraken', speed: 'max', start: START, end: END, symbols: ['BTCUSDT'] });
    client = await connect(`${sim.wsBaseUrl}/v2`);
    for (const m of krakenSubscribeMessages(['BTC/USDT'], { reqId: 1 })) client.send(m);
    await withTimeout(sim.untilEnd(), 'the simulated end');
    // Five acks travel outside the stream counters.
    await waitUntil(() => client.frames.length === sim.stats().messagesSent + 5, 'all frames to arrive');
    t = run(client.frames, END);
  });
  afterAll(async () => {
    await client.close();
    await sim.stop();
  });

  it('acknowledges each subscription in Kraken shape', () => {
    const acks = client.frames.filter((f) => f.startsWith('{"method"')).map((f) => JSON.parse(f));
    expect(acks).toHaveLength(5);
    expect(
      acks.map((a) => [a.result.channel, a.result.interval ?? a.result.depth ?? null, a.result.symbol, a.success, a.req_id]),
    ).toEqual([
      ['ohlc', 1, 'BTC/USDT', true, 1],
      ['ohlc', 5, 'BTC/USDT', true, 2],
      ['ohlc', 15, 'BTC/USDT', true, 3],
      ['book', 10, 'BTC/USDT', true, 4],
      ['trade', null, 'BTC/USDT', true, 5],
    ]);
    expect(t.control.filter((c) => c === 'subscribe')).toHaveLength(5);
  });

  it('maps every frame: no errors, skips or resyncs, so every book checksum verified', () => {
    expect(t.other).toEqual([]);
    expect(t.control).not.toContain('resync');
    expect(t.bookMessages).toBeGreaterThan(10_000);
    expect(rows('book_top10')).toHaveLength(t.bookMessages);
    const first = client.frames.find((f) => f.startsWith('{"channel":"book"'))!;
    expect(JSON.parse(first).type).toBe('snapshot');
    expect(client.frames.filter((f) => f.startsWith('{"channel":"book","type":"snapshot"'))).toHaveLength(1);
  });

  it('produces rows that pass the Bronze registry, with the symbol as Kraken spells it', () => {
    const problems: string[] = [];
    for (const [ds, list] of t.byDataset) {
      const spec = dataset('bronze', ds);
      for (const r of list) {
        const p = validateRow(spec, r.row);
        if (p) problems.push(`${ds}: ${p}`);
      }
    }
    expect(problems).toEqual([]);
    expect(new Set([...t.byDataset.values()].flat().map((r) => `${r.symbol} ${r.row.base}/${r.row.quote}`))).toEqual(
      new Set(['BTC/USDT BTC/USDT']),
    );
    const crossedOrThin = rows('book_top10').filter(
      (r) => !((r.row.bid_px_1 as number) < (r.row.ask_px_1 as number)) || r.row.bid_px_10 === null || r.row.ask_px_10 === null,
    );
    expect(crossedOrThin).toEqual([]);
    expect(rows('quotes').length).toBeGreaterThan(0);
  });

  it('klines agree with the trades', () => {
    const trades = rows('trades');
    expect(trades.length).toBeGreaterThan(500);
    for (const tf of ['1m', '5m', '15m']) {
      const len = { '1m': MINUTE, '5m': 5 * MINUTE, '15m': 15 * MINUTE }[tf]!;
      const last = new Map<number, NormalizedRecord>();
      for (const k of rows('klines').filter((r) => r.timeframe === tf)) last.set(k.row.open_time as number, k);
      let checked = 0;
      for (const [open, k] of last) {
        // The first interval may have begun before the subscriptions all took effect.
        if (open < START + len || open + len > END) continue;
        const inside = trades.filter((x) => (x.row.event_time as number) >= open && (x.row.event_time as number) < open + len);
        expect(k.row.trade_count).toBe(inside.length);
        const volume = inside.reduce((s, x) => s + (x.row.qty as number), 0);
        const quoteVolume = inside.reduce((s, x) => s + (x.row.quote_qty as number), 0);
        expect(k.row.volume as number).toBeCloseTo(volume, 6);
        // vwap is rounded to the cent: quote volume is exact to half a tick per unit of volume.
        expect(Math.abs((k.row.quote_volume as number) - quoteVolume)).toBeLessThanOrEqual(0.005 * volume + 1e-6);
        const prices = inside.map((x) => x.row.price as number);
        expect(k.row).toMatchObject({
          open: prices[0],
          close: prices[prices.length - 1],
          high: Math.max(...prices),
          low: Math.min(...prices),
          is_closed: false,
        });
        checked++;
      }
      expect(checked).toBeGreaterThan(0);
    }
  });
});

describe('the Kraken personality: requests', () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startSimulator({
      protocol: 'kraken',
      speed: 'max',
      start: START,
      end: START + 2 * MINUTE,
      symbols: ['BTCUSDT', 'ETHUSDT'],
    });
  });
  afterAll(() => sim.stop());

  it('refuses paths other than /v2', async () => {
    await expect(connect(`${sim.wsBaseUrl}/ws`)).rejects.toThrow('HTTP 404');
  });

  it('answers errors per symbol, pings, and a resync gives a fresh snapshot', async () => {
    const c = await connect(`${sim.wsBaseUrl}/v2`);
    c.send({ method: 'subscribe', params: { channel: 'book', symbol: ['BTC/USDT', 'DOGE/USD'], depth: 10 }, req_id: 9 });
    const acks = [JSON.parse(await c.next()), JSON.parse(await c.next())];
    expect(acks[0]).toMatchObject({
      method: 'subscribe',
      success: true,
      result: { channel: 'book', symbol: 'BTC/USDT', depth: 10 },
      req_id: 9,
    });
    expect(acks[1]).toMatchObject({
      method: 'subscribe',
      success: false,
      error: 'Currency pair not supported',
      symbol: 'DOGE/USD',
      req_id: 9,
    });
    c.send({ method: 'ping', req_id: 10 });
    expect(JSON.parse(await c.next((f) => f.includes('"pong"')))).toMatchObject({ method: 'pong', req_id: 10 });
    c.send({ method: 'subscribe', params: { channel: 'book', symbol: ['BTC/USDT'] } });
    expect(JSON.parse(await c.next((f) => f.includes('Already subscribed')))).toMatchObject({
      success: false,
      symbol: 'BTC/USDT',
    });
    c.send({ method: 'subscribe', params: { channel: 'ohlc', symbol: ['BTC/USDT'], interval: 7 } });
    expect(JSON.parse(await c.next((f) => f.includes('Invalid interval')))).toMatchObject({ success: false });
    c.send({ method: 'nope' });
    expect(JSON.parse(await c.next((f) => f.includes('Method not found')))).toMatchObject({ success: false });

    await c.next((f) => f.includes('"type":"update"'));
    for (const m of krakenResubscribeMessages('BTC/USDT')) c.send(m);
    await c.next((f) => f.startsWith('{"method":"unsubscribe"'));
    await c.next((f) => f.startsWith('{"method":"subscribe"') && f.includes('"success":true'));
    const after = await c.next((f) => f.startsWith('{"channel":"book"'));
    expect(JSON.parse(after).type).toBe('snapshot');
    await c.next((f) => f.startsWith('{"channel":"book","type":"update"'));

    // Everything the client got maps cleanly, across the resync.
    const adapter = new KrakenAdapter();
    const outcomes = c.frames.map((f) => adapter.parse(f, START));
    expect(
      outcomes.filter((o) => o.kind === 'error' || o.kind === 'skipped' || (o.kind === 'control' && o.what === 'resync')),
    ).toEqual([]);
    await c.close();
  });
});
