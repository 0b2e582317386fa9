import { baseQuote } from '../exchanges/symbols';
import type { NormalizedRecord } from '../exchanges/types';
import type { Clock } from './clock';

/**
 * The `gaps` ledger: every interruption of a stream becomes a row from the last event before it to the first
 * event after it (docs/collector.md, "Staying connected without gaps"). Most interruptions are known when they
 * begin (a drop, a silence, a refused poll, a restart) and stay open until the stream's next event; some are
 * known whole when they end (a jump in trade ids).
 */

export interface GapLedgerOptions {
  /** Stamps `detected_at` and `ingest_time` of each row. */
  clock: Clock;
  /** Takes one finished row of the `gaps` dataset. */
  record(row: NormalizedRecord): void;
}

interface OpenGap {
  symbol: string;
  start: number;
  cause: string;
}

export class GapLedger {
  /** Open interruptions waiting for the stream's next event. */
  private readonly openGaps = new Map<string, OpenGap>();

  constructor(private readonly options: GapLedgerOptions) {}

  /** `stream` stopped delivering after its event at `start`; an interruption already open keeps its own start and cause. */
  open(stream: string, symbol: string, start: number, cause: string): void {
    if (!this.openGaps.has(stream)) this.openGaps.set(stream, { symbol, start, cause });
  }

  /** `stream` delivered an event at `eventMs`: an interruption open on it ends there. */
  resumed(stream: string, symbol: string, eventMs: number): void {
    const gap = this.openGaps.get(stream);
    if (!gap) return;
    this.openGaps.delete(stream);
    this.record(stream, symbol, gap.start, eventMs, gap.cause);
  }

  /** On stop, interruptions still open are written with no end: the stream had not come back. */
  closeOpen(): void {
    for (const [stream, gap] of this.openGaps) this.record(stream, gap.symbol, gap.start, null, gap.cause);
    this.openGaps.clear();
  }

  /** Writes one interruption whose extent is known (`end` null: it had not ended). */
  record(stream: string, symbol: string, start: number, end: number | null, cause: string): void {
    const { base, quote } = baseQuote(symbol);
    const detected = this.options.clock.now();
    this.options.record({
      dataset: 'gaps',
      symbol,
      stream,
      row: {
        stream,
        start_time: start,
        end_time: end,
        cause,
        detected_at: detected,
        base,
        quote,
        ingest_time: detected,
        source: 'ws',
      },
    });
  }
}
