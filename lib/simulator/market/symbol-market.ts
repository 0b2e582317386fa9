import { BoundedCache } from './bounded-cache';
import { buildBook, TICK_MS, type Book, type LastTrade } from './book';
import type { InstrumentSpec } from './instruments';
import { emptyKline, flatKline, mergeKline, type Kline } from './kline';
import { MINUTE_MS } from '../../util/time';
import { arrivalOffsets, PricePath, SALT } from './price-path';
import { keyHash, Rng } from './rng';

/**
 * One symbol's market, random-access by time: the trades of any minute, klines of any interval as of any time,
 * and the top-10 book at any 100 ms tick. Within a minute the price follows a Brownian bridge between the path's
 * minute opens, sampled at the trades' Poisson arrival times.
 */

/** A trade in model units: price in ticks, qty in lot steps. */
export interface Trade {
  id: number;
  time: number;
  price: number;
  qty: number;
  buyerMaker: boolean;
}

/** The trades of one minute, as columns. */
export interface MinuteTrades {
  minute: number;
  firstId: number;
  count: number;
  time: Float64Array;
  price: Float64Array;
  qty: Float64Array;
  /** 1 when the buyer was the maker (the taker sold). */
  buyerMaker: Uint8Array;
}

const QTY_SIGMA = 1;
/** Upticks are mostly buyer-initiated, downticks mostly seller-initiated. */
const BUYER_TAKER_ON_UPTICK = 0.65;
/** How far back a quiet market looks for its last trade before falling back to the path price. */
const LAST_TRADE_LOOKBACK_MINUTES = 7 * 1440;

export class SymbolMarket {
  readonly priceScale: number;
  readonly qtyScale: number;
  private readonly meanSteps: number;
  private readonly key: number;
  private readonly path: PricePath;
  private readonly rng = new Rng();
  private readonly offsets: number[] = [];
  private readonly minutes = new BoundedCache<number, MinuteTrades>(64);
  private readonly minuteKlines = new BoundedCache<number, Kline>(100_000);

  constructor(
    readonly spec: InstrumentSpec,
    symbolKey: number,
    anchorMinute: number,
  ) {
    this.key = symbolKey;
    this.path = new PricePath(spec, symbolKey, anchorMinute);
    this.priceScale = 10 ** spec.priceDecimals;
    this.qtyScale = 10 ** spec.qtyDecimals;
    this.meanSteps = Math.max(1, spec.meanTradeQty * this.qtyScale);
  }

  minuteTrades(minute: number): MinuteTrades {
    return this.minutes.get(minute) ?? this.minutes.set(minute, this.generate(minute));
  }

  /** Trades with from ≤ time < to, in id order. */
  trades(fromMs: number, toMs: number): Trade[] {
    const out: Trade[] = [];
    for (let m = Math.floor(fromMs / MINUTE_MS); m * MINUTE_MS < toMs; m++) {
      const mt = this.minuteTrades(m);
      for (let i = 0; i < mt.count; i++) {
        const time = mt.time[i];
        if (time >= fromMs && time < toMs)
          out.push({ id: mt.firstId + i, time, price: mt.price[i], qty: mt.qty[i], buyerMaker: mt.buyerMaker[i] === 1 });
      }
    }
    return out;
  }

  /** Id of the first trade at or after `t` (the next id when nothing trades from `t` on within its minute). */
  firstTradeIdAt(t: number): number {
    const minute = Math.floor(t / MINUTE_MS);
    const mt = this.minuteTrades(minute);
    let i = 0;
    while (i < mt.count && mt.time[i] < t) i++;
    return mt.firstId + i;
  }

  /**
   * Up to `limit` trades with id ≥ `fromId` and time < `beforeMs`, in id order, found by a binary search over
   * the minutes' first ids from `oldestMinute` on (ids are consecutive across minutes). Empty when `fromId` is
   * before `oldestMinute` or has not traded by `beforeMs`.
   */
  tradesFromId(fromId: number, beforeMs: number, limit: number, oldestMinute: number): Trade[] {
    let lo = oldestMinute;
    let hi = Math.floor((beforeMs - 1) / MINUTE_MS);
    if (hi < lo || this.path.firstTradeId(lo) > fromId) return [];
    // The last minute whose first id is ≤ fromId.
    while (lo < hi) {
      const mid = lo + Math.ceil((hi - lo) / 2);
      if (this.path.firstTradeId(mid) <= fromId) lo = mid;
      else hi = mid - 1;
    }
    const out: Trade[] = [];
    for (let m = lo; m * MINUTE_MS < beforeMs && out.length < limit; m++) {
      const mt = this.minuteTrades(m);
      for (let i = Math.max(0, fromId - mt.firstId); i < mt.count && out.length < limit; i++) {
        const time = mt.time[i];
        if (time >= beforeMs) return out;
        out.push({ id: mt.firstId + i, time, price: mt.price[i], qty: mt.qty[i], buyerMaker: mt.buyerMaker[i] === 1 });
      }
    }
    return out;
  }

  /** Number of trades with from ≤ time < to, without generating the minutes in between. */
  tradeCount(fromMs: number, toMs: number): number {
    const first = Math.floor(fromMs / MINUTE_MS);
    const last = Math.ceil(toMs / MINUTE_MS) - 1;
    let n = 0;
    for (let m = first; m <= last; m++) {
      if (m > first && m < last) n += this.path.tradeCount(m);
      else {
        const mt = this.minuteTrades(m);
        for (let i = 0; i < mt.count; i++) if (mt.time[i] >= fromMs && mt.time[i] < toMs) n++;
      }
    }
    return n;
  }

  /** The last trade strictly before `t`; on a market silent for a week, the path price stands in. */
  lastTradeBefore(t: number): LastTrade {
    const minute = Math.floor(t / MINUTE_MS);
    for (let m = minute; m > minute - LAST_TRADE_LOOKBACK_MINUTES; m--) {
      if (this.path.tradeCount(m) === 0) continue;
      const mt = this.minuteTrades(m);
      let i = mt.count - 1;
      while (i >= 0 && mt.time[i] >= t) i--;
      if (i >= 0) return { id: mt.firstId + i, price: mt.price[i], buyerMaker: mt.buyerMaker[i] === 1 };
    }
    return {
      id: this.path.firstTradeId(minute) - 1,
      price: Math.round(Math.exp(this.path.logOpen(minute)) * this.priceScale),
      buyerMaker: true,
    };
  }

  /** Kline of the interval [openTime, openTime + lengthMs) from the trades before `asOfMs` (default: all of them). */
  kline(lengthMs: number, openTime: number, asOfMs = Infinity): Kline {
    const end = Math.min(openTime + lengthMs, asOfMs);
    const k = emptyKline(openTime, lengthMs);
    for (let m = Math.floor(openTime / MINUTE_MS); m * MINUTE_MS < end; m++) {
      if ((m + 1) * MINUTE_MS <= end) mergeKline(k, this.minuteKline(m));
      else mergeKline(k, this.aggregate(this.minuteTrades(m), end));
    }
    if (k.tradeCount === 0) flatKline(k, this.lastTradeBefore(openTime).price);
    return k;
  }

  /** Book at the 100 ms tick at or before `time`. */
  bookAt(time: number): Book {
    const tick = Math.floor(time / TICK_MS) * TICK_MS;
    return this.bookWith(tick, this.lastTradeBefore(tick));
  }

  /** Book at `tick` when the caller already knows the last trade before it (sequential walkers). */
  bookWith(tick: number, last: LastTrade): Book {
    return buildBook(this.rng.seed(keyHash(this.key, SALT.book, tick / TICK_MS)), tick, last, this.meanSteps);
  }

  private minuteKline(minute: number): Kline {
    return this.minuteKlines.get(minute) ?? this.minuteKlines.set(minute, this.aggregate(this.minuteTrades(minute), Infinity));
  }

  /** Kline part from the minute's trades before `end`. */
  private aggregate(mt: MinuteTrades, end: number): Kline {
    const k = emptyKline(mt.minute * MINUTE_MS, MINUTE_MS);
    let n = 0;
    while (n < mt.count && mt.time[n] < end) n++;
    if (n === 0) return k;
    k.open = k.high = k.low = mt.price[0];
    k.close = mt.price[n - 1];
    k.firstTradeId = mt.firstId;
    k.lastTradeId = mt.firstId + n - 1;
    k.tradeCount = n;
    for (let i = 0; i < n; i++) {
      const p = mt.price[i];
      const q = mt.qty[i];
      if (p > k.high) k.high = p;
      if (p < k.low) k.low = p;
      k.volume += q;
      k.quoteVolume += p * q;
      if (mt.buyerMaker[i] === 0) {
        k.takerBuyVolume += q;
        k.takerBuyQuoteVolume += p * q;
      }
    }
    return k;
  }

  private generate(minute: number): MinuteTrades {
    const x0 = this.path.logOpen(minute);
    const x1 = this.path.logOpen(minute + 1);
    const firstId = this.path.firstTradeId(minute);
    const n = arrivalOffsets(this.rng.seed(keyHash(this.key, SALT.arrivals, minute)), this.spec.tradesPerMinute, this.offsets);
    const mt: MinuteTrades = {
      minute,
      firstId,
      count: n,
      time: new Float64Array(n),
      price: new Float64Array(n),
      qty: new Float64Array(n),
      buyerMaker: new Uint8Array(n),
    };
    const rng = this.rng.seed(keyHash(this.key, SALT.trades, minute));
    const varPerMs = (this.spec.minuteVolatility * this.spec.minuteVolatility) / MINUTE_MS;
    const start = minute * MINUTE_MS;
    let tPrev = 0;
    let xPrev = x0;
    for (let i = 0; i < n; i++) {
      // Brownian bridge from (tPrev, xPrev) to the next minute's open (MINUTE_MS, x1).
      const t = this.offsets[i];
      const left = MINUTE_MS - tPrev;
      const dt = t - tPrev;
      const x = xPrev + (dt / left) * (x1 - xPrev) + Math.sqrt((varPerMs * dt * (MINUTE_MS - t)) / left) * rng.gaussian();
      mt.time[i] = start + Math.floor(t);
      mt.price[i] = Math.max(1, Math.round(Math.exp(x) * this.priceScale));
      const buyerTaker = rng.next() < (x >= xPrev ? BUYER_TAKER_ON_UPTICK : 1 - BUYER_TAKER_ON_UPTICK);
      mt.buyerMaker[i] = buyerTaker ? 0 : 1;
      mt.qty[i] = Math.max(1, Math.round(this.meanSteps * Math.exp(QTY_SIGMA * rng.gaussian() - (QTY_SIGMA * QTY_SIGMA) / 2)));
      tPrev = t;
      xPrev = x;
    }
    return mt;
  }
}
