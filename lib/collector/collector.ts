import type { ExchangeAdapter, NormalizedRecord } from '../exchanges/types';
import { baseQuote } from '../exchanges/symbols';
import type { ExchangeId } from '../schema/columns';
import type { ObjectStore } from '../storage/object-store';
import { logger, type Logger } from '../util/log';
import { BronzeBuffers, type BufferedPartition } from './bronze-buffers';
import { DEFAULT_FLUSH_INTERVAL_MS } from './flush-interval';
import { writeBronze, type WrittenFile } from './bronze-writer';
import { CollectorStats, type CollectorSnapshot } from './stats';
import { WsConnection, type Backoff } from './ws-connection';

/**
 * The collector core (SPEC §4): one WebSocket per exchange, every message through the exchange's adapter into
 * Bronze buffers, flushed as Parquet every `flushIntervalMs` of event time (5 minutes by default; hour
 * boundaries are 5-minute boundaries too) and on stop. Interruptions become rows of the `gaps` ledger.
 */

export interface CollectorOptions {
  exchange: ExchangeId;
  adapter: ExchangeAdapter;
  /** Full WebSocket URL including the stream list. */
  url: string;
  store: ObjectStore;
  flushIntervalMs?: number;
  /** Local receive clock (the simulator's clock in demos and tests). */
  now?: () => number;
  /**
   * Stamp receive times from the latest exchange event time seen on the connection instead of `now`. For
   * simulators and replays, whose clock runs ahead of what the client has read: messages without an event
   * time of their own (Binance spot depth10 and bookTicker) then land at the right moment.
   */
  receiveTimeFromEvents?: boolean;
  silentTimeoutMs?: number;
  backoff?: Backoff;
  log?: Logger;
  onFlush?(files: WrittenFile[]): void;
}


/** Datasets whose event time always comes from the exchange (book snapshots and quotes may carry receive time). */
const EXCHANGE_STAMPED: ReadonlySet<string> = new Set(['trades', 'klines', 'funding', 'open_interest', 'liquidations']);

export class Collector {
  readonly buffers: BronzeBuffers;
  readonly stats: CollectorStats;
  private readonly conn: WsConnection;
  private readonly flushIntervalMs: number;
  private readonly now: () => number;
  private readonly log: Logger;
  private flushSlot = -1;
  private flushing: Promise<void> = Promise.resolve();
  private readonly unwritten: BufferedPartition[] = [];
  /** Latest event time the exchange itself stamped (see receiveTimeFromEvents). */
  private latestEventMs = 0;
  /** Last event time per stream, and open interruptions waiting for the stream's next event. */
  private readonly lastEventByStream = new Map<string, { symbol: string; t: number }>();
  private readonly openGaps = new Map<string, { start: number; cause: string }>();

  constructor(private readonly o: CollectorOptions) {
    this.flushIntervalMs = o.flushIntervalMs ?? DEFAULT_FLUSH_INTERVAL_MS;
    this.now = o.now ?? Date.now;
    this.log = o.log ?? logger('collector');
    this.buffers = new BronzeBuffers(o.exchange);
    this.stats = new CollectorStats(this.now);
    this.conn = new WsConnection({
      url: o.url, now: this.now, log: this.log, silentTimeoutMs: o.silentTimeoutMs, backoff: o.backoff,
      onMessage: (raw, receiveMs) => this.onMessage(raw, receiveMs),
      onDrop: (cause) => this.onDrop(cause),
    });
  }

  start(): Promise<void> {
    return this.conn.start();
  }

  /** Closes the connection and flushes everything buffered. */
  async stop(): Promise<void> {
    await this.conn.stop();
    await this.flush();
  }

  snapshot(): CollectorSnapshot {
    return this.stats.snapshot(this.buffers.bufferedRows, this.conn.reconnects);
  }

  /** Maps and buffers one raw message; exposed so captures can be replayed through the same path. */
  onMessage(raw: string, receivedAt: number): void {
    const receiveMs = this.o.receiveTimeFromEvents && this.latestEventMs > 0 ? this.latestEventMs : receivedAt;
    const out = this.o.adapter.parse(raw, receiveMs);
    this.stats.message(out, raw);
    if (out.kind !== 'records') return;
    let maxEvent = -Infinity;
    for (const rec of out.records) {
      if (!this.buffers.add(rec)) { this.stats.rejected('no usable event time', raw); continue; }
      const t = this.eventTime(rec);
      this.trackStream(rec, t);
      if (t > maxEvent) maxEvent = t;
      if (EXCHANGE_STAMPED.has(rec.dataset) && t > this.latestEventMs) this.latestEventMs = t;
    }
    if (maxEvent > -Infinity) this.advanceEventClock(maxEvent);
  }


  private eventTime(rec: NormalizedRecord): number {
    // Klines partition by open time, but their stream's clock is the message's event time.
    const t = rec.row.event_time ?? rec.row.open_time;
    return typeof t === 'number' ? t : NaN;
  }

  private trackStream(rec: NormalizedRecord, t: number): void {
    const gap = this.openGaps.get(rec.stream);
    if (gap) {
      this.openGaps.delete(rec.stream);
      this.recordGap(rec.stream, rec.symbol, gap.start, t, gap.cause);
    }
    this.lastEventByStream.set(rec.stream, { symbol: rec.symbol, t });
    this.stats.event(rec.stream, t);
  }

  private onDrop(cause: string): void {
    for (const [stream, last] of this.lastEventByStream) this.openGaps.set(stream, { start: last.t, cause: cause.startsWith('silent') ? 'silent_stream' : 'reconnect' });
  }

  private recordGap(stream: string, symbol: string, start: number, end: number, cause: string): void {
    const { base, quote } = baseQuote(symbol);
    const detected = this.now();
    this.buffers.add({
      dataset: 'gaps', symbol, stream,
      row: { stream, start_time: start, end_time: end, cause, detected_at: detected, base, quote, ingest_time: detected, source: 'ws' },
    });
    this.stats.gap();
  }

  private advanceEventClock(t: number): void {
    const slot = Math.floor(t / this.flushIntervalMs);
    if (this.flushSlot < 0) { this.flushSlot = slot; return; }
    if (slot > this.flushSlot) {
      this.flushSlot = slot;
      void this.flush();
    }
  }

  /**
   * Writes every buffer now; flushes are serialized so files never interleave. Partitions whose write failed
   * stay queued and are retried by the next flush, so a failing store never drops rows.
   */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      const parts = [...this.unwritten.splice(0), ...this.buffers.drain()];
      if (parts.length === 0) return;
      const started = Date.now();
      const files = [];
      for (const p of parts) {
        try {
          files.push(...(await writeBronze(this.o.store, [p])));
        } catch (err) {
          this.unwritten.push(p);
          this.stats.flushFailed();
          this.log.error({ err: (err as Error).message, dataset: p.spec.name, ...p.values }, 'bronze write failed; will retry');
        }
      }
      this.stats.flushed(files, Date.now() - started);
      if (files.length) this.o.onFlush?.(files);
    });
    return this.flushing;
  }

  /** Rows whose Bronze write has failed and not yet succeeded. */
  get unwrittenRows(): number {
    return this.unwritten.reduce((n, p) => n + p.table.length, 0);
  }
}
