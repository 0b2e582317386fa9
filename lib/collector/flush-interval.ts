/**
 * How often the collector writes its buffers, in event time (SPEC §4: 5 minutes). Its own module so readers
 * of the lake (the self-heal, which must not fetch minutes still in a collector's buffer) need not import the
 * collector and its WebSocket client.
 */
export const DEFAULT_FLUSH_INTERVAL_MS = 5 * 60_000;
