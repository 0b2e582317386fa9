import type { Duplex } from 'node:stream';
import { WebSocket } from 'ws';
import { messageText } from '../../util/ws-text';
import type { Demand, SymbolDemand } from '../market/feed';
import type { ExchangePersonality, SessionView } from '../personality/personality';
import type { FaultHooks } from './faults';

/**
 * WebSocket sessions and their subscriptions: fans each formatted payload out to the sessions that subscribed
 * to its stream (wrapped in an envelope for combined sessions), tells the feed what is demanded, applies
 * backpressure in 'max' mode and keeps connections alive with pings.
 */

export class Session implements SessionView {
  readonly streams = new Set<string>();
  lastPongWall = performance.now();

  /** `socket` is the connection under `ws`, kept to cork it while a batch of frames is written. */
  constructor(
    readonly id: number,
    readonly ws: WebSocket,
    readonly socket: Duplex,
    public combined: boolean,
    readonly openedAt: number,
  ) {}
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class StreamHub {
  messagesSent = 0;
  bytesSent = 0;
  private readonly sessions = new Set<Session>();
  private readonly subscribers = new Map<string, Set<Session>>();
  private demandCache: Demand | null = null;
  private demandWaiters: (() => void)[] = [];
  private nextId = 1;

  constructor(
    private readonly personality: ExchangePersonality,
    private readonly faults: FaultHooks,
    private readonly simNow: () => number,
  ) {}

  get connections(): number {
    return this.sessions.size;
  }

  open(ws: WebSocket, socket: Duplex, combined: boolean, streams: readonly string[]): Session {
    const session = new Session(this.nextId++, ws, socket, combined, this.simNow());
    this.sessions.add(session);
    ws.on('message', (data) => this.onMessage(session, messageText(data)));
    ws.on('pong', () => {
      session.lastPongWall = performance.now();
    });
    ws.on('close', () => this.close(session));
    // A client resetting the connection must not take the server down.
    ws.on('error', () => this.close(session));
    this.subscribe(session, streams);
    return session;
  }

  readonly wants = (stream: string): boolean => this.subscribers.has(stream);

  readonly publish = (stream: string, payload: string): void => {
    const subs = this.subscribers.get(stream);
    if (!subs) return;
    let enveloped: string | undefined;
    for (const session of subs)
      this.send(session, stream, session.combined ? (enveloped ??= this.personality.envelope(stream, payload)) : payload);
  };

  /**
   * Run `write` with every connection corked, so the frames it publishes leave in one write per connection
   * instead of one system call per frame.
   */
  batch(write: () => void): void {
    for (const session of this.sessions) session.socket.cork();
    try {
      write();
    } finally {
      for (const s of this.sessions) s.socket.uncork();
    }
  }

  /** Per symbol, the streams some session wants; symbols and intervals sorted so output order never depends on who subscribed first. */
  get demand(): Demand {
    if (this.demandCache) return this.demandCache;
    const bySymbol = new Map<string, { trades: boolean; book: boolean; klines: Set<string> }>();
    for (const stream of this.subscribers.keys()) {
      const d = this.personality.demandOf(stream);
      if (!d) continue;
      let e = bySymbol.get(d.symbol);
      if (!e) bySymbol.set(d.symbol, (e = { trades: false, book: false, klines: new Set() }));
      if (d.channel === 'trades') e.trades = true;
      else if (d.channel === 'book') e.book = true;
      else if (d.interval) e.klines.add(d.interval);
    }
    const sorted = new Map<string, SymbolDemand>();
    for (const sym of [...bySymbol.keys()].sort()) {
      const e = bySymbol.get(sym)!;
      sorted.set(sym, { ...e, klines: new Set([...e.klines].sort()) });
    }
    return (this.demandCache = sorted);
  }

  /** Resolves once some session subscribes to something (or the hub closes). */
  waitForDemand(): Promise<void> {
    return this.demand.size > 0 ? Promise.resolve() : new Promise((resolve) => this.demandWaiters.push(resolve));
  }

  /** Wait until no session has more than `highWater` bytes queued: the pace of the slowest reader. */
  async drain(highWater: number): Promise<void> {
    for (const session of this.sessions) {
      while (session.ws.readyState === WebSocket.OPEN && session.ws.bufferedAmount > highWater) await sleep(1);
    }
  }

  /** Ping every session; drop those that have not answered a ping for `pongTimeoutMs`. */
  ping(pongTimeoutMs: number): void {
    const now = performance.now();
    for (const session of this.sessions) {
      if (now - session.lastPongWall > pongTimeoutMs) session.ws.terminate();
      else if (session.ws.readyState === WebSocket.OPEN) session.ws.ping();
    }
  }

  /** Ask the fault plan about every open session: cut it, or announce a shutdown first. */
  applySessionFaults(): void {
    if (!this.faults.session) return;
    const simTime = this.simNow();
    for (const s of [...this.sessions]) {
      const fault = this.faults.session({ sessionId: s.id, openedAt: s.openedAt, simTime });
      if (fault === 'drop') {
        s.ws.terminate();
        this.close(s);
      } else if (fault === 'shutdown') {
        const notice = this.personality.shutdownNotice?.(simTime);
        if (notice !== undefined && s.ws.readyState === WebSocket.OPEN) this.write(s, notice);
      }
    }
  }

  closeAll(): void {
    for (const session of this.sessions) session.ws.terminate();
    this.sessions.clear();
    this.subscribers.clear();
    this.demandCache = null;
    this.wakeDemandWaiters();
  }

  private onMessage(session: Session, text: string): void {
    const r = this.personality.onClientMessage(text, session);
    if (r.reply !== undefined && session.ws.readyState === WebSocket.OPEN) session.ws.send(r.reply);
    if (r.replies && session.ws.readyState === WebSocket.OPEN) for (const f of r.replies) session.ws.send(f);
    if (r.combined !== undefined) session.combined = r.combined;
    if (r.subscribe) this.subscribe(session, r.subscribe);
    if (r.unsubscribe) this.unsubscribe(session, r.unsubscribe);
  }

  private subscribe(session: Session, streams: readonly string[]): void {
    for (const stream of streams) {
      session.streams.add(stream);
      let subs = this.subscribers.get(stream);
      if (!subs) this.subscribers.set(stream, (subs = new Set()));
      subs.add(session);
    }
    if (streams.length > 0) {
      this.demandCache = null;
      this.wakeDemandWaiters();
    }
  }

  private unsubscribe(session: Session, streams: readonly string[]): void {
    for (const stream of streams) {
      session.streams.delete(stream);
      const subs = this.subscribers.get(stream);
      if (subs?.delete(session) && subs.size === 0) this.subscribers.delete(stream);
    }
    this.demandCache = null;
  }

  private close(session: Session): void {
    if (!this.sessions.delete(session)) return;
    this.unsubscribe(session, [...session.streams]);
  }

  private send(session: Session, stream: string, frame: string): void {
    if (session.ws.readyState !== WebSocket.OPEN) return;
    if (!this.faults.wsFrame) return this.write(session, frame);
    for (const f of this.faults.wsFrame(frame, { sessionId: session.id, stream, simTime: this.simNow() })) this.write(session, f);
  }

  private write(session: Session, frame: string): void {
    session.ws.send(frame);
    this.messagesSent++;
    this.bytesSent += frame.length;
  }

  private wakeDemandWaiters(): void {
    const waiters = this.demandWaiters;
    this.demandWaiters = [];
    for (const w of waiters) w();
  }
}
