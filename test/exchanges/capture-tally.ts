import type { NormalizedRecord, ParseOutcome } from '../../lib/exchanges/types';

/** What an adapter made of a capture's messages: records by dataset, control events, skips and errors by reason. */
export interface Tally {
  records: Map<string, NormalizedRecord[]>;
  control: Map<string, number>;
  skipped: Map<string, number>;
  errors: { reason: string; raw: string }[];
}

interface Parser {
  parse(raw: string, receiveMs: number): ParseOutcome;
}

/** Parses every message and tallies the outcomes; `onSkipped` hears each skip reason as it comes. */
export function runCapture(
  adapter: Parser,
  messages: readonly { raw: string; receiveMs: number }[],
  onSkipped?: (reason: string) => void,
): Tally {
  const tally: Tally = { records: new Map(), control: new Map(), skipped: new Map(), errors: [] };
  for (const message of messages) {
    const outcome = adapter.parse(message.raw, message.receiveMs);
    switch (outcome.kind) {
      case 'records':
        for (const record of outcome.records) {
          const list = tally.records.get(record.dataset);
          if (list) list.push(record);
          else tally.records.set(record.dataset, [record]);
        }
        break;
      case 'control':
        tally.control.set(outcome.what, (tally.control.get(outcome.what) ?? 0) + 1);
        break;
      case 'skipped':
        onSkipped?.(outcome.reason);
        tally.skipped.set(outcome.reason, (tally.skipped.get(outcome.reason) ?? 0) + 1);
        break;
      case 'error':
        tally.errors.push({ reason: outcome.reason, raw: message.raw.slice(0, 200) });
    }
  }
  return tally;
}

/** Records of one dataset. */
export const count = (tally: Tally, datasetName: string) => tally.records.get(datasetName)?.length ?? 0;

/** Every outcome: records, control events, skips and errors. */
export const total = (tally: Tally) =>
  [...tally.records.values()].reduce((n, r) => n + r.length, 0) +
  [...tally.control.values(), ...tally.skipped.values()].reduce((a, b) => a + b, 0) +
  tally.errors.length;

/** The records of an outcome that must be records. */
export const records = (outcome: ParseOutcome): NormalizedRecord[] => {
  if (outcome.kind !== 'records') throw new Error(`expected records, got ${JSON.stringify(outcome)}`);
  return outcome.records;
};

/** `error: <reason>` or `skipped: <reason>`, else the outcome's kind. */
export const kindAndReason = (outcome: ParseOutcome): string =>
  outcome.kind === 'error' || outcome.kind === 'skipped' ? `${outcome.kind}: ${outcome.reason}` : outcome.kind;
