import { Rng } from '../../lib/simulator/market/rng';

/** A deterministic shuffle (Fisher-Yates on mulberry32 seeded with `seed`) of a copy of `items`. */
export function seededShuffle<T>(items: readonly T[], seed: number): T[] {
  const rng = new Rng().seed(seed);
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}
