import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { ExchangeAdapter, NormalizedRecord, ParseOutcome } from '../exchanges/types';
import { baseQuote } from '../exchanges/symbols';
import type { ExchangeId } from '../schema/columns';
import type { ObjectStore } from '../storage/object-store';
import { logger, type Logger } from '../util/log';
import { BronzeBuffers, type BufferedPartition } from './bronze-buffers';
import { DEFAULT_FLUSH_INTERVAL_MS } from './flush-interval';
import { writeBronze, type WrittenFile } from './bronze-writer';
import { ManagedConnection, type ConnectionSpec } from './managed-connection';
import { RestPoller, type RestPollSpec } from './rest-poller';
import { CollectorStats, type CollectorSnapshot } from './stats';
import type { Backoff } from './ws-connection';

/**
 * The collector core (SPEC §4): one or more WebSockets per exchange (split at the exchange's stream limit),
 * every message through the exchange's adapter into Bronze buffers, flushed as Parquet every `flushIntervalMs`
 * of event time (5 minutes by default; hour boundaries are 5-minute boundaries too) and on stop. Every
 * interruption of a stream — reconnect, silence, a trade-id jump, a failed book checksum — becomes a row of
 * the `gaps` ledger.
 */

export interface CollectorOptions {
  exchange: ExchangeId;
  adapter: ExchangeAdapter;
  /** Full WebSocket URL including the stream list (one connection); or `connections`. */
  url?: string;
  connections?: readonly ConnectionSpec[];
  store: ObjectStore;
  flushIntervalMs?: number;
  /** Local receive clock (the simulator's clock in demos and tests). */
  now?: () => number;
  /**
   * Stamp receive times from the latest exchange event time seen on the connection instead of `now`. For
   * simulators and replays, whose clock runs ahead of what the client has read: messages without an event
   * time of their own (Binance spot depth10 and bookTicker) then land at the right moment. Connection ages
   * and stream silences are then measured in event time too.
   */
  receiveTimeFromEvents?: boolean;
  /** Reconnect a socket that receives nothing at all for this long (wall clock). */
  silentTimeoutMs?: number;
  /** A stream of a dataset that has seen no event for this long while its connection delivers is silent. */
  streamSilenceMs?: Partial<Record<string, number>>;
  /** Exchange trade ids are consecutive per symbol, so a jump is a gap (Binance). */
  contiguousTradeIds?: boolean;
  /** Messages that re-synchronise one symbol's stream after the adapter asks for it (Kraken book checksums). */
  resyncMessages?(symbol: string, stream: string): string[];
  maxConnectionAgeMs?: number;
  backoff?: Backoff;
  log?: Logger;
  onFlush?(files: WrittenFile[]): void;
  /** REST endpoints polled on their own timers (open interest). */
  polls?: readonly RestPollSpec[];
  /** Least pause after an HTTP 418 from a polled endpoint (default 2 min). */
  restBanPauseMs?: number;
  /**
   * Where the last event time of each stream is kept across restarts: a restarted collector ledgers the time
   * it was away (cause `restart`) from there to each stream's first new event.
   */
  stateFile?: string;
  /** Replaces the direct store write (the spooling uploader); returns the files written. */
  write?(parts: readonly BufferedPartition[]): Promise<WrittenFile[]>;
}

/** Datasets whose event time always comes from the exchange (book snapshots and quotes may carry receive time): the clock-skew sample. */
const EXCHANGE_STAMPED: ReadonlySet<string> = new Set(['trades', 'klines', 'funding', 'open_interest', 'liquidations']);

/**
 * Silence thresholds per dataset for streams that have a cadence: Binance pushes a kline every ~2 s and a
 * closed one every interval, depth10 every 100 ms, markPrice every second. Trades, quotes and liquidations
 * follow the market and may legitimately pause.
 */
export const DEFAULT_STREAM_SILENCE_MS: Readonly<Record<string, number>> = { klines: 90_000, book_top10: 60_000, funding: 30_000 };
/** How often (collector clock) streams are checked for silence. */
const SILENCE_CHECK_MS = 5_000;

interface StreamState {
  symbol: string;
  dataset: string;
  lastEvent: number;
  conn?: ManagedConnection;
  /** When silence was last acted on; a stream that stays silent is retried every two silence periods. */
  flaggedAt?: number;
}

export class Collector {
  readonly buffers: BronzeBuffers;
  readonly stats: CollectorStats;
  private readonly conns: ManagedConnection[];
  private readonly flushIntervalMs: number;
  private readonly now: () => number;
  private readonly log: Logger;
  private flushSlot = -1;
  private flushing: Promise<void> = Promise.resolve();
  private readonly unwritten: BufferedPartition[] = [];
  /** Rows of the flush under way not yet written (a hung store holds them here). */
  private inFlightRows = 0;
  /** Latest event time seen (see receiveTimeFromEvents); receive-stamped rows carry this same clock, so they cannot lead it. */
  private latestEventMs = 0;
  private readonly streams = new Map<string, StreamState>();
  /** Open interruptions waiting for the stream's next event. */
  private readonly openGaps = new Map<string, { symbol: string; start: number; cause: string }>();
  private readonly lastTradeId = new Map<string, { id: number; t: number }>();
  private nextSilenceCheck = 0;
  private seeded = false;
  private stopped = false;
  private readonly messageListeners = new Set<() => void>();
  private readonly silence: Record<string, number>;
  readonly pollers: RestPoller[];

  constructor(private readonly o: CollectorOptions) {
    this.flushIntervalMs = o.flushIntervalMs ?? DEFAULT_FLUSH_INTERVAL_MS;
    this.now = o.now ?? Date.now;
    this.log = o.log ?? logger('collector');
    this.buffers = new BronzeBuffers(o.exchange);
    this.stats = new CollectorStats(this.now);
    this.silence = { ...DEFAULT_STREAM_SILENCE_MS, ...o.streamSilenceMs } as Record<string, number>;
    const specs = o.connections ?? (o.url ? [{ url: o.url, streams: [] }] : []);
    if (specs.length === 0) throw new Error('collector needs a url or connections');
    this.conns = specs.map((spec) => new ManagedConnection({
      spec, now: this.now, log: this.log, silentTimeoutMs: o.silentTimeoutMs, backoff: o.backoff, maxAgeMs: o.maxConnectionAgeMs,
      clock: () => this.clock(),
      onMessage: (raw, receiveMs, conn) => this.onMessage(raw, receiveMs, conn),
      onDrop: (cause, conn) => this.onDrop(cause, conn),
    }));
    this.pollers = (o.polls ?? []).map((spec) => new RestPoller({
      spec, clock: () => this.clock(), log: this.log, banPauseMs: o.restBanPauseMs,
      // Event time moves only when events arrive, and advanceEventClock ticks the pollers then.
      tickMs: o.receiveTimeFromEvents ? 0 : undefined,
      onRecords: (records) => this.addRecords(records),
      onMissed: (t, cause) => this.openGap(t.stream, t.symbol, this.streams.get(t.stream)?.lastEvent ?? this.clock(), cause),
    }));
  }

  /** The collector's notion of now: exchange event time for simulators and replays, else the local clock. */
  private clock(): number {
    return this.o.receiveTimeFromEvents ? this.latestEventMs : this.now();
  }

  /**
   * Connects; resolves once every connection is open, or once stop() is called: a stop request must never
   * wait for a connection that may not come. Starting after stop() does nothing.
   */
  async start(): Promise<void> {
    if (this.stopped) return;
    await this.resumeFromState();
    if (this.stopped) return;
    for (const p of this.pollers) p.start();
    await Promise.all(this.conns.map((c) => c.start()));
  }

  /** Connections open now, of all, whether any ever opened, and the latest reason one failed to open. */
  connectionState(): { open: number; total: number; everOpened: boolean; lastError?: string } {
    return {
      open: this.conns.filter((c) => c.connected).length, total: this.conns.length, everOpened: this.conns.some((c) => c.everOpened),
      lastError: this.conns.map((c) => c.lastError).find((e) => e !== undefined),
    };
  }

  private async resumeFromState(): Promise<void> {
    if (!this.o.stateFile) return;
    let text: string;
    try {
      text = await fs.readFile(this.o.stateFile, 'utf8');
    } catch {
      return; // first start
    }
    try {
      const state = JSON.parse(text) as { streams: Record<string, { symbol: string; lastEvent: number }> };
      for (const [stream, s] of Object.entries(state.streams)) this.openGap(stream, s.symbol, s.lastEvent, 'restart');
    } catch (err) {
      this.log.warn({ file: this.o.stateFile, err: (err as Error).message }, 'collector state unreadable; restart gaps not ledgered');
    }
  }

  private async saveState(): Promise<void> {
    if (!this.o.stateFile) return;
    const streams = Object.fromEntries([...this.streams].map(([name, s]) => [name, { symbol: s.symbol, lastEvent: s.lastEvent }]));
    const tmp = `${this.o.stateFile}.${process.pid}.tmp`;
    try {
      await fs.mkdir(path.dirname(this.o.stateFile), { recursive: true });
      await fs.writeFile(tmp, JSON.stringify({ savedAt: this.now(), streams }));
      await fs.rename(tmp, this.o.stateFile);
    } catch (err) {
      this.log.warn({ file: this.o.stateFile, err: (err as Error).message }, 'collector state not saved');
    }
  }

  /** Closes the connections and flushes everything buffered. */
  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all([...this.conns.map((c) => c.stop()), ...this.pollers.map((p) => p.stop())]);
    await this.saveState();
    this.closeOpenGaps();
    await this.flush();
  }

  /** Calls `listener` after every message read, until the returned function is called. */
  onMessages(listener: () => void): () => void {
    this.messageListeners.add(listener);
    return () => { this.messageListeners.delete(listener); };
  }

  /**
   * Resolves once nothing new arrived for one poll period: everything a simulator sent has been read. For a
   * simulator whose faults drop frames in flight, where no exact count exists.
   */
  async settled(pollMs = 300): Promise<void> {
    for (let last = -1; this.stats.messageCount !== last; ) {
      last = this.stats.messageCount;
      await new Promise((r) => setTimeout(r, pollMs));
    }
  }

  snapshot(): CollectorSnapshot {
    const reconnects = this.conns.reduce((n, c) => n + c.reconnects + c.rollovers, 0);
    return this.stats.snapshot(this.buffers.bufferedRows, reconnects);
  }

  /** Maps and buffers one raw message; exposed so captures can be replayed through the same path. */
  onMessage(raw: string, receivedAt: number, conn?: ManagedConnection): void {
    const receiveMs = this.o.receiveTimeFromEvents && this.latestEventMs > 0 ? this.latestEventMs : receivedAt;
    const out = this.o.adapter.parse(raw, receiveMs);
    this.stats.message(out, raw);
    if (this.messageListeners.size) for (const l of this.messageListeners) l();
    if (out.kind === 'control') return this.onControl(out, conn);
    if (out.kind !== 'records') return;
    this.addRecords(out.records, conn, receivedAt);
  }

  /** Buffers records from any source (WebSocket messages, REST polls). */
  addRecords(records: readonly NormalizedRecord[], conn?: ManagedConnection, receivedAt?: number): void {
    let maxEvent = -Infinity;
    for (const rec of records) {
      if (rec.dataset === 'trades' && this.o.contiguousTradeIds) this.checkTradeId(rec);
      if (!this.buffers.add(rec)) { this.stats.rejected('no usable event time', JSON.stringify(rec.row).slice(0, 300)); continue; }
      const t = this.eventTime(rec);
      this.trackStream(rec, t, conn);
      if (t > maxEvent) maxEvent = t;
      if (t > this.latestEventMs) this.latestEventMs = t;
      if (receivedAt !== undefined && EXCHANGE_STAMPED.has(rec.dataset)) this.stats.skew(receivedAt - t);
    }
    if (maxEvent > -Infinity) this.advanceEventClock(maxEvent);
  }

  private onControl(out: Extract<ParseOutcome, { kind: 'control' }>, conn?: ManagedConnection): void {
    if (out.what === 'serverShutdown') {
      conn?.rollover('server_shutdown');
      return;
    }
    if (out.what === 'resync') {
      const d = out.detail as { symbol?: string; stream?: string; reason?: string } | undefined;
      if (!d?.symbol || !d.stream) return;
      const last = this.streams.get(d.stream);
      this.openGap(d.stream, d.symbol, last?.lastEvent ?? this.clock(), d.reason ?? 'resync');
      for (const m of this.o.resyncMessages?.(d.symbol, d.stream) ?? []) conn?.send(m);
    }
  }

  private eventTime(rec: NormalizedRecord): number {
    // Klines partition by open time, but their stream's clock is the message's event time.
    const t = rec.row.event_time ?? rec.row.open_time;
    return typeof t === 'number' ? t : NaN;
  }

  private checkTradeId(rec: NormalizedRecord): void {
    const id = rec.row.trade_id;
    const t = rec.row.event_time;
    if (typeof id !== 'number' || typeof t !== 'number') return;
    const last = this.lastTradeId.get(rec.symbol);
    if (!last || id > last.id) this.lastTradeId.set(rec.symbol, { id, t });
    // Reordered or repeated ids are not gaps; a jump forward is, from the last trade seen to this one.
    if (last && id > last.id + 1) this.recordGap(rec.stream, rec.symbol, last.t, t, 'sequence_break');
  }

  private trackStream(rec: NormalizedRecord, t: number, conn?: ManagedConnection): void {
    const gap = this.openGaps.get(rec.stream);
    if (gap) {
      this.openGaps.delete(rec.stream);
      this.recordGap(rec.stream, rec.symbol, gap.start, t, gap.cause);
    }
    const s = this.streams.get(rec.stream);
    if (s) {
      if (t > s.lastEvent) s.lastEvent = t;
      if (conn) s.conn = conn;
      s.flaggedAt = undefined;
    } else {
      this.streams.set(rec.stream, { symbol: rec.symbol, dataset: rec.dataset, lastEvent: t, conn });
    }
    this.stats.event(rec.stream, t);
  }

  private onDrop(cause: string, conn: ManagedConnection): void {
    const kind = cause.startsWith('silent') ? 'silent_stream' : 'reconnect';
    for (const [stream, s] of this.streams) if (s.conn === conn || !s.conn) this.openGap(stream, s.symbol, s.lastEvent, kind);
  }

  private openGap(stream: string, symbol: string, start: number, cause: string): void {
    if (!this.openGaps.has(stream)) this.openGaps.set(stream, { symbol, start, cause });
  }

  /** On stop, interruptions still open are written with no end: the stream had not come back. */
  private closeOpenGaps(): void {
    for (const [stream, g] of this.openGaps) this.recordGap(stream, g.symbol, g.start, null, g.cause);
    this.openGaps.clear();
  }

  private recordGap(stream: string, symbol: string, start: number, end: number | null, cause: string): void {
    const { base, quote } = baseQuote(symbol);
    const detected = this.now();
    this.buffers.add({
      dataset: 'gaps', symbol, stream,
      row: { stream, start_time: start, end_time: end, cause, detected_at: detected, base, quote, ingest_time: detected, source: 'ws' },
    });
    this.stats.gap();
  }

  /**
   * A stream with a cadence that has fallen silent while its connection still delivers other streams (the
   * routed-endpoint trap: subscribed, acknowledged, never fed) is counted, ledgered and its connection rolled
   * over. Streams never seen at all are watched from the connection's first message.
   */
  private checkSilence(now: number): void {
    if (!this.seeded) {
      // Streams that never delivered at all are watched from the first check on.
      this.seeded = true;
      for (const conn of this.conns) {
        for (const st of conn.spec.streams) {
          if (!this.streams.has(st.name)) this.streams.set(st.name, { symbol: st.symbol, dataset: st.dataset, lastEvent: now, conn });
        }
      }
    }
    for (const [stream, s] of this.streams) {
      const limit = this.silence[s.dataset];
      if (!limit || now - s.lastEvent < limit || (s.flaggedAt !== undefined && now - s.flaggedAt < 2 * limit)) continue;
      s.flaggedAt = now;
      this.stats.silent(stream);
      this.log.warn({ stream, silentMs: now - s.lastEvent }, 'stream silent; reconnecting');
      this.openGap(stream, s.symbol, s.lastEvent, 'silent_stream');
      s.conn?.rollover('silent_stream');
    }
  }

  private advanceEventClock(t: number): void {
    const now = this.clock();
    // A simulator's clock outruns any wall timer (it would skip periods), so events drive the pollers.
    if (this.o.receiveTimeFromEvents) for (const p of this.pollers) p.tick();
    if (now >= this.nextSilenceCheck) {
      if (this.nextSilenceCheck > 0) this.checkSilence(now);
      this.nextSilenceCheck = now + SILENCE_CHECK_MS;
    }
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
      this.inFlightRows = parts.reduce((n, p) => n + p.table.length, 0);
      for (const p of parts) {
        try {
          files.push(...(await (this.o.write ? this.o.write([p]) : writeBronze(this.o.store, [p]))));
        } catch (err) {
          this.unwritten.push(p);
          this.stats.flushFailed();
          this.log.error({ err: (err as Error).message, dataset: p.spec.name, ...p.values }, 'bronze write failed; will retry');
        }
        this.inFlightRows -= p.table.length;
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

  /** Every row received and not (yet) written: buffered, in a write under way, or in a failed write. */
  get pendingRows(): number {
    return this.buffers.bufferedRows + this.inFlightRows + this.unwrittenRows;
  }
}
