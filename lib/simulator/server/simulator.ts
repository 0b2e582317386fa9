import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { MarketFeed } from '../market/feed';
import type { InstrumentSpec } from '../market/instruments';
import { MarketModel } from '../market/market-model';
import { BinanceSpotPersonality } from '../personality/binance-spot';
import type { ExchangePersonality, RestRequest } from '../personality/personality';
import { DrivenClock, ScaledClock, type SimClock } from './clock';
import type { FaultHooks } from './faults';
import { StreamHub } from './stream-hub';

/**
 * The exchange simulator: market model + exchange personality + WebSocket/HTTP transport on 127.0.0.1.
 * In 'max' mode simulated time advances as fast as the slowest client reads (socket backpressure) and only
 * while someone is subscribed, so a client sees every event from `start` on.
 */

export const DEFAULT_SIM_START = Date.UTC(2024, 0, 1);
const DAY_MS = 86_400_000;
/** Wall-clock period at which a fixed-speed simulator catches the feed up with its clock. */
const PUMP_INTERVAL_MS = 10;
/** Simulated time sent per step in 'max' mode before checking backpressure. */
const MAX_MODE_STEP_MS = 1000;
/** Bytes queued for one client beyond which 'max' mode waits for it. */
const HIGH_WATER_BYTES = 1 << 20;

export interface SimulatorOptions {
  /** Default BTCUSDT, ETHUSDT. */
  symbols?: readonly string[];
  /** Default 1. Same seed and options → byte-identical messages. */
  seed?: number;
  /** Simulated epoch ms at which the simulator starts (default 2024-01-01T00:00Z). */
  start?: number;
  /** Simulated seconds per wall second, or 'max' (default 1). */
  speed?: number | 'max';
  /** No data is sent for times after this. */
  end?: number;
  /** Default 0: any free port. */
  port?: number;
  /** Wall-clock period of server pings (Binance: 20 s). */
  pingIntervalMs?: number;
  /** A session that has not answered pings for this long is dropped (Binance: 1 min). */
  pongTimeoutMs?: number;
  /** Days of history before `start` that REST serves (default 30). */
  historyDays?: number;
  instruments?: Readonly<Record<string, Partial<InstrumentSpec>>>;
  faults?: FaultHooks;
}

export interface SimulatorStats {
  /** Simulated time up to which every event has been sent. */
  simTime: number;
  messagesSent: number;
  bytesSent: number;
  connections: number;
  /** True once `end` has been reached. */
  ended: boolean;
  wallMs: number;
}

export interface RunningSimulator {
  /** `ws://127.0.0.1:<port>`: append `/stream?streams=...` or `/ws`. */
  wsBaseUrl: string;
  /** `http://127.0.0.1:<port>`: append `/api/v3/...`. */
  restBaseUrl: string;
  clock: SimClock;
  model: MarketModel;
  stats(): SimulatorStats;
  /** Resolves when `end` has been reached and everything before it sent (never, without `end`). */
  untilEnd(): Promise<void>;
  stop(): Promise<void>;
}

export async function startSimulator(opts: SimulatorOptions = {}): Promise<RunningSimulator> {
  const start = opts.start ?? DEFAULT_SIM_START;
  const end = opts.end ?? Infinity;
  const speed = opts.speed ?? 1;
  const model = new MarketModel({ seed: opts.seed ?? 1, symbols: opts.symbols ?? ['BTCUSDT', 'ETHUSDT'], anchorMs: start, instruments: opts.instruments });
  const personality: ExchangePersonality = new BinanceSpotPersonality(model, { historyStartMs: start - (opts.historyDays ?? 30) * DAY_MS });
  const faults = opts.faults ?? {};
  const feed = new MarketFeed(model, start);
  const clock = speed === 'max' ? new DrivenClock(feed.cursor) : new ScaledClock(start, speed, end);
  const hub = new StreamHub(personality, faults, () => clock.now());
  const wallStart = performance.now();

  let stopped = false;
  let ended = false;
  let markEnded!: () => void;
  const endedPromise = new Promise<void>((resolve) => { markEnded = resolve; });
  const sendUntil = (to: number) => hub.batch(() => feed.advance(Math.min(to, end), hub.demand, (e) => personality.render(e, hub.wants, hub.publish)));
  const finishIfAtEnd = () => {
    if (!ended && feed.cursor >= Math.floor(end / 100) * 100) {
      ended = true;
      markEnded();
    }
  };

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const request: RestRequest = { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams };
    const now = clock.now();
    const response = faults.restRequest?.(request, now) ?? personality.handleRest(request, now);
    res.writeHead(response.status, response.headers);
    res.end(response.body);
  });
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  server.on('upgrade', (req, socket, head) => {
    const opening = personality.openSession(new URL(req.url ?? '/', 'http://127.0.0.1'));
    if (!opening.ok) {
      socket.end(`HTTP/1.1 ${opening.status} ${http.STATUS_CODES[opening.status] ?? ''}\r\nConnection: close\r\nContent-Type: text/plain\r\n\r\n${opening.message}`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => hub.open(ws, socket, opening.combined, opening.streams));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  const pingTimer = setInterval(() => hub.ping(opts.pongTimeoutMs ?? 60_000), opts.pingIntervalMs ?? 20_000);
  let pumpTimer: NodeJS.Timeout | undefined;
  if (clock instanceof DrivenClock) {
    void (async () => {
      while (!stopped && !ended) {
        if (hub.demand.size === 0) {
          await hub.waitForDemand();
          continue;
        }
        sendUntil(feed.cursor + MAX_MODE_STEP_MS);
        clock.set(feed.cursor);
        finishIfAtEnd();
        await hub.drain(HIGH_WATER_BYTES);
        // Let sockets, REST requests and subscribe messages in between steps.
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
  } else {
    pumpTimer = setInterval(() => {
      sendUntil(clock.now());
      finishIfAtEnd();
      if (ended) clearInterval(pumpTimer);
    }, PUMP_INTERVAL_MS);
  }

  return {
    wsBaseUrl: `ws://127.0.0.1:${port}`,
    restBaseUrl: `http://127.0.0.1:${port}`,
    clock,
    model,
    stats: () => ({
      simTime: feed.cursor, messagesSent: hub.messagesSent, bytesSent: hub.bytesSent, connections: hub.connections, ended,
      wallMs: performance.now() - wallStart,
    }),
    untilEnd: () => endedPromise,
    async stop() {
      stopped = true;
      clearInterval(pingTimer);
      clearInterval(pumpTimer);
      hub.closeAll();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
