import pino from 'pino';
import { RestPoller, type RestPollSpec } from '../../lib/collector/rest-poller';
import type { NormalizedRecord } from '../../lib/exchanges/types';

/**
 * The REST poller on a fake clock: when it polls, how long the exchange's refusals pause it and what it
 * reports missed depend on that clock alone, never on how fast the machine runs.
 */

const MIN = 60_000;
const T0 = Date.UTC(2024, 5, 3, 10, 0);

interface Answer {
  status: number;
  retryAfterS?: number;
  body?: string;
}

function harness(answer: (symbol: string, at: number) => Answer | Error, opts: { banPauseMs?: number } = {}) {
  let now = T0 + 7_000;
  const requests: { symbol: string; at: number }[] = [];
  const readings: { symbol: string; at: number }[] = [];
  const missed: { symbol: string; cause: string; at: number }[] = [];
  const spec: RestPollSpec = {
    name: 'open_interest',
    intervalMs: MIN,
    targets: ['BTCUSDT', 'ETHUSDT'].map((symbol) => ({
      symbol,
      url: `http://127.0.0.1:9/oi?symbol=${symbol}`,
      stream: `rest:${symbol}`,
    })),
    parse: (text, receiveMs, symbol) => {
      if (text !== 'ok') return { kind: 'error', reason: `body ${text}` };
      const rec: NormalizedRecord = {
        dataset: 'open_interest',
        symbol,
        stream: `rest:${symbol}`,
        row: { ingest_time: receiveMs },
      };
      return { kind: 'records', records: [rec] };
    },
  };
  const fakeFetch = ((url: string | URL | Request) => {
    const symbol = new URL(url instanceof Request ? url.url : url).searchParams.get('symbol')!;
    requests.push({ symbol, at: now });
    const a = answer(symbol, now);
    if (a instanceof Error) return Promise.reject(a);
    const headers = a.retryAfterS === undefined ? undefined : { 'Retry-After': String(a.retryAfterS) };
    return Promise.resolve(new Response(a.body ?? 'ok', { status: a.status, headers }));
  }) as typeof fetch;
  const poller = new RestPoller({
    spec,
    clock: () => now,
    log: pino({ level: 'silent' }),
    tickMs: 0,
    banPauseMs: opts.banPauseMs,
    fetch: fakeFetch,
    onRecords: (recs) => {
      for (const r of recs) readings.push({ symbol: r.symbol, at: r.row.ingest_time as number });
    },
    onMissed: (t, cause) => missed.push({ symbol: t.symbol, cause, at: now }),
  });
  /** Move the clock to `t` (ms after T0) and let any round that comes due run to its end. */
  const at = async (t: number) => {
    now = T0 + t;
    poller.tick();
    await poller.idle();
  };
  return { poller, requests, readings, missed, at };
}

const ok = (): Answer => ({ status: 200 });

describe('REST poller on an injected clock', () => {
  it('polls at once, then at each interval boundary of its clock; a jump over several periods is one round', async () => {
    const h = harness(ok);
    await h.at(7_000);
    await h.at(59_999);
    await h.at(60_000);
    await h.at(60_000);
    await h.at(119_000);
    await h.at(5 * MIN + 30_000);
    await h.at(5 * MIN + 59_000);
    await h.at(6 * MIN);
    expect(h.requests.map((r) => r.at - T0)).toEqual([7_000, 7_000, 60_000, 60_000, 330_000, 330_000, 360_000, 360_000]);
    // A reading's receive time is the poller's clock, not the wall clock.
    expect(h.readings.map((r) => `${r.symbol}@${r.at - T0}`)).toEqual(h.requests.map((r) => `${r.symbol}@${r.at - T0}`));
    expect(h.poller.stats).toMatchObject({ requests: 8, readings: 8, refused429: 0, refused418: 0, failures: 0 });
    expect(h.missed).toEqual([]);
  });

  it('does nothing before its clock has a time', async () => {
    const h = harness(ok);
    await h.at(-T0);
    expect(h.requests).toEqual([]);
  });

  it('429: pauses for Retry-After on its clock, and the rest of that round is missed without a request', async () => {
    const h = harness((symbol, at) => (symbol === 'BTCUSDT' && at - T0 < 90_000 ? { status: 429, retryAfterS: 90 } : ok()));
    await h.at(0);
    expect(h.requests.map((r) => r.symbol)).toEqual(['BTCUSDT']);
    expect(h.missed.map((m) => `${m.symbol}:${m.cause}`)).toEqual(['BTCUSDT:rest_refused', 'ETHUSDT:rest_refused']);
    expect(h.poller.stats.pausedUntil).toBe(T0 + 90_000);
    // The minute boundary falls inside the pause: no request, and nothing new reported missed.
    await h.at(MIN);
    await h.at(89_999);
    expect(h.requests).toHaveLength(1);
    expect(h.missed).toHaveLength(2);
    // The pause over, the late round runs; the next one is back on the boundary.
    await h.at(90_000);
    await h.at(2 * MIN);
    expect(h.requests.map((r) => `${r.symbol}@${r.at - T0}`)).toEqual([
      'BTCUSDT@0',
      'BTCUSDT@90000',
      'ETHUSDT@90000',
      'BTCUSDT@120000',
      'ETHUSDT@120000',
    ]);
    expect(h.poller.stats).toMatchObject({ refused429: 1, refused418: 0, readings: 4 });
  });

  it('418: backs off the ban pause, doubling while bans recur; a reading resets it', async () => {
    let banned = true;
    const h = harness(() => (banned ? { status: 418, retryAfterS: 1 } : ok()), { banPauseMs: 2 * MIN });
    await h.at(0);
    expect(h.poller.stats.pausedUntil).toBe(T0 + 2 * MIN);
    await h.at(2 * MIN - 1);
    await h.at(2 * MIN);
    expect(h.poller.stats.pausedUntil).toBe(T0 + 2 * MIN + 4 * MIN);
    await h.at(6 * MIN);
    expect(h.poller.stats.pausedUntil).toBe(T0 + 6 * MIN + 8 * MIN);
    banned = false;
    await h.at(14 * MIN);
    banned = true;
    await h.at(15 * MIN);
    expect(h.poller.stats.pausedUntil).toBe(T0 + 15 * MIN + 2 * MIN);
    expect(h.requests.map((r) => (r.at - T0) / MIN)).toEqual([0, 2, 6, 14, 14, 15]);
    expect(h.poller.stats).toMatchObject({ refused418: 4, readings: 2 });
  });

  it('a failed request, an HTTP error and an unparseable body are each a missed reading (rest_failed)', async () => {
    const answers: (Answer | Error)[] = [new Error('connect ECONNREFUSED'), { status: 500 }, { status: 200, body: '{' }, ok()];
    let i = 0;
    const h = harness(() => answers[i++ % answers.length]);
    await h.at(0);
    await h.at(MIN);
    expect(h.missed.map((m) => `${m.symbol}:${m.cause}`)).toEqual([
      'BTCUSDT:rest_failed',
      'ETHUSDT:rest_failed',
      'BTCUSDT:rest_failed',
    ]);
    expect(h.readings.map((r) => r.symbol)).toEqual(['ETHUSDT']);
    expect(h.poller.stats).toMatchObject({ requests: 4, readings: 1, failures: 3 });
  });
});
