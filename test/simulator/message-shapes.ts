import { parseSpotStreamName } from '../../lib/exchanges/binance/spot-streams';
import { readCryptofeed, readDocExamples, readHftbacktest } from '../exchanges/capture-reader';

/**
 * Shape of a JSON message: its key sets and value types, recursively (arrays as the set of their element
 * shapes). Two messages of one kind have the same shape when a parser can treat them alike.
 */
export function shapeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return `[${[...new Set(v.map(shapeOf))].sort().join('|')}]`;
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .map((k) => `${k}:${shapeOf(o[k])}`)
      .join(',')}}`;
  }
  return typeof v;
}

export interface Envelope {
  stream: string;
  data: Record<string, unknown>;
}

/** Kind of a combined-stream message: the channel of its stream (trade, kline, bookTicker, partialDepth, ...). */
export const kindOf = (m: Envelope): string => parseSpotStreamName(m.stream)?.channel ?? 'unknown';

/** Shapes per kind over every recorded Binance spot frame, plus the documented partial-depth payload in its envelope. */
export function realShapes(): Map<string, Set<string>> {
  const frames = [
    ...['spot_btcusdt_20240808.gz', 'spot_ethusdt_20240808.gz'].flatMap((f) => readHftbacktest(f).messages),
    ...['BINANCE-ee25be.0', 'BINANCE.ws.1.0', 'BINANCE_US.ws.3.0'].flatMap((f) => readCryptofeed(f).messages),
  ]
    .filter((m) => m.origin === 'ws')
    .map((m) => m.raw);
  const depth = readDocExamples().find((e) => e.file.includes('partial_book_depth'))!.raw;
  frames.push(`{"stream":"bnbbtc@depth10@100ms","data":${depth}}`);
  return shapesByKind(frames.map((f) => JSON.parse(f) as Envelope));
}

export function shapesByKind(messages: readonly Envelope[]): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const m of messages) {
    const kind = kindOf(m);
    let set = out.get(kind);
    if (!set) out.set(kind, (set = new Set()));
    set.add(shapeOf(m));
  }
  return out;
}
