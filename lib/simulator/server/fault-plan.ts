import type { RestRequest, RestResponse } from '../personality/personality';
import { Rng } from '../market/rng';
import type { FaultHooks, FrameContext, SessionContext, SessionFault } from './faults';

/**
 * A scripted storm for the simulator (docs/collector.md#proving-no-loss): connection drops, stalled streams,
 * duplicated, reordered and malformed frames, `serverShutdown` notices, the exchange's forced disconnect after 24
 * hours, and REST 429/418 answers, each at a simulated time. Deterministic: the same plan gives the same frames.
 */

export type FaultEvent =
  /** Cut every open connection at `at`. */
  | { kind: 'drop'; at: number }
  /** Send `serverShutdown` to every open connection at `at`, then cut them `graceMs` later. */
  | { kind: 'shutdown'; at: number; graceMs?: number }
  /** Swallow frames of streams containing `stream` (e.g. `@trade`, `btcusdt@depth10`) for `durationMs`. */
  | { kind: 'stall'; at: number; durationMs: number; stream: string }
  /** Send each frame twice for `durationMs`. */
  | { kind: 'duplicate'; at: number; durationMs: number }
  /** Swap each pair of consecutive frames of one session for `durationMs`. */
  | { kind: 'reorder'; at: number; durationMs: number }
  /** Insert `count` malformed frames (bad JSON, unknown events, wrong types), one per frame sent from `at`. */
  | { kind: 'malformed'; at: number; count: number }
  /** Answer REST requests with 429 (Retry-After) or 418 for `durationMs`. */
  | { kind: 'rest'; at: number; durationMs: number; status: 429 | 418; retryAfterS?: number };

export interface FaultPlanOptions {
  events: FaultEvent[];
  /** Cut a connection once it is this old in simulated time (Binance: 24 h; default: never). */
  maxSessionMs?: number;
}

const MALFORMED = [
  'not json at all',
  '{"stream":"btcusdt@trade","data":{"e":"trade","E":"yesterday","t":-1}}',
  '{"stream":"btcusdt@mystery","data":{"e":"mystery"}}',
  '[1,2,3]',
  '{"stream":"btcusdt@kline_1m","data":{"e":"kline","k":null}}',
];

export interface FaultCounts {
  drops: number;
  shutdowns: number;
  forcedDisconnects: number;
  stalledFrames: number;
  duplicatedFrames: number;
  reorderedFrames: number;
  malformedFrames: number;
  restRefusals: number;
}

export class FaultPlan implements FaultHooks {
  readonly counts: FaultCounts = {
    drops: 0,
    shutdowns: 0,
    forcedDisconnects: 0,
    stalledFrames: 0,
    duplicatedFrames: 0,
    reorderedFrames: 0,
    malformedFrames: 0,
    restRefusals: 0,
  };
  private readonly events: FaultEvent[];
  /** Per session: instant events already applied to it, and its pending shutdown deadline. */
  private readonly applied = new Map<number, { seen: Set<FaultEvent>; cutAt?: number }>();
  private readonly held = new Map<number, string>();
  private malformedLeft = new Map<FaultEvent, number>();

  constructor(private readonly options: FaultPlanOptions) {
    this.events = [...options.events].sort((a, b) => a.at - b.at);
    for (const fault of this.events) if (fault.kind === 'malformed') this.malformedLeft.set(fault, fault.count);
  }

  private activeTime = NaN;
  private activeEvents: FaultEvent[] = [];

  /** Events in force at `t`; frames of one step share a time, so the scan runs once per step, not per frame. */
  private active<K extends FaultEvent['kind']>(kind: K, t: number): Extract<FaultEvent, { kind: K }>[] {
    if (t !== this.activeTime) {
      this.activeTime = t;
      this.activeEvents = this.events.filter(
        (e) =>
          t >= e.at &&
          ('durationMs' in e ? t < e.at + e.durationMs : e.kind === 'malformed' && (this.malformedLeft.get(e) ?? 0) > 0),
      );
    }
    return this.activeEvents.filter((e): e is Extract<FaultEvent, { kind: K }> => e.kind === kind);
  }

  readonly wsFrame = (frame: string, ctx: FrameContext): readonly string[] => {
    const t = ctx.simTime;
    this.active('stall', t);
    if (this.activeEvents.length === 0 && this.held.size === 0) return [frame];
    if (this.active('stall', t).some((e) => ctx.stream.includes(e.stream))) {
      this.counts.stalledFrames++;
      return [];
    }
    let out: string[] = [frame];
    if (this.active('duplicate', t).length > 0) {
      this.counts.duplicatedFrames++;
      out = [frame, frame];
    }
    for (const e of this.active('malformed', t)) {
      const left = this.malformedLeft.get(e) ?? 0;
      if (left <= 0) continue;
      this.malformedLeft.set(e, left - 1);
      this.counts.malformedFrames++;
      out.unshift(MALFORMED[left % MALFORMED.length]);
    }
    if (this.active('reorder', t).length > 0) {
      const prev = this.held.get(ctx.sessionId);
      if (prev === undefined) {
        this.held.set(ctx.sessionId, out.pop()!);
        return out;
      }
      this.held.delete(ctx.sessionId);
      this.counts.reorderedFrames++;
      return [...out, prev];
    }
    const prev = this.held.get(ctx.sessionId);
    if (prev !== undefined) {
      this.held.delete(ctx.sessionId);
      return [prev, ...out];
    }
    return out;
  };

  readonly restRequest = (_req: RestRequest, simTime: number): RestResponse | undefined => {
    const e = this.active('rest', simTime)[0];
    if (!e) return undefined;
    this.counts.restRefusals++;
    if (e.status === 429) {
      return {
        status: 429,
        headers: { 'Retry-After': String(e.retryAfterS ?? 1), 'Content-Type': 'application/json' },
        body: JSON.stringify({ code: -1003, msg: 'Too many requests; current limit of IP is 6000 request weight per 1 MINUTE.' }),
      };
    }
    return {
      status: 418,
      headers: { 'Retry-After': String(e.retryAfterS ?? 120), 'Content-Type': 'application/json' },
      body: JSON.stringify({ code: -1003, msg: 'Way too many requests; IP banned until further notice.' }),
    };
  };

  readonly session = (ctx: SessionContext): SessionFault | undefined => {
    let state = this.applied.get(ctx.sessionId);
    if (!state) this.applied.set(ctx.sessionId, (state = { seen: new Set() }));
    if (state.cutAt !== undefined && ctx.simTime >= state.cutAt) return this.cut(ctx.sessionId, 'drops');
    if (this.options.maxSessionMs !== undefined && ctx.simTime - ctx.openedAt >= this.options.maxSessionMs)
      return this.cut(ctx.sessionId, 'forcedDisconnects');
    for (const fault of this.events) {
      if (fault.at > ctx.simTime) break;
      // A connection opened after an instant fault never sees it.
      if (state.seen.has(fault) || fault.at < ctx.openedAt) continue;
      if (fault.kind === 'drop') {
        state.seen.add(fault);
        return this.cut(ctx.sessionId, 'drops');
      }
      if (fault.kind === 'shutdown') {
        state.seen.add(fault);
        state.cutAt = ctx.simTime + (fault.graceMs ?? 10_000);
        this.counts.shutdowns++;
        return 'shutdown';
      }
    }
    return undefined;
  };

  private cut(sessionId: number, counter: 'drops' | 'forcedDisconnects'): SessionFault {
    this.applied.delete(sessionId);
    this.held.delete(sessionId);
    this.counts[counter]++;
    return 'drop';
  }
}

export interface StormOptions {
  seed: number;
  start: number;
  end: number;
  /** Mean simulated time between faults (default 40 min). */
  meanGapMs?: number;
}

/** A random but reproducible storm over [start, end): every kind of fault, spread out so each can be recovered from. */
export function randomStorm(options: StormOptions): FaultPlanOptions {
  const rng = new Rng().seed(options.seed);
  const mean = options.meanGapMs ?? 40 * 60_000;
  const kinds = ['drop', 'shutdown', 'stall', 'duplicate', 'reorder', 'malformed', 'rest429', 'rest418'] as const;
  const events: FaultEvent[] = [];
  let t = options.start + Math.round(mean * (0.5 + rng.next()));
  for (let i = 0; t < options.end; i++) {
    const kind = kinds[i % kinds.length];
    switch (kind) {
      case 'drop':
        events.push({ kind: 'drop', at: t });
        break;
      case 'shutdown':
        events.push({ kind: 'shutdown', at: t, graceMs: 30_000 });
        break;
      case 'stall':
        events.push({ kind: 'stall', at: t, durationMs: 120_000, stream: rng.next() < 0.5 ? '@depth10' : '@bookTicker' });
        break;
      case 'duplicate':
        events.push({ kind: 'duplicate', at: t, durationMs: 60_000 });
        break;
      case 'reorder':
        events.push({ kind: 'reorder', at: t, durationMs: 60_000 });
        break;
      case 'malformed':
        events.push({ kind: 'malformed', at: t, count: 20 });
        break;
      case 'rest429':
        events.push({ kind: 'rest', at: t, durationMs: 60_000, status: 429, retryAfterS: 2 });
        break;
      case 'rest418':
        events.push({ kind: 'rest', at: t, durationMs: 30_000, status: 418, retryAfterS: 5 });
        break;
    }
    t += Math.round(mean * (0.5 + rng.next()));
  }
  return { events, maxSessionMs: 24 * 3_600_000 };
}
