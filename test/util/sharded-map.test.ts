import { ShardedMap } from '../../lib/util/sharded-map';

describe("ShardedMap (dedupe buckets past V8's 2^24 entries per Map)", () => {
  it('behaves as one Map for integer, fractional and string keys, spread over its shards', () => {
    const m = new ShardedMap<number | string, number>(4);
    const keys: (number | string)[] = [0, 1, -7, 2 ** 40 + 3, 1.5, -0.25, 'a', 'BTCUSDT|17', ''];
    keys.forEach((k, i) => m.set(k, i));
    keys.forEach((k, i) => expect(m.get(k)).toBe(i));
    expect(m.get(2)).toBeUndefined();
    expect(m.get('b')).toBeUndefined();
    m.set(1, 100);
    expect(m.get(1)).toBe(100);
    expect(m.size).toBe(keys.length);
    // Consecutive ids (trade ids, event times) land on every shard, not one.
    const spread = new ShardedMap<number, number>(16);
    for (let i = 0; i < 1600; i++) spread.set(1_700_000_000_000 + i, i);
    const shards = (spread as unknown as { shards: Map<number, number>[] }).shards.map((s) => s.size);
    expect(shards).toEqual(new Array(16).fill(100));
  }, 10_000);
});
