import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { seededRandom as rng } from '../../../lib/simulator/market/rng';
import { TESTDATA } from '../../../test/helpers/testdata';

/**
 * Inputs of the collector bench: the real Binance captures (hftbacktest, `<receive ns> <combined-stream JSON>`
 * per line) and synthesized depth10@100ms partial-depth messages, since the captures hold diff depth only.
 */

export interface Message {
  receiveMs: number;
  raw: string;
}

export const SPOT_FILES = ['spot_btcusdt_20240808.gz', 'spot_btcusdt_20240809.gz', 'spot_ethusdt_20240808.gz'] as const;
export const FUTURES_FILES = ['usdm_btcusdt_20240808.gz'] as const;

export function readCapture(file: string): Message[] {
  const text = zlib.gunzipSync(fs.readFileSync(path.join(TESTDATA, 'hftbacktest_ws', file))).toString('utf8');
  const out: Message[] = [];
  for (const line of text.split('\n')) {
    const sp = line.indexOf(' ');
    if (sp <= 0) continue;
    out.push({ receiveMs: Math.floor(Number(line.slice(0, sp)) / 1e6), raw: line.slice(sp + 1) });
  }
  return out;
}

/** 8-place decimal strings, as Binance spot prints them. */
const dec8 = (units: number): string => {
  const s = String(units).padStart(9, '0');
  return `${s.slice(0, -8)}.${s.slice(-8)}`;
};

/**
 * One Binance spot depth10@100ms message (combined-stream envelope) around `bid` (in cents): 10 levels a tick
 * or a few apart on each side, sizes up to a few units.
 */
export function depth10Message(
  stream: string,
  lastUpdateId: number,
  bidCents: number,
  spreadCents: number,
  r: () => number,
): string {
  let bids = '';
  let asks = '';
  let b = bidCents;
  let a = bidCents + Math.max(1, spreadCents);
  for (let i = 0; i < 10; i++) {
    const sep = i === 0 ? '' : ',';
    bids += `${sep}["${dec8(b * 1e6)}","${dec8(Math.floor(r() * 5e8) + 1000)}"]`;
    asks += `${sep}["${dec8(a * 1e6)}","${dec8(Math.floor(r() * 5e8) + 1000)}"]`;
    b -= 1 + Math.floor(r() * 3);
    a += 1 + Math.floor(r() * 3);
  }
  return `{"stream":"${stream}","data":{"lastUpdateId":${lastUpdateId},"bids":[${bids}],"asks":[${asks}]}}`;
}

const BOOK_TICKER = /"stream":"(\w+)@bookTicker".*"b":"([\d.]+)".*"a":"([\d.]+)"/;

/**
 * The spot captures merged by receive time, with a depth10@100ms message per symbol every 100 ms while that
 * symbol's capture runs, built around its latest bookTicker: the message mix of what we subscribe to (diff depth
 * stays in, and is skipped by the adapter as it would be).
 */
export function spotMix(): { messages: Message[]; depth10: number } {
  const perFile = SPOT_FILES.map(readCapture);
  const all = perFile.flat().sort((x, y) => x.receiveMs - y.receiveMs);
  const spans = new Map<string, { from: number; to: number }[]>();
  SPOT_FILES.forEach((f, i) => {
    const sym = f.split('_')[1];
    const m = perFile[i];
    spans.set(sym, [...(spans.get(sym) ?? []), { from: m[0].receiveMs, to: m[m.length - 1].receiveMs }]);
  });
  const live = (sym: string, t: number) => spans.get(sym)!.some((s) => t >= s.from && t <= s.to);
  const r = rng(42);
  const state = new Map<string, { bid: number; spread: number; next: number; id: number }>();
  const out: Message[] = [];
  let depth10 = 0;
  for (const m of all) {
    for (const [sym, s] of state) {
      while (s.next <= m.receiveMs) {
        if (live(sym, s.next)) {
          out.push({ receiveMs: s.next, raw: depth10Message(`${sym}@depth10@100ms`, s.id++, s.bid, s.spread, r) });
          depth10++;
        }
        s.next += 100;
      }
    }
    const bt = BOOK_TICKER.exec(m.raw);
    if (bt) {
      const bid = Math.round(Number(bt[2]) * 100);
      const spread = Math.round(Number(bt[3]) * 100) - bid;
      const s = state.get(bt[1]);
      if (s) {
        s.bid = bid;
        s.spread = spread;
      } else state.set(bt[1], { bid, spread, next: Math.ceil(m.receiveMs / 100) * 100, id: 1 });
    }
    out.push(m);
  }
  return { messages: out, depth10 };
}

/** One hour of one symbol's depth10@100ms (36,000 messages), generated lazily from a random walk. */
export function* depth10Hour(startMs: number, symbol = 'btcusdt'): Generator<Message> {
  const r = rng(7);
  let bid = 6_100_000;
  for (let i = 0; i < 36_000; i++) {
    bid += Math.floor(r() * 5) - 2;
    yield { receiveMs: startMs + i * 100, raw: depth10Message(`${symbol}@depth10@100ms`, 1_000_000 + i, bid, 1, r) };
  }
}
