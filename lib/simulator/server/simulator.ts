import { MarketFeed } from '../market/feed';
import type { InstrumentSpec } from '../market/instruments';
import { MarketModel } from '../market/market-model';
import { createPersonality, type SimProtocol } from '../personality/registry';
import { DrivenClock, ScaledClock, type SimClock } from './clock';
import type { FaultHooks } from './faults';
import { startPacer } from './pacer';
import { StreamHub } from './stream-hub';
import { listen } from './transport';
import { DAY_MS } from '../../util/time';

/**
 * The exchange simulator: market model + exchange personality + WebSocket/HTTP transport on 127.0.0.1.
 * In 'max' mode simulated time advances as fast as the slowest client reads (socket backpressure) and only
 * while someone is subscribed, so a client sees every event from `start` on.
 */

export const DEFAULT_SIM_START = Date.UTC(2024, 0, 1);

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
  /** Exchange protocol to speak (default Binance spot). */
  protocol?: SimProtocol;
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
  const model = new MarketModel({
    seed: opts.seed ?? 1,
    symbols: opts.symbols ?? ['BTCUSDT', 'ETHUSDT'],
    anchorMs: start,
    instruments: opts.instruments,
  });
  const personality = createPersonality(opts.protocol ?? 'binance-spot', model, {
    historyStartMs: start - (opts.historyDays ?? 30) * DAY_MS,
  });
  const faults = opts.faults ?? {};
  const feed = new MarketFeed(model, start);
  const clock = speed === 'max' ? new DrivenClock(feed.cursor) : new ScaledClock(start, speed, end);
  const hub = new StreamHub(personality, faults, () => clock.now());
  const transport = await listen(opts.port ?? 0, personality, hub, clock, faults);
  const pacer = startPacer(feed, hub, personality, clock, end);
  const pingTimer = setInterval(() => hub.ping(opts.pongTimeoutMs ?? 60_000), opts.pingIntervalMs ?? 20_000);
  const wallStart = performance.now();

  return {
    wsBaseUrl: `ws://127.0.0.1:${transport.port}`,
    restBaseUrl: `http://127.0.0.1:${transport.port}`,
    clock,
    model,
    stats: () => ({
      simTime: feed.cursor,
      messagesSent: hub.messagesSent,
      bytesSent: hub.bytesSent,
      connections: hub.connections,
      ended: pacer.ended,
      wallMs: performance.now() - wallStart,
    }),
    untilEnd: () => pacer.untilEnd(),
    async stop() {
      pacer.stop();
      clearInterval(pingTimer);
      await transport.close();
    },
  };
}
