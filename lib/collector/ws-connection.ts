import WebSocket from 'ws';
import type { Logger } from '../util/log';
import { messageText } from '../util/ws-text';
import type { Clock } from './clock';

/**
 * One WebSocket with automatic reconnects: exponential backoff with full jitter and a cap, and a silence timer
 * that treats a stream with no traffic as dead. The `ws` client answers server pings itself. An opening
 * handshake that gets no answer is abandoned and retried, so a server that accepts TCP and then says nothing
 * cannot hold the connection in "connecting" for ever.
 */

export interface Backoff {
  initialMs: number;
  maxMs: number;
  factor: number;
}

export const DEFAULT_BACKOFF: Backoff = { initialMs: 500, maxMs: 30_000, factor: 2 };
export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 10_000;

export interface WsConnectionOptions {
  url: string;
  onMessage(raw: string, receiveMs: number): void;
  onOpen?(): void;
  /** Called when an open connection is lost (not on stop()). */
  onDrop?(cause: string): void;
  /** Reconnect when nothing arrives for this long (ms); 0 disables. */
  silentTimeoutMs?: number;
  backoff?: Backoff;
  /** Give up an opening handshake with no answer after this long, then retry (default 10 s). */
  handshakeTimeoutMs?: number;
  /** Stamps each message's receive time (default: wall time). */
  clock?: Clock;
  log: Logger;
  random?: () => number;
}

export function backoffDelay(attempt: number, backoff: Backoff, random: () => number = Math.random): number {
  const ceiling = Math.min(backoff.maxMs, backoff.initialMs * backoff.factor ** attempt);
  return Math.round(random() * ceiling);
}

export class WsConnection {
  private ws?: WebSocket;
  private stopped = false;
  private attempt = 0;
  private silenceTimer?: NodeJS.Timeout;
  private retryTimer?: NodeJS.Timeout;
  private opened?: () => void;
  /** Why we closed the socket ourselves, reported instead of the close code. */
  private closingCause?: string;
  reconnects = 0;
  /** Connections that opened (the first, and every reconnect that succeeded). */
  opens = 0;
  lastMessageAt = 0;
  /** Why the latest attempt failed (e.g. `connect ECONNREFUSED 127.0.0.1:9`), until a connection opens. */
  lastError?: string;

  constructor(private readonly options: WsConnectionOptions) {}

  get connected(): boolean {
    return this.ws?.readyState === WebSocket.OPEN;
  }

  /** Connects; resolves once the first connection is open, or on stop() (callers must not wait on a dead feed). */
  start(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      this.opened = resolve;
      this.connect();
    });
  }

  private connect(): void {
    if (this.stopped) return;
    const handshakeTimeout = this.options.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS;
    const ws = new WebSocket(this.options.url, { perMessageDeflate: false, handshakeTimeout });
    this.ws = ws;
    let wasOpen = false;
    ws.on('open', () => {
      wasOpen = true;
      this.opens++;
      this.attempt = 0;
      this.lastError = undefined;
      this.armSilenceTimer();
      this.options.log.info({ url: this.options.url }, 'websocket open');
      this.options.onOpen?.();
      this.opened?.();
      this.opened = undefined;
    });
    ws.on('message', (data: WebSocket.RawData) => {
      this.lastMessageAt = this.options.clock ? this.options.clock.now() : Date.now();
      this.armSilenceTimer();
      this.options.onMessage(messageText(data), this.lastMessageAt);
    });
    // A server ping proves the socket alive even when the market is quiet (Binance US pings every 3 minutes).
    ws.on('ping', () => this.armSilenceTimer());
    ws.on('error', (err) => {
      if (this.stopped) return; // our own abort of a handshake in progress
      this.lastError = err.message;
      this.options.log.warn({ err: err.message }, 'websocket error');
    });
    ws.on('close', (code, reason) => {
      this.clearSilenceTimer();
      if (this.ws !== ws) return;
      if (this.stopped) return;
      const cause =
        this.closingCause ?? (wasOpen ? `closed ${code}${reason.length ? ` ${reason.toString()}` : ''}` : 'connect failed');
      this.closingCause = undefined;
      if (wasOpen) this.options.onDrop?.(cause);
      this.scheduleReconnect(cause);
    });
  }

  private scheduleReconnect(cause: string): void {
    const delay = backoffDelay(this.attempt++, this.options.backoff ?? DEFAULT_BACKOFF, this.options.random);
    this.reconnects++;
    this.options.log.warn({ cause, delayMs: delay, attempt: this.attempt }, 'websocket reconnecting');
    this.retryTimer = setTimeout(() => this.connect(), delay);
  }

  private armSilenceTimer(): void {
    const ms = this.options.silentTimeoutMs ?? 0;
    if (!ms) return;
    this.clearSilenceTimer();
    this.silenceTimer = setTimeout(() => {
      this.options.log.warn({ silentMs: ms }, 'websocket silent, reconnecting');
      this.closingCause = 'silent_stream';
      this.ws?.terminate();
    }, ms);
  }

  private clearSilenceTimer(): void {
    if (this.silenceTimer) clearTimeout(this.silenceTimer);
    this.silenceTimer = undefined;
  }

  /** Sends a text frame (e.g. a SUBSCRIBE request) when connected. */
  send(text: string): void {
    if (this.connected) this.ws!.send(text);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.opened?.();
    this.opened = undefined;
    this.clearSilenceTimer();
    if (this.retryTimer) clearTimeout(this.retryTimer);
    const ws = this.ws;
    if (!ws || ws.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        ws.terminate();
        resolve();
      }, 2000);
      ws.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      ws.close();
    });
  }
}
