/**
 * A Map split over several Maps by key, because V8 refuses more than 2^24 (16,777,216) entries in one Map
 * ("Map maximum size exceeded"): a day of a liquid perpetual's top-of-book updates is about that many rows
 * (docs/scaling.md, "Sizing"). 16 shards lift the ceiling to 268 M keys; lookups cost one extra hash.
 */
export class ShardedMap<K extends number | string, V> {
  private readonly shards: Map<K, V>[];

  constructor(shardCount = 16) {
    this.shards = Array.from({ length: shardCount }, () => new Map<K, V>());
  }

  private shard(key: K): Map<K, V> {
    return this.shards[shardIndex(key, this.shards.length)];
  }

  get(key: K): V | undefined {
    return this.shard(key).get(key);
  }

  set(key: K, value: V): this {
    this.shard(key).set(key, value);
    return this;
  }

  get size(): number {
    return this.shards.reduce((n, s) => n + s.size, 0);
  }
}

/** Spreads keys evenly: integers (ids, epoch ms) by value, other numbers and strings by a cheap string hash. */
function shardIndex(key: number | string, shards: number): number {
  if (typeof key === 'number' && Number.isSafeInteger(key)) return ((key % shards) + shards) % shards;
  const text = String(key);
  let hash = 2166136261;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 16777619);
  return (hash >>> 0) % shards;
}
