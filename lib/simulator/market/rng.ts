/**
 * Deterministic randomness addressed by key. Every random quantity of the market (a minute's price step, its
 * trade arrivals, a 100 ms book) is drawn from a generator seeded by hashing (seed, symbol, purpose, index), so
 * any minute or tick can be produced on its own, in any order, and always comes out the same.
 */

export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

function mix32(h: number, v: number): number {
  h = Math.imul(h ^ v, 0x9e3779b1);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

const TWO_32 = 4294967296;

/** Hash of (base, salt, index); index may exceed 32 bits (100 ms ticks since 1970 do). */
export function keyHash(base: number, salt: number, index: number): number {
  const hi = Math.floor(index / TWO_32);
  return mix32(mix32(base ^ salt, hi), index >>> 0);
}

/** mulberry32: small and fast; each seeded stream is used for at most a few thousand draws. */
export class Rng {
  private state = 0;
  private spare = NaN;

  seed(s: number): this {
    this.state = s | 0;
    this.spare = NaN;
    return this;
  }

  /** Uniform in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / TWO_32;
  }

  /** Standard normal (Box-Muller, second value kept for the next call). */
  gaussian(): number {
    if (this.spare === this.spare) {
      const z = this.spare;
      this.spare = NaN;
      return z;
    }
    const u = 1 - this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    const a = 2 * Math.PI * this.next();
    this.spare = r * Math.sin(a);
    return r * Math.cos(a);
  }

  /** Exponential with the given mean. */
  exponential(mean: number): number {
    return -mean * Math.log(1 - this.next());
  }
}

/** A seeded uniform [0, 1) source as a plain function, for code that only needs `random()`. */
export function seededRandom(seed: number): () => number {
  const r = new Rng().seed(seed);
  return () => r.next();
}
