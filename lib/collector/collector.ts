import type { ExchangeAdapter, NormalizedRecord, ParseOutcome } from '../exchanges/types';
import type { ExchangeId } from '../schema/columns';
import type { ObjectStore } from '../storage/object-store';
import { logger, type Logger } from '../util/log';
import { BronzeBuffers, type BufferedPartition } from '../bronze/bronze-buffers';
import { BronzeFlusher } from './bronze-flusher';
import { writeBronze, type WrittenFile } from '../bronze/bronze-writer';
import { WallClock, type CollectorClock } from './clock';
import { DEFAULT_FLUSH_INTERVAL_MS } from './flush-interval';
import { FlushSchedule } from './flush-schedule';
import { GapLedger } from './gap-ledger';
import { ManagedConnection, type ConnectionSpec } from './managed-connection';
import { newestEventTime, RecordFanOut } from './record-fan-out';
import { RestartStateFile } from './restart-state';
import type { RestPoller, RestPollSpec } from './rest-poller';
import { RestPolls } from './rest-polls';
import { SilenceWatchdog } from './silence-watchdog';
import { CollectorStats, type CollectorSnapshot } from './stats';
import { StreamTracker } from './stream-tracker';
import { TradeIdSequence } from './trade-id-sequence';
import type { Backoff } from './ws-connection';

/**
 * The collector core (docs/collector.md): one or more WebSockets per exchange (split at the exchange's stream
 * limit), every message through the exchange's adapter into Bronze buffers, flushed as Parquet every
 * `flushIntervalMs` of event time and on stop. Every interruption of a stream — reconnect, silence, a trade-id
 * jump, a failed book checksum — becomes a row of the `gaps` ledger.
 *
 * This class wires the parts, each in its own module: the connections (managed-connection.ts), the fan-out of
 * records (record-fan-out.ts), the streams seen (stream-tracker.ts), the gap ledger (gap-ledger.ts) and its
 * trade-id check (trade-id-sequence.ts), the silence watchdog (silence-watchdog.ts), the restart-state file
 * (restart-state.ts), event-time flush scheduling (flush-schedule.ts) and writing (bronze-flusher.ts), and the
 * REST pollers (rest-polls.ts). All of them read the one clock (clock.ts).
 */

export interface CollectorOptions {
  exchange: ExchangeId;
  adapter: ExchangeAdapter;
  /** Full WebSocket URL including the stream list (one connection); or `connections`. */
  url?: string;
  connections?: readonly ConnectionSpec[];
  store: ObjectStore;
  flushIntervalMs?: number;
  /**
   * The collector's one clock (default: wall time). A simulator or a replay, whose clock runs ahead of what
   * the client has read, takes an EventClock: receive times, connection ages and stream silences are then
   * measured in exchange event time.
   */
  clock?: CollectorClock;
  /** Reconnect a socket that receives nothing at all for this long (wall clock). */
  silentTimeoutMs?: number;
  /** A stream of a dataset that has seen no event for this long while its connection delivers is silent. */
  streamSilenceMs?: Partial<Record<string, number>>;
  /** Exchange trade ids are consecutive per symbol, so a jump is a gap (Binance). */
  contiguousTradeIds?: boolean;
  /** Messages that re-synchronise one symbol's stream after the adapter asks for it (Kraken book checksums). */
  resyncMessages?: (symbol: string, stream: string) => string[];
  maxConnectionAgeMs?: number;
  backoff?: Backoff;
  log?: Logger;
  onFlush?: (files: WrittenFile[]) => void;
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
  write?: (parts: readonly BufferedPartition[]) => Promise<WrittenFile[]>;
}

export class Collector {
  readonly buffers: BronzeBuffers;
  readonly stats: CollectorStats;
  private readonly clock: CollectorClock;
  private readonly connections: ManagedConnection[];
  private readonly streams = new StreamTracker();
  private readonly ledger: GapLedger;
  private readonly fanOut: RecordFanOut;
  private readonly watchdog: SilenceWatchdog;
  private readonly schedule: FlushSchedule;
  private readonly flusher: BronzeFlusher;
  private readonly polls: RestPolls;
  private readonly stateFile?: RestartStateFile;
  private stopped = false;
  private readonly messageListeners = new Set<() => void>();

  constructor(private readonly options: CollectorOptions) {
    const clock = options.clock ?? new WallClock();
    const log = options.log ?? logger('collector');
    this.clock = clock;
    this.buffers = new BronzeBuffers(options.exchange);
    this.stats = new CollectorStats(() => clock.now());
    const specs = options.connections ?? (options.url ? [{ url: options.url, streams: [] }] : []);
    if (specs.length === 0) throw new Error('collector needs a url or connections');
    this.connections = specs.map(
      (spec) =>
        new ManagedConnection({
          spec,
          clock,
          log,
          silentTimeoutMs: options.silentTimeoutMs,
          backoff: options.backoff,
          maxAgeMs: options.maxConnectionAgeMs,
          onMessage: (raw, receiveMs, connection) => this.onMessage(raw, receiveMs, connection),
          onDrop: (cause, connection) => this.onDrop(cause, connection),
        }),
    );
    this.ledger = new GapLedger({
      clock,
      record: (row) => {
        this.buffers.add(row);
        this.stats.gap();
      },
    });
    this.fanOut = new RecordFanOut({
      buffers: this.buffers,
      streams: this.streams,
      ledger: this.ledger,
      clock,
      stats: this.stats,
      tradeIds: options.contiguousTradeIds ? new TradeIdSequence() : undefined,
    });
    this.watchdog = new SilenceWatchdog({
      streams: this.streams,
      connections: this.connections,
      thresholds: options.streamSilenceMs,
      onSilent: (stream, tracked, silentMs) => {
        this.stats.silent(stream);
        log.warn({ stream, silentMs }, 'stream silent; reconnecting');
        this.ledger.open(stream, tracked.symbol, tracked.lastEvent, 'silent_stream');
        tracked.connection?.rollover('silent_stream');
      },
    });
    this.schedule = new FlushSchedule(options.flushIntervalMs ?? DEFAULT_FLUSH_INTERVAL_MS);
    this.flusher = new BronzeFlusher({
      buffers: this.buffers,
      stats: this.stats,
      log,
      onFlush: options.onFlush,
      write: options.write ?? ((parts) => writeBronze(options.store, parts)),
    });
    this.polls = new RestPolls({
      specs: options.polls ?? [],
      clock,
      log,
      banPauseMs: options.restBanPauseMs,
      onRecords: (records) => this.addRecords(records),
      onMissed: (target, cause) => {
        this.ledger.open(target.stream, target.symbol, this.streams.get(target.stream)?.lastEvent ?? clock.now(), cause);
      },
    });
    this.stateFile = options.stateFile ? new RestartStateFile(options.stateFile, log) : undefined;
  }

  /** The REST pollers, for their counters. */
  get pollers(): readonly RestPoller[] {
    return this.polls.pollers;
  }

  /**
   * Connects; resolves once every connection is open, or once stop() is called: a stop request must never
   * wait for a connection that may not come. Starting after stop() does nothing.
   */
  async start(): Promise<void> {
    if (this.stopped) return;
    for (const point of (await this.stateFile?.load()) ?? [])
      this.ledger.open(point.stream, point.symbol, point.lastEvent, 'restart');
    if (this.stopped) return;
    this.polls.start();
    await Promise.all(this.connections.map((connection) => connection.start()));
  }

  /** Connections open now, of all, whether any ever opened, and the latest reason one failed to open. */
  connectionState(): { open: number; total: number; everOpened: boolean; lastError?: string } {
    const all = this.connections;
    return {
      open: all.filter((connection) => connection.connected).length,
      total: all.length,
      everOpened: all.some((connection) => connection.everOpened),
      lastError: all.map((connection) => connection.lastError).find((err) => err !== undefined),
    };
  }

  /** Closes the connections and flushes everything buffered. */
  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all([...this.connections.map((connection) => connection.stop()), this.polls.stop()]);
    if (this.stateFile) {
      const points = [...this.streams.all()].map(([stream, tracked]) => ({
        stream,
        symbol: tracked.symbol,
        lastEvent: tracked.lastEvent,
      }));
      await this.stateFile.save(points, this.clock.now());
    }
    this.ledger.closeOpen();
    await this.flush();
  }

  /** Calls `listener` after every message read, until the returned function is called. */
  onMessages(listener: () => void): () => void {
    this.messageListeners.add(listener);
    return () => {
      this.messageListeners.delete(listener);
    };
  }

  /**
   * Resolves once nothing new arrived for one poll period: everything a simulator sent has been read. For a
   * simulator whose faults drop frames in flight, where no exact count exists.
   */
  async settled(pollMs = 300): Promise<void> {
    for (let last = -1; this.stats.messageCount !== last; ) {
      last = this.stats.messageCount;
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  }

  snapshot(): CollectorSnapshot {
    const reconnects = this.connections.reduce((n, connection) => n + connection.reconnects + connection.rollovers, 0);
    return this.stats.snapshot(this.buffers.bufferedRows, reconnects);
  }

  /**
   * Maps and buffers one raw message received at `receivedAt` (collector clock); exposed so captures can be
   * replayed through the same path.
   */
  onMessage(raw: string, receivedAt: number, connection?: ManagedConnection): void {
    const out = this.options.adapter.parse(raw, receivedAt);
    this.stats.message(out, raw);
    if (this.messageListeners.size) for (const listener of this.messageListeners) listener();
    if (out.kind === 'control') return this.onControl(out, connection);
    if (out.kind !== 'records') return;
    this.addRecords(out.records, connection, receivedAt);
  }

  /** Buffers records from any source (WebSocket messages, REST polls). */
  addRecords(records: readonly NormalizedRecord[], connection?: ManagedConnection, receivedAt?: number): void {
    // Records past the current flush period first flush what came before them (taken now, see BronzeFlusher),
    // then start the next period's buffers: a flush holds the messages up to the one that ended its period, fixed
    // by the feed's order alone, never by how the machine batched or delayed the reads.
    if (this.schedule.due(newestEventTime(records))) void this.flush();
    const maxEvent = this.fanOut.add(records, connection, receivedAt);
    if (maxEvent > -Infinity) this.clockAdvanced();
  }

  /** Writes every buffer now; see BronzeFlusher. */
  flush(): Promise<void> {
    return this.flusher.flush();
  }

  /** Rows whose Bronze write has failed and not yet succeeded. */
  get unwrittenRows(): number {
    return this.flusher.unwrittenRows;
  }

  /** Every row received and not (yet) written: buffered, in a write under way, or in a failed write. */
  get pendingRows(): number {
    return this.flusher.pendingRows;
  }

  private onControl(out: Extract<ParseOutcome, { kind: 'control' }>, connection?: ManagedConnection): void {
    if (out.what === 'serverShutdown') {
      connection?.rollover('server_shutdown');
      return;
    }
    if (out.what === 'resync') {
      const detail = out.detail as { symbol?: string; stream?: string; reason?: string } | undefined;
      if (!detail?.symbol || !detail.stream) return;
      const last = this.streams.get(detail.stream)?.lastEvent ?? this.clock.now();
      this.ledger.open(detail.stream, detail.symbol, last, detail.reason ?? 'resync');
      for (const message of this.options.resyncMessages?.(detail.symbol, detail.stream) ?? []) connection?.send(message);
    }
  }

  private onDrop(cause: string, connection: ManagedConnection): void {
    const kind = cause.startsWith('silent') ? 'silent_stream' : 'reconnect';
    for (const [stream, tracked] of this.streams.exposedTo(connection))
      this.ledger.open(stream, tracked.symbol, tracked.lastEvent, kind);
  }

  /** Events were buffered: time-driven parts get their turn. */
  private clockAdvanced(): void {
    this.polls.clockAdvanced();
    this.watchdog.tick(this.clock.now());
  }
}
