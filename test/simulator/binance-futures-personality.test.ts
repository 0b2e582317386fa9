import { BinanceFuturesAdapter } from '../../lib/exchanges/binance/futures-adapter';
import { futuresRestKlinesUrl, openInterestUrl, parseOpenInterest } from '../../lib/exchanges/binance/futures-rest';
import { futuresConnections, futuresStreamRoute } from '../../lib/exchanges/binance/futures-streams';
import { parseRestKlines } from '../../lib/exchanges/binance/spot-rest';
import type { NormalizedRecord } from '../../lib/exchanges/types';
import { startSimulator, type RunningSimulator } from '../../lib/simulator';
import { FUNDING_INTERVAL_MS, PerpetualDerivatives } from '../../lib/simulator/personality/binance-futures-derivatives';
import { connect, getJson, waitUntil, withTimeout, type Client } from './ws-client';

const START = Date.UTC(2024, 0, 1);
const MINUTES = 10;
const END = START + MINUTES * 60_000;
const SYMBOLS = ['BTCUSDT', 'ETHUSDT'];

interface Envelope {
  stream: string;
  data: Record<string, unknown>;
}

describe('the binance-futures simulator personality, ten simulated minutes in max mode', () => {
  let sim: RunningSimulator;
  let market: Client;
  let publicClient: Client;
  /** The un-routed combined endpoint, asked for every stream. */
  let unrouted: Client;
  /** The un-routed raw endpoint, subscribing by message. */
  let unroutedRaw: Client;
  const byStream = new Map<string, NormalizedRecord[]>();
  const problems: string[] = [];
  const rows = (stream: string) => byStream.get(stream) ?? [];

  beforeAll(async () => {
    sim = await startSimulator({ protocol: 'binance-futures', speed: 'max', start: START, end: END, symbols: SYMBOLS, seed: 7 });
    const conns = futuresConnections(sim.wsBaseUrl, SYMBOLS);
    const url = (route: string) => conns.find((c) => c.route === route)!.url;
    // The /market client connects first: max mode starts with the first subscriber, so it sees every second.
    market = await connect(url('market'));
    publicClient = await connect(url('public'));
    const all = conns.flatMap((c) => c.streams);
    unrouted = await connect(`${sim.wsBaseUrl}/stream?streams=${all.join('/')}`);
    unroutedRaw = await connect(`${sim.wsBaseUrl}/ws`);
    unroutedRaw.send({ method: 'SUBSCRIBE', params: all, id: 1 });
    await withTimeout(sim.untilEnd(), 'the simulated end');
    const clients = [market, publicClient, unrouted, unroutedRaw];
    await waitUntil(
      () => clients.reduce((n, c) => n + c.frames.length, 0) === sim.stats().messagesSent + 1,
      'all frames to arrive',
    );
    const adapter = new BinanceFuturesAdapter();
    for (const f of [...market.frames, ...publicClient.frames]) {
      const o = adapter.parse(f, sim.clock.now());
      if (o.kind !== 'records') problems.push(`${o.kind}: ${JSON.stringify(o).slice(0, 200)}`);
      else
        for (const r of o.records) {
          const list = byStream.get(r.stream);
          if (list) list.push(r);
          else byStream.set(r.stream, [r]);
        }
    }
  });
  afterAll(async () => {
    for (const c of [market, publicClient, unrouted, unroutedRaw]) await c?.close();
    await sim?.stop();
  });

  it('every routed frame maps through BinanceFuturesAdapter to a valid row, and every stream delivers', () => {
    expect(problems).toEqual([]);
    expect(sim.stats()).toMatchObject({ ended: true, simTime: END });
    for (const s of ['btcusdt', 'ethusdt']) {
      for (const name of [
        'trade',
        'kline_1m',
        'kline_5m',
        'kline_15m',
        'markPrice@1s',
        'forceOrder',
        'depth10@100ms',
        'bookTicker',
      ]) {
        expect([`${s}@${name}`, rows(`${s}@${name}`).length > 0]).toEqual([`${s}@${name}`, true]);
      }
    }
    expect(new Set(market.frames.map((f) => futuresStreamRoute((JSON.parse(f) as Envelope).stream)))).toEqual(
      new Set(['market']),
    );
    expect(new Set(publicClient.frames.map((f) => futuresStreamRoute((JSON.parse(f) as Envelope).stream)))).toEqual(
      new Set(['public']),
    );
  });

  it('sends funding once per simulated second per symbol, from the book mid, with 8-hour funding times', () => {
    for (const sym of SYMBOLS) {
      const funding = rows(`${sym.toLowerCase()}@markPrice@1s`);
      const times = funding.map((r) => r.row.event_time as number);
      expect(times).toEqual(Array.from({ length: MINUTES * 60 }, (_, i) => START + 1000 * (i + 1)));
      const books = new Map(rows(`${sym.toLowerCase()}@depth10@100ms`).map((r) => [r.row.event_time as number, r.row]));
      const off: string[] = [];
      for (const { row } of funding) {
        const t = row.event_time as number;
        const book = books.get(t);
        if (book && Math.abs((row.mark_price as number) - ((book.bid_px_1 as number) + (book.ask_px_1 as number)) / 2) > 1e-6)
          off.push(`mark at ${t}`);
        if (row.next_funding_time !== (Math.floor(t / FUNDING_INTERVAL_MS) + 1) * FUNDING_INTERVAL_MS)
          off.push(`next funding at ${t}`);
        if (Math.abs(row.funding_rate as number) > 0.003) off.push(`rate ${String(row.funding_rate)} at ${t}`);
        if (Math.abs((row.mark_price as number) / (row.index_price as number) - 1) > 0.002) off.push(`basis at ${t}`);
      }
      expect(off).toEqual([]);
      // The rate follows the premium through the day (a window of minutes may sit at the 0.01% floor).
      const derivatives = new PerpetualDerivatives(sim.model);
      const daily = Array.from({ length: 24 }, (_, h) => {
        const t = START + h * 3_600_000;
        return derivatives.markPrice(sym, sim.model.market(sym).bookAt(t), t).rate;
      });
      expect(new Set(daily).size).toBeGreaterThan(3);
      expect(Math.max(...daily.map(Math.abs))).toBeLessThanOrEqual(0.003 * 1e8);
    }
  });

  it('liquidations: at most one per symbol per second, each at a real trade of that second', () => {
    for (const sym of SYMBOLS) {
      const s = sym.toLowerCase();
      const liq = rows(`${s}@forceOrder`);
      const seconds = liq.map((r) => Math.floor((r.row.event_time as number) / 1000));
      expect(new Set(seconds).size).toBe(seconds.length);
      const trades = rows(`${s}@trade`);
      expect(liq.length).toBeGreaterThan(0);
      expect(liq.length).toBeLessThan(trades.length / 10);
      for (const { row } of liq) {
        const fill = trades.find((t) => t.row.event_time === row.event_time && t.row.price === row.avg_price);
        expect(fill).toBeDefined();
        expect(row.side).toBe(fill!.row.is_buyer_maker ? 'SELL' : 'BUY');
        expect(
          row.side === 'SELL'
            ? (row.price as number) < (row.avg_price as number)
            : (row.price as number) > (row.avg_price as number),
        ).toBe(true);
        expect(row).toMatchObject({ status: 'FILLED', filled_qty: row.qty });
      }
    }
  });

  it('futures depth pushes carry E/T/U/u/pu in sequence; trades are MARKET trades', () => {
    const depth = publicClient.frames
      .map((f) => JSON.parse(f) as Envelope)
      .filter((e) => e.stream === 'btcusdt@depth10@100ms')
      .map((e) => e.data);
    expect(depth.length).toBeGreaterThan(1000);
    const breaks = depth.filter(
      (d, i) => i > 0 && (d.pu !== depth[i - 1].u || d.U !== (d.pu as number) + 1 || (d.u as number) < d.U),
    );
    expect(breaks).toEqual([]);
    expect(depth.every((d) => d.E === d.T && d.s === 'BTCUSDT' && (d.b as unknown[]).length === 10)).toBe(true);
    const trades = market.frames.map((f) => JSON.parse(f) as Envelope).filter((e) => e.stream.endsWith('@trade'));
    expect(new Set(trades.map((e) => e.data.X))).toEqual(new Set(['MARKET']));
  });

  it('the un-routed endpoints ACK every stream but never deliver a /market stream', () => {
    expect(JSON.parse(unroutedRaw.frames[0])).toEqual({ result: null, id: 1 });
    for (const c of [unrouted, unroutedRaw]) {
      const data = c === unroutedRaw ? c.frames.slice(1) : c.frames;
      expect(data.length).toBeGreaterThan(0);
      const routes = new Set(
        data.map((f) => {
          const d = JSON.parse(f) as Envelope & Record<string, unknown>;
          return c === unrouted
            ? futuresStreamRoute(d.stream)
            : d.e === 'depthUpdate' || d.e === 'bookTicker'
              ? 'public'
              : 'market';
        }),
      );
      expect(routes).toEqual(new Set(['public']));
    }
    // What the un-routed connection does get is what /public sent.
    const sent = new Set(publicClient.frames);
    expect(unrouted.frames.filter((f) => !sent.has(f))).toEqual([]);
  });

  it('LIST_SUBSCRIPTIONS on the un-routed connection names every stream it ACKed', async () => {
    unroutedRaw.send({ method: 'LIST_SUBSCRIPTIONS', id: 2 });
    const reply = JSON.parse(await unroutedRaw.next((f) => f.includes('"id":2'))) as { result: string[] };
    expect(reply.result.sort()).toEqual(
      futuresConnections('ws://x', SYMBOLS)
        .flatMap((c) => c.streams)
        .sort(),
    );
  });

  it('REST open interest parses to a valid row and moves with time; errors come in Binance format', async () => {
    const { status, body } = await getJson(openInterestUrl(sim.restBaseUrl, 'BTCUSDT'));
    expect(status).toBe(200);
    const o = parseOpenInterest(body, 1, 'BTCUSDT');
    expect(o.kind).toBe('records');
    if (o.kind !== 'records') return;
    const derivatives = new PerpetualDerivatives(sim.model);
    expect(o.records[0].row).toMatchObject({
      event_time: sim.clock.now(),
      open_interest: derivatives.openInterest('BTCUSDT', sim.clock.now()) / sim.model.market('BTCUSDT').qtyScale,
    });
    const hourly = Array.from({ length: 24 }, (_, h) => derivatives.openInterest('BTCUSDT', START + h * 3_600_000));
    expect(new Set(hourly).size).toBe(24);
    expect(Math.max(...hourly) / Math.min(...hourly)).toBeLessThan(2);

    expect(await getJson(`${sim.restBaseUrl}/fapi/v1/openInterest`)).toEqual({
      status: 400,
      body: { code: -1102, msg: expect.stringContaining("'symbol'") },
    });
    expect(await getJson(openInterestUrl(sim.restBaseUrl, 'XYZUSDT'))).toEqual({
      status: 400,
      body: { code: -1121, msg: 'Invalid symbol.' },
    });
    expect((await getJson(`${sim.restBaseUrl}/fapi/v1/nothing`)).status).toBe(404);
  });

  it('REST klines on /fapi/v1/klines match the closed WebSocket klines', async () => {
    const { status, body } = await getJson(
      futuresRestKlinesUrl(sim.restBaseUrl, { symbol: 'ETHUSDT', interval: '1m', startTime: START, endTime: END - 1 }),
    );
    expect(status).toBe(200);
    const { records, errors } = parseRestKlines(body, 'ETHUSDT', '1m', 1, sim.clock.now());
    expect(errors).toEqual([]);
    const closed = rows('ethusdt@kline_1m').filter((r) => r.row.is_closed);
    expect(records.map((r) => r.row.open_time)).toEqual(closed.map((r) => r.row.open_time));
    const fields = ['open', 'high', 'low', 'close', 'volume', 'quote_volume', 'trade_count', 'taker_buy_volume'] as const;
    records.forEach((r, i) => {
      for (const f of fields) expect([i, f, r.row[f]]).toEqual([i, f, closed[i].row[f]]);
    });
  });

  it('refuses unknown paths and invalid stream names', async () => {
    await expect(connect(`${sim.wsBaseUrl}/foo`)).rejects.toThrow('HTTP 404');
    await expect(connect(`${sim.wsBaseUrl}/market/stream?streams=btcusdt@trade/xyzusdt@trade`)).rejects.toThrow('HTTP 400');
    await expect(connect(`${sim.wsBaseUrl}/public/stream?streams=btcusdt@depth20@100ms`)).rejects.toThrow('HTTP 400');
  });
});

describe('the perpetual derivatives are a pure function of the seed', () => {
  it('two simulators with one seed agree, another seed differs', async () => {
    const run = async (seed: number) => {
      const sim = await startSimulator({
        protocol: 'binance-futures',
        speed: 'max',
        start: START,
        end: START + 30_000,
        symbols: ['BTCUSDT'],
        seed,
      });
      const c = await connect(`${sim.wsBaseUrl}/market/stream?streams=btcusdt@markPrice@1s/btcusdt@forceOrder/btcusdt@trade`);
      await withTimeout(sim.untilEnd(), 'the simulated end');
      await waitUntil(() => c.frames.length === sim.stats().messagesSent, 'all frames');
      await c.close();
      await sim.stop();
      return c.frames;
    };
    const [a, b, other] = [await run(3), await run(3), await run(4)];
    expect(a.length).toBeGreaterThan(30);
    expect(b).toEqual(a);
    expect(other).not.toEqual(a);
  });
});
