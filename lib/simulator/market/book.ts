import type { Rng } from './rng';

/**
 * Top-10 order book at a 100 ms tick, in ticks and lot steps. The book is anchored on the last trade: a trade
 * that hit the bid leaves that price as the best bid, one that lifted the offer leaves it as the best ask, so
 * best bid ≤ last trade price ≤ best ask holds at every tick by construction.
 */

export const BOOK_DEPTH = 10;
export const TICK_MS = 100;

export interface LastTrade {
  id: number;
  price: number;
  buyerMaker: boolean;
}

export interface Book {
  time: number;
  /** Order-book update id: advances with time and with every trade, like an exchange's book sequence. */
  updateId: number;
  // Plain arrays: a book is built every 100 ms per symbol, and small typed arrays are slow to allocate.
  bidPx: number[];
  bidSz: number[];
  askPx: number[];
  askSz: number[];
}

/** Share of levels holding a large resting order (the "whales" Gold looks for). */
const LARGE_ORDER_SHARE = 0.03;

/** `rng` must be seeded for this symbol and tick; `meanSteps` is the mean trade size in lot steps. */
export function buildBook(rng: Rng, time: number, last: LastTrade, meanSteps: number): Book {
  const spread = pick(rng.next(), 0.8, 0.95);
  const bestBid = last.buyerMaker ? last.price : last.price - spread;
  const book: Book = {
    time,
    updateId: time / TICK_MS + last.id,
    bidPx: [],
    bidSz: [],
    askPx: [],
    askSz: [],
  };
  let bid = bestBid;
  let ask = bestBid + spread;
  for (let i = 0; i < BOOK_DEPTH; i++) {
    if (i > 0) {
      bid -= pick(rng.next(), 0.6, 0.9);
      ask += pick(rng.next(), 0.6, 0.9);
    }
    book.bidPx.push(bid);
    book.askPx.push(ask);
    // Deeper levels rest more size, as on a real book.
    const depthFactor = meanSteps * (1 + 0.5 * i);
    book.bidSz.push(size(rng, depthFactor));
    book.askSz.push(size(rng, depthFactor));
  }
  return book;
}

/** 1, 2 or 3 (ticks) with cumulative probabilities p1, p2. */
const pick = (u: number, p1: number, p2: number): number => (u < p1 ? 1 : u < p2 ? 2 : 3);

/** Mostly 0.2–1.8× the level's mean size, sometimes 5–15×; no transcendental functions, as this runs 200 times a second per symbol. */
function size(rng: Rng, mean: number): number {
  const u = rng.next();
  const factor = u < LARGE_ORDER_SHARE ? 5 + 10 * rng.next() : 0.2 + 1.6 * rng.next();
  return Math.max(1, Math.round(mean * factor));
}
