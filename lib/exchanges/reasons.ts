import type { DatasetSpec, Row } from '../schema/types';
import { checkValue } from '../schema/validate';

/**
 * Rejection reasons of the WebSocket adapters. The collector counts rejected and skipped messages by their
 * reason and its heartbeat lists every reason with samples, so reasons must come from a bounded set: a value
 * that changes from message to message (a negative price, an unknown event name from a garbled frame) would
 * make each bad message a counter of its own, growing memory and the heartbeat without limit. The message
 * samples the collector keeps still show the offending text.
 */

/** The first problem of a row, as validateRow words it but without the offending value (`price is not > 0`). */
export function rowProblem(spec: DatasetSpec, row: Row): string | null {
  for (const column of spec.columns) {
    const value = row[column.name];
    const problem = checkValue(column, value);
    if (!problem) continue;
    const withValue = `${column.name}=${String(value)}`;
    return problem.startsWith(withValue) ? column.name + problem.slice(withValue.length) : problem;
  }
  return null;
}

const PRINTABLE_NAME = /^[\x21-\x7e]{1,40}$/;

/**
 * Names the peer sent (event types, channels, stream names, intervals) as they may appear in reasons: short
 * printable names as sent, but only the first `perKind` distinct ones of each kind; later ones read `(other)`,
 * unreadable ones `(unreadable)`. One per adapter instance, so what a reason says never depends on another
 * connection's traffic.
 */
export class ReasonNames {
  private readonly seen = new Map<string, Set<string>>();

  constructor(private readonly perKind = 16) {}

  name(kind: string, value: unknown): string {
    const text = typeof value === 'string' || typeof value === 'number' ? String(value) : '';
    if (!PRINTABLE_NAME.test(text)) return '(unreadable)';
    let names = this.seen.get(kind);
    if (!names) this.seen.set(kind, (names = new Set()));
    if (names.has(text)) return text;
    if (names.size >= this.perKind) return '(other)';
    names.add(text);
    return text;
  }
}
