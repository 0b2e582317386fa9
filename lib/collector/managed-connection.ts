import type { BronzeDatasetName } from '../exchanges/types';
import type { Logger } from '../util/log';
import type { Clock } from './clock';
import { WsConnection, type Backoff } from './ws-connection';

/**
 * One logical exchange connection that survives the exchange's forced disconnects without a gap
 * (docs/collector.md#staying-connected-without-gaps): before the 24-hour limit, or when the server announces a
 * shutdown, it opens the replacement first and closes the old socket only once the new one delivers data. During the
 * overlap both deliver, so some messages arrive twice; Bronze keeps both and Silver deduplicates.
 */

/** One stream a connection carries, named as its records report it: what silence detection watches. */
export interface SubscribedStream {
  name: string;
  symbol: string;
  dataset: BronzeDatasetName;
}

export interface ConnectionSpec {
  url: string;
  streams: readonly SubscribedStream[];
  /** Messages to send after each open (subscriptions the URL cannot carry, e.g. Kraken). */
  subscribeMessages?: readonly string[];
  /** Pause between subscribe messages (default 250 ms: Binance allows 5 incoming messages per second; 0 sends all at once). */
  subscribeSpacingMs?: number;
}

export interface ManagedConnectionOptions {
  spec: ConnectionSpec;
  onMessage(raw: string, receiveMs: number, conn: ManagedConnection): void;
  /** The old socket was lost before a replacement delivered: streams may have missed data. */
  onDrop(cause: string, conn: ManagedConnection): void;
  /** The collector's clock (event time for simulators): receive times and connection ages are measured on it. */
  clock: Clock;
  /** Roll over when a socket is this old (default 23 h: Binance cuts at 24 h). */
  maxAgeMs?: number;
  silentTimeoutMs?: number;
  backoff?: Backoff;
  log: Logger;
}

export const DEFAULT_MAX_CONNECTION_AGE_MS = 23 * 3_600_000;
const DEFAULT_SUBSCRIBE_SPACING_MS = 250;

export class ManagedConnection {
  private current: WsConnection;
  private next?: WsConnection;
  private openedAt = NaN;
  private stopped = false;
  /** Sockets replaced after they had opened (their `opens` no longer shows in `current`). */
  private retired = 0;
  rollovers = 0;

  constructor(private readonly options: ManagedConnectionOptions) {
    this.current = this.socket();
  }

  get spec(): ConnectionSpec {
    return this.options.spec;
  }

  get reconnects(): number {
    return this.current.reconnects;
  }

  get rolling(): boolean {
    return this.next !== undefined;
  }

  /** True while the delivering socket is open. */
  get connected(): boolean {
    return this.current.connected;
  }

  /** True once any socket of this connection has opened. */
  get everOpened(): boolean {
    return this.current.opens > 0 || this.retired > 0;
  }

  /** Why the latest connection attempt failed, while none has opened since. */
  get lastError(): string | undefined {
    return this.current.lastError;
  }

  start(): Promise<void> {
    return this.current.start();
  }

  /** Opens a replacement socket; the current one closes once the replacement delivers. */
  rollover(reason: string): void {
    if (this.stopped || this.next) return;
    this.options.log.info({ url: this.options.spec.url, reason }, 'rolling over to a new connection');
    this.rollovers++;
    const next = this.socket();
    this.next = next;
    void next.start();
  }

  /** Sends a text frame on the socket that is delivering. */
  send(text: string): void {
    this.current.send(text);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all([this.current.stop(), this.next?.stop()]);
  }

  private socket(): WsConnection {
    const conn: WsConnection = new WsConnection({
      url: this.options.spec.url,
      clock: this.options.clock,
      log: this.options.log,
      silentTimeoutMs: this.options.silentTimeoutMs,
      backoff: this.options.backoff,
      onOpen: () => {
        if (conn === this.current) this.openedAt = NaN;
        void this.subscribe(conn);
      },
      onMessage: (raw, receiveMs) => this.message(conn, raw, receiveMs),
      onDrop: (cause) => this.drop(conn, cause),
    });
    return conn;
  }

  private async subscribe(conn: WsConnection): Promise<void> {
    const msgs = this.options.spec.subscribeMessages ?? [];
    const spacing = this.options.spec.subscribeSpacingMs ?? DEFAULT_SUBSCRIBE_SPACING_MS;
    for (let i = 0; i < msgs.length; i++) {
      if (i > 0 && spacing > 0) await new Promise((r) => setTimeout(r, spacing));
      conn.send(msgs[i]);
    }
  }

  private message(conn: WsConnection, raw: string, receiveMs: number): void {
    if (conn === this.next) this.promote();
    this.options.onMessage(raw, receiveMs, this);
    if (conn !== this.current) return;
    const now = this.options.clock.now();
    if (!(now > 0)) return; // a clock that cannot tell the time yet
    if (Number.isNaN(this.openedAt)) this.openedAt = now;
    else if (now - this.openedAt >= (this.options.maxAgeMs ?? DEFAULT_MAX_CONNECTION_AGE_MS)) this.rollover('max_age');
  }

  private promote(): void {
    const old = this.current;
    this.retired += old.opens;
    this.current = this.next!;
    this.next = undefined;
    this.openedAt = NaN;
    void old.stop();
  }

  private drop(conn: WsConnection, cause: string): void {
    if (conn === this.next) return; // the replacement failed before delivering: it retries by itself
    if (this.next) {
      // The old socket died before the replacement delivered; the replacement takes over when it does.
      void conn.stop();
      this.retired += conn.opens;
      this.current = this.next;
      this.next = undefined;
      this.openedAt = NaN;
    }
    this.options.onDrop(cause, this);
  }
}
