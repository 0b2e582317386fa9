/**
 * How often the collector writes its buffers, in event time (5 minutes,
 * docs/collector.md#never-losing-what-was-received). Its own module so readers of the lake (the self-heal, which must
 * not fetch minutes still in a collector's buffer) need not import the collector and its WebSocket client.
 */
export const DEFAULT_FLUSH_INTERVAL_MS = 5 * 60_000;
