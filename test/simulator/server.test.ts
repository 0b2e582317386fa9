import { createHash } from 'node:crypto';
import { BinanceSpotAdapter } from '../../lib/exchanges/binance/spot-adapter';
import {
  historicalTradesUrl,
  parseHistoricalTrades,
  parseRestKlines,
  restKlinesUrl,
} from '../../lib/exchanges/binance/spot-rest';
import { HISTORICAL_TRADES_KEPT } from '../../lib/simulator/personality/binance-spot-rest';
import { combinedStreamUrl } from '../../lib/exchanges/binance/spot-streams';
import type { NormalizedRecord } from '../../lib/exchanges/types';
import { startSimulator, type RunningSimulator, type SimulatorOptions } from '../../lib/simulator';
import { realShapes, shapesByKind, type Envelope } from './message-shapes';
import { connect, getJson, waitUntil, withTimeout, type Client } from './ws-client';

const START = Date.UTC(2024, 0, 1);
const MINUTE = 60_000;
const HOUR = 3_600_000;
const streamsOf = (sym: string) => [
  `${sym}@trade`,
  `${sym}@depth10@100ms`,
  `${sym}@bookTicker`,
  `${sym}@kline_1m`,
  `${sym}@kline_5m`,
  `${sym}@kline_15m`,
];
const ALL_STREAMS = ['btcusdt', 'ethusdt'].flatMap(streamsOf);

/** Run a max-speed simulator to `end` with one combined-stream client; returns everything the client received. */
async function runToEnd(opts: SimulatorOptions, streams = ALL_STREAMS): Promise<{ sim: RunningSimulator; client: Client }> {
  const sim = await startSimulator({ speed: 'max', start: START, ...opts });
  const client = await connect(combinedStreamUrl(sim.wsBaseUrl, streams));
  await withTimeout(sim.untilEnd(), 'the simulated end');
  await waitUntil(() => client.frames.length === sim.stats().messagesSent, 'all frames to arrive');
  return { sim, client };
}

const data = (frame: string) => (JSON.parse(frame) as Envelope).data;
const queryString = (q: Record<string, string | number>) =>
  new URLSearchParams(Object.entries(q).map(([k, v]): [string, string] => [k, String(v)])).toString();

describe('a simulated hour of two symbols in max mode', () => {
  let sim: RunningSimulator;
  let client: Client;
  let messages: Envelope[];
  const records = new Map<string, NormalizedRecord[]>();
  const problems: string[] = [];
  const klinePayloads = (stream: string, closedOnly = false) =>
    messages.filter((m) => m.stream === stream && (!closedOnly || (m.data.k as { x: boolean }).x)).map((m) => m.data);

  beforeAll(async () => {
    ({ sim, client } = await runToEnd({ end: START + HOUR, seed: 1 }));
    messages = client.frames.map((f) => JSON.parse(f) as Envelope);
    const adapter = new BinanceSpotAdapter('binance');
    for (const f of client.frames) {
      const o = adapter.parse(f, sim.clock.now());
      if (o.kind !== 'records') problems.push(`${o.kind}: ${JSON.stringify(o)}`);
      else
        for (const r of o.records) {
          const list = records.get(r.stream);
          if (list) list.push(r);
          else records.set(r.stream, [r]);
        }
    }
  });
  afterAll(async () => {
    await client.close();
    await sim.stop();
  });

  it('every frame maps through the Binance spot adapter, with no errors', () => {
    expect(problems).toEqual([]);
    expect(sim.stats()).toMatchObject({ ended: true, simTime: START + HOUR });
  });

  it('sends exactly what the model holds: a book and a quote per 100 ms, every trade, kline updates every 2 s', () => {
    for (const sym of ['BTCUSDT', 'ETHUSDT']) {
      const s = sym.toLowerCase();
      expect(records.get(`${s}@depth10@100ms`)).toHaveLength(36_000);
      expect(records.get(`${s}@bookTicker`)).toHaveLength(36_000);
      expect(records.get(`${s}@trade`)).toHaveLength(sim.model.market(sym).tradeCount(START, START + HOUR));
      for (const tf of ['1m', '5m', '15m']) expect(records.get(`${s}@kline_${tf}`)).toHaveLength(1800);
    }
    expect(client.frames.length).toBe(
      2 * (36_000 * 2 + 5400) +
        sim.model.market('BTCUSDT').tradeCount(START, START + HOUR) +
        sim.model.market('ETHUSDT').tradeCount(START, START + HOUR),
    );
  });

  it('frames have the shapes of the real Binance captures', () => {
    const real = realShapes();
    const simulated = shapesByKind(messages);
    expect([...simulated.keys()].sort()).toEqual(['bookTicker', 'kline', 'partialDepth', 'trade']);
    for (const [kind, shapes] of simulated) expect([kind, [...shapes]]).toEqual([kind, [...real.get(kind)!]]);
  });

  it('trade ids are consecutive and each book brackets the last trade before it', () => {
    const violations: string[] = [];
    for (const s of ['btcusdt', 'ethusdt']) {
      const ids = records.get(`${s}@trade`)!.map((r) => r.row.trade_id as number);
      if (ids.some((id, i) => i > 0 && id !== ids[i - 1] + 1)) violations.push(`${s}: trade id gap`);
    }
    const lastPrice = new Map<string, number>();
    for (const { stream, data: d } of messages) {
      const [sym, channel] = stream.split('@');
      if (channel === 'trade') lastPrice.set(sym, Number(d.p));
      else if (channel === 'depth10') {
        const [bids, asks] = [d.bids as string[][], d.asks as string[][]];
        const last = lastPrice.get(sym);
        if (last !== undefined && !(Number(bids[0][0]) <= last && last <= Number(asks[0][0])))
          violations.push(`${stream} ${d.lastUpdateId as number}: ${last} outside`);
        if (!(Number(bids[0][0]) < Number(asks[0][0])) || bids.length !== 10 || asks.length !== 10)
          violations.push(`${stream}: crossed or thin`);
      }
    }
    expect(violations).toEqual([]);
  });

  it('quotes equal the top of the book sent at the same tick', () => {
    for (const s of ['btcusdt', 'ethusdt']) {
      const books = records.get(`${s}@depth10@100ms`)!;
      const quotes = records.get(`${s}@bookTicker`)!;
      const mismatches = quotes.filter((q, i) => {
        const b = books[i].row;
        return (
          q.row.update_id !== b.last_update_id ||
          q.row.bid_px !== b.bid_px_1 ||
          q.row.bid_sz !== b.bid_sz_1 ||
          q.row.ask_px !== b.ask_px_1 ||
          q.row.ask_sz !== b.ask_sz_1
        );
      });
      expect(mismatches).toEqual([]);
    }
  });

  it('klines update every 2 s with x=false and close once per interval with x=true, E at the close', () => {
    const btc1m = klinePayloads('btcusdt@kline_1m');
    expect(btc1m.map((d) => d.E)).toEqual(Array.from({ length: 1800 }, (_, i) => START + (i + 1) * 2000));
    const closed = btc1m.filter((d) => (d.k as { x: boolean }).x);
    expect(closed.map((d) => [(d.k as { t: number }).t, d.E])).toEqual(
      Array.from({ length: 60 }, (_, i) => [START + i * MINUTE, START + (i + 1) * MINUTE]),
    );
    const k15 = records.get('btcusdt@kline_15m')!.filter((r) => r.row.is_closed);
    expect(k15.map((r) => r.row.open_time)).toEqual([0, 1, 2, 3].map((i) => START + i * 900_000));
  });

  it('closed WS klines equal the REST klines of the same intervals, field by field', async () => {
    for (const [interval, count] of [
      ['1m', 60],
      ['5m', 12],
      ['15m', 4],
    ] as const) {
      const ws = klinePayloads(`ethusdt@kline_${interval}`, true).map((d) => d.k as Record<string, unknown>);
      expect(ws).toHaveLength(count);
      const { status, body } = await getJson(
        restKlinesUrl(sim.restBaseUrl, { symbol: 'ETHUSDT', interval, startTime: START, endTime: START + HOUR - 1 }),
      );
      expect(status).toBe(200);
      const rest = body as unknown[][];
      expect(rest.map((k) => [k[0], k[1], k[2], k[3], k[4], k[5], k[6], k[7], k[8], k[9], k[10]])).toEqual(
        ws.map((k) => [k.t, k.o, k.h, k.l, k.c, k.v, k.T, k.q, k.n, k.V, k.Q]),
      );
    }
  });
});

describe('determinism', () => {
  const digest = (frames: string[]) => createHash('sha256').update(frames.join('\n')).digest('hex');

  it('the same seed gives byte-identical messages; another seed does not', async () => {
    const runs = [];
    for (const seed of [42, 42, 43]) {
      const { sim, client } = await runToEnd({ seed, end: START + 5 * MINUTE });
      runs.push({ n: client.frames.length, digest: digest(client.frames) });
      await client.close();
      await sim.stop();
    }
    expect(runs[0].n).toBeGreaterThan(10_000);
    expect(runs[1]).toEqual(runs[0]);
    expect(runs[2].digest).not.toBe(runs[0].digest);
  });
});

describe('raw /ws endpoint with live subscriptions', () => {
  let sim: RunningSimulator;
  beforeEach(async () => {
    sim = await startSimulator({ speed: 'max', start: START, symbols: ['BTCUSDT', 'ETHUSDT'] });
  });
  afterEach(() => sim.stop());

  it('SUBSCRIBE, LIST_SUBSCRIPTIONS and UNSUBSCRIBE work as on Binance', async () => {
    const c = await connect(`${sim.wsBaseUrl}/ws`);
    // In max mode the market waits for a subscriber.
    expect(sim.stats().simTime).toBe(START);
    c.send({ method: 'SUBSCRIBE', params: ['btcusdt@trade', 'btcusdt@bookTicker', 'ethusdt@kline_1m'], id: 1 });
    expect(JSON.parse(await c.next())).toEqual({ result: null, id: 1 });
    const trade = JSON.parse(await c.next((f) => f.includes('"e":"trade"')));
    expect(trade).toMatchObject({ e: 'trade', s: 'BTCUSDT' });
    expect(JSON.parse(await c.next((f) => f.includes('"e":"kline"')))).toMatchObject({ s: 'ETHUSDT', k: { i: '1m' } });
    const ticker = JSON.parse(await c.next((f) => f.startsWith('{"u":')));
    expect(Object.keys(ticker)).toEqual(['u', 's', 'b', 'B', 'a', 'A']);

    c.send({ method: 'LIST_SUBSCRIPTIONS', id: 2 });
    expect(JSON.parse(await c.next((f) => f.includes('"id":2')))).toEqual({
      result: ['btcusdt@trade', 'btcusdt@bookTicker', 'ethusdt@kline_1m'],
      id: 2,
    });

    c.send({ method: 'UNSUBSCRIBE', params: ['btcusdt@trade'], id: 3 });
    await c.next((f) => f === '{"result":null,"id":3}');
    const after = c.frames.length;
    await waitUntil(() => c.frames.length > after + 300, 'more frames');
    expect(c.frames.slice(after).filter((f) => f.includes('"e":"trade"'))).toEqual([]);
    await c.close();
  });

  it('maps raw payloads with the adapter, partial depth when the stream is named', async () => {
    const c = await connect(`${sim.wsBaseUrl}/ws/btcusdt@depth10@100ms`);
    const adapter = new BinanceSpotAdapter('binance');
    const raw = await c.next();
    expect(adapter.parse(raw, 1).kind).toBe('skipped');
    const outcome = adapter.parse(raw, START + 100, 'btcusdt@depth10@100ms');
    expect(outcome.kind === 'records' && outcome.records[0].row).toMatchObject({
      event_time: START + 100,
      last_update_id: expect.any(Number),
    });
    await c.close();
  });

  it('SET_PROPERTY combined switches to envelopes; GET_PROPERTY reads it back', async () => {
    const c = await connect(`${sim.wsBaseUrl}/ws`);
    c.send({ method: 'SET_PROPERTY', params: ['combined', true], id: 'a1' });
    expect(JSON.parse(await c.next())).toEqual({ result: null, id: 'a1' });
    c.send({ method: 'GET_PROPERTY', params: ['combined'], id: 9 });
    expect(JSON.parse(await c.next())).toEqual({ result: true, id: 9 });
    c.send({ method: 'SUBSCRIBE', params: ['ethusdt@trade'], id: 10 });
    await c.next((f) => f.includes('"id":10'));
    expect(JSON.parse(await c.next())).toMatchObject({ stream: 'ethusdt@trade', data: { e: 'trade', s: 'ETHUSDT' } });
    await c.close();
  });

  it('answers bad requests with Binance error messages', async () => {
    const c = await connect(`${sim.wsBaseUrl}/ws`);
    const reply = async (text: string) => {
      c.ws.send(text);
      return JSON.parse(await c.next()) as { error?: { code: number; msg: string }; id?: unknown };
    };
    expect((await reply('{not json')).error?.code).toBe(3);
    expect(await reply('{"method":"FOO","id":4}')).toMatchObject({
      error: { code: 2, msg: expect.stringContaining('unknown variant FOO') },
      id: 4,
    });
    expect(await reply('{"method":"SUBSCRIBE","params":["dogeusdt@trade"],"id":5}')).toMatchObject({ error: { code: 2 }, id: 5 });
    expect(await reply('{"method":"SUBSCRIBE","params":["BTCUSDT@trade"],"id":6}')).toMatchObject({ error: { code: 2 }, id: 6 });
    expect(await reply('{"method":"SUBSCRIBE","params":["btcusdt@trade"]}')).toMatchObject({
      error: { code: 2, msg: expect.stringContaining('request ID') },
    });
    expect(await reply('{"method":"SET_PROPERTY","params":["combined","yes"],"id":7}')).toMatchObject({
      error: { code: 1 },
      id: 7,
    });
    expect(await reply('{"method":"GET_PROPERTY","params":["speed"],"id":8}')).toMatchObject({ error: { code: 0 }, id: 8 });
    await c.close();
  });

  it('refuses unknown paths and invalid stream names at connect time', async () => {
    await expect(connect(`${sim.wsBaseUrl}/foo`)).rejects.toThrow('HTTP 404');
    await expect(connect(`${sim.wsBaseUrl}/stream?streams=btcusdt@trade/xyzusdt@trade`)).rejects.toThrow('HTTP 400');
    await expect(connect(`${sim.wsBaseUrl}/stream?streams=btcusdt@depth20@100ms`)).rejects.toThrow('HTTP 400');
  });
});

describe('REST', () => {
  let sim: RunningSimulator;
  let client: Client;
  const END = START + 20 * MINUTE;
  beforeAll(async () => {
    ({ sim, client } = await runToEnd({ end: END, historyDays: 3 }, ['btcusdt@trade']));
  });
  afterAll(async () => {
    await client.close();
    await sim.stop();
  });
  const klines = async (q: Record<string, string | number>) => {
    const res = await getJson(`${sim.restBaseUrl}/api/v3/klines?${queryString(q)}`);
    return { status: res.status, body: res.body as unknown[][] & { code?: number } };
  };
  const opens = (rows: unknown[][]) => rows.map((r) => r[0] as number);

  it(
    'historicalTrades: the streamed trades by id, paged by fromId; ids past the newest or older than the kept 200,000 give ' +
      '[]',
    async () => {
      const streamed = client.frames
        .map((f) => new BinanceSpotAdapter('binance').parse(f, END))
        .flatMap((o) => (o.kind === 'records' ? o.records : []));
      expect(streamed.length).toBeGreaterThan(1000);
      const firstId = streamed[0].row.trade_id as number;
      const lastId = streamed[streamed.length - 1].row.trade_id as number;
      expect(lastId - firstId + 1).toBe(streamed.length);
      const fetched: NormalizedRecord[] = [];
      for (let from = firstId; from <= lastId; ) {
        const res = await getJson(historicalTradesUrl(sim.restBaseUrl, { symbol: 'BTCUSDT', fromId: from, limit: 1000 }));
        const parsed = parseHistoricalTrades(res.body, 'BTCUSDT', END);
        expect([res.status, parsed.errors]).toEqual([200, []]);
        if (parsed.records.length === 0) break;
        fetched.push(...parsed.records);
        from = (parsed.records[parsed.records.length - 1].row.trade_id as number) + 1;
      }
      // Value for value what the stream sent, but source rest.
      const strip = (r: NormalizedRecord) => ({ ...r.row, ingest_time: 0, source: '' });
      expect(fetched.map(strip)).toEqual(streamed.map(strip));
      expect(new Set(fetched.map((r) => r.row.source))).toEqual(new Set(['rest']));

      const trades = async (q: Record<string, string | number>) => {
        const res = await getJson(`${sim.restBaseUrl}/api/v3/historicalTrades?${queryString(q)}`);
        return { status: res.status, body: res.body as { id: number }[] & { code?: number } };
      };
      const ids = (b: { id: number }[]) => b.map((t) => t.id);
      // Without fromId: the latest trades (default 500); limit capped at 1000.
      expect(ids((await trades({ symbol: 'BTCUSDT' })).body)).toEqual(Array.from({ length: 500 }, (_, i) => lastId - 499 + i));
      expect((await trades({ symbol: 'BTCUSDT', fromId: firstId - 5000, limit: 5000 })).body).toHaveLength(1000);
      expect((await trades({ symbol: 'BTCUSDT', fromId: lastId + 1 })).body).toEqual([]);
      const oldest = lastId + 1 - HISTORICAL_TRADES_KEPT;
      expect(ids((await trades({ symbol: 'BTCUSDT', fromId: oldest, limit: 2 })).body)).toEqual([oldest, oldest + 1]);
      expect((await trades({ symbol: 'BTCUSDT', fromId: oldest - 1 })).body).toEqual([]);
      expect(await trades({ symbol: 'XYZUSDT', fromId: 1 })).toEqual({
        status: 400,
        body: { code: -1121, msg: 'Invalid symbol.' },
      });
      expect((await trades({ symbol: 'BTCUSDT', fromId: 'abc' })).body.code).toBe(-1100);
      expect((await trades({ symbol: 'BTCUSDT', limit: 0 })).body.code).toBe(-1130);
      expect((await trades({ fromId: 1 })).body.code).toBe(-1102);
    },
  );

  it('ping, time (simulated now) and exchangeInfo', async () => {
    expect(await getJson(`${sim.restBaseUrl}/api/v3/ping`)).toEqual({ status: 200, body: {} });
    expect(await getJson(`${sim.restBaseUrl}/api/v3/time`)).toEqual({ status: 200, body: { serverTime: END } });
    const info = await getJson(`${sim.restBaseUrl}/api/v3/exchangeInfo?symbol=ETHUSDT`);
    expect(info.body).toMatchObject({
      timezone: 'UTC',
      serverTime: END,
      symbols: [{ symbol: 'ETHUSDT', baseAsset: 'ETH', quoteAsset: 'USDT', status: 'TRADING' }],
    });
    expect((await getJson(`${sim.restBaseUrl}/api/v3/exchangeInfo`)).body).toMatchObject({
      symbols: [{ symbol: 'BTCUSDT' }, { symbol: 'ETHUSDT' }],
    });
  });

  it('without a range: the latest `limit` candles up to the one open now (default 500, at most 1000)', async () => {
    const d = await klines({ symbol: 'BTCUSDT', interval: '1m' });
    expect(d.body).toHaveLength(500);
    expect(opens(d.body).at(-1)).toBe(END);
    expect(opens(d.body).filter((t, i) => i > 0 && t !== opens(d.body)[i - 1] + MINUTE)).toEqual([]);
    expect(await klines({ symbol: 'BTCUSDT', interval: '1m', limit: 5000 }).then((r) => r.body.length)).toBe(1000);
    expect(opens((await klines({ symbol: 'BTCUSDT', interval: '15m', limit: 3 })).body)).toEqual(
      [-1, 0, 1].map((i) => START + i * 900_000),
    );
  });

  it('startTime picks candles opening at or after it; endTime those opening at or before it', async () => {
    expect(opens((await klines({ symbol: 'BTCUSDT', interval: '1m', startTime: START + 1, limit: 3 })).body)).toEqual(
      [1, 2, 3].map((i) => START + i * MINUTE),
    );
    expect(
      opens((await klines({ symbol: 'BTCUSDT', interval: '5m', startTime: START, endTime: START + 10 * MINUTE })).body),
    ).toEqual([0, 5, 10].map((m) => START + m * MINUTE));
    expect(opens((await klines({ symbol: 'BTCUSDT', interval: '1m', endTime: START + 10 * MINUTE - 1, limit: 2 })).body)).toEqual(
      [8, 9].map((m) => START + m * MINUTE),
    );
    // Never beyond now, never before the simulated listing (historyDays before the start).
    expect(
      opens((await klines({ symbol: 'BTCUSDT', interval: '1m', startTime: END - MINUTE, endTime: END + HOUR })).body),
    ).toEqual([END - MINUTE, END]);
    expect(opens((await klines({ symbol: 'BTCUSDT', interval: '1d', startTime: 0 })).body)).toEqual(
      [-3, -2, -1, 0].map((d) => START + d * 86_400_000),
    );
    expect((await klines({ symbol: 'BTCUSDT', interval: '1m', startTime: END, endTime: START })).body).toEqual([]);
  });

  it('the open candle is reported as of now; parseRestKlines marks only finished candles closed', async () => {
    const { body } = await klines({ symbol: 'BTCUSDT', interval: '15m', startTime: START });
    const parsed = parseRestKlines(body, 'BTCUSDT', '15m', 0, END);
    expect(parsed.errors).toEqual([]);
    expect(parsed.records.map((r) => [r.row.open_time, r.row.is_closed])).toEqual([
      [START, true],
      [START + 900_000, false],
    ]);
    const open = sim.model.market('BTCUSDT').kline(900_000, START + 900_000, END);
    expect(parsed.records[1].row.trade_count).toBe(open.tradeCount);
    expect(open.tradeCount).toBe(sim.model.market('BTCUSDT').tradeCount(START + 900_000, END));
  });

  it('backfills two days of 1m history before the start in three requests', async () => {
    const rows: NormalizedRecord[] = [];
    for (let from = START - 2 * 86_400_000; from < START; from += 1000 * MINUTE) {
      const { body } = await klines({ symbol: 'ETHUSDT', interval: '1m', startTime: from, endTime: START - 1, limit: 1000 });
      const parsed = parseRestKlines(body, 'ETHUSDT', '1m', END, END);
      expect(parsed.errors).toEqual([]);
      rows.push(...parsed.records);
    }
    expect(rows).toHaveLength(2880);
    expect(rows.every((r) => r.row.is_closed && r.row.source === 'rest')).toBe(true);
    expect(rows.filter((r, i) => i > 0 && r.row.open_time !== (rows[i - 1].row.open_time as number) + MINUTE)).toEqual([]);
  });

  it('errors come in Binance format with HTTP 400', async () => {
    expect(await klines({ symbol: 'DOGEUSDT', interval: '1m' })).toEqual({
      status: 400,
      body: { code: -1121, msg: 'Invalid symbol.' },
    });
    expect(await klines({ symbol: 'btcusdt', interval: '1m' })).toEqual({
      status: 400,
      body: { code: -1121, msg: 'Invalid symbol.' },
    });
    expect((await klines({ symbol: 'BTCUSDT', interval: '7m' })).body).toEqual({ code: -1120, msg: 'Invalid interval.' });
    expect((await klines({ interval: '1m' })).body).toMatchObject({ code: -1102 });
    expect((await klines({ symbol: 'BTCUSDT', interval: '1m', limit: 'ten' })).body).toMatchObject({ code: -1100 });
    expect((await klines({ symbol: 'BTCUSDT', interval: '1m', limit: 0 })).body).toMatchObject({ code: -1130 });
    expect((await getJson(`${sim.restBaseUrl}/api/v3/nothing`)).status).toBe(404);
  });
});

describe('clock, pings and fault hooks', () => {
  it('at a fixed speed, simulated time runs with the wall clock and streams follow it', async () => {
    const sim = await startSimulator({ speed: 600, start: START });
    const c = await connect(combinedStreamUrl(sim.wsBaseUrl, ['btcusdt@kline_1m']));
    const first = data(await c.next());
    const second = data(await c.next());
    expect(second.E).toBe((first.E as number) + 2000);
    expect(sim.clock.now()).toBeGreaterThan(START);
    const { body } = await getJson(`${sim.restBaseUrl}/api/v3/time`);
    expect((body as { serverTime: number }).serverTime).toBeGreaterThanOrEqual(second.E as number);
    await c.close();
    await sim.stop();
  });

  it('pings clients and drops those that never answer', async () => {
    const sim = await startSimulator({ speed: 1, start: START, pingIntervalMs: 50, pongTimeoutMs: 500 });
    const polite = await connect(`${sim.wsBaseUrl}/ws`);
    const silent = await connect(`${sim.wsBaseUrl}/ws`, { autoPong: false });
    await withTimeout(new Promise((resolve) => polite.ws.once('ping', resolve)), 'a ping');
    const code = await withTimeout(new Promise((resolve) => silent.ws.once('close', resolve)), 'the silent client to be dropped');
    expect(code).toBe(1006);
    expect(polite.ws.readyState).toBe(polite.ws.OPEN);
    await polite.close();
    await sim.stop();
  });

  it('fault hooks see every frame and REST request', async () => {
    const { sim, client } = await runToEnd(
      {
        end: START + MINUTE,
        faults: {
          wsFrame: (frame, ctx) => (ctx.stream.endsWith('@trade') ? [frame, frame] : [frame]),
          restRequest: (req) =>
            req.path === '/api/v3/klines' ? { status: 429, body: '{"code":-1003,"msg":"Too many requests."}' } : undefined,
        },
      },
      ['btcusdt@trade', 'btcusdt@bookTicker'],
    );
    const trades = client.frames.filter((f) => f.includes('"e":"trade"'));
    expect(trades.length).toBe(2 * sim.model.market('BTCUSDT').tradeCount(START, START + MINUTE));
    expect(trades[0]).toBe(trades[1]);
    expect((await getJson(`${sim.restBaseUrl}/api/v3/klines?symbol=BTCUSDT&interval=1m`)).status).toBe(429);
    expect((await getJson(`${sim.restBaseUrl}/api/v3/ping`)).status).toBe(200);
    await client.close();
    await sim.stop();
  });
});
