import { EXCHANGES, type ExchangeId } from '../../lib/schema/columns';
import { addDays, dateOf, isDate } from '../../lib/storage/lake-paths';
import type { BuildRequest } from '../../lib/app/build-plan';
import { UserError } from '../../lib/util/errors';

/**
 * Event parsing shared by the handlers. Invalid input throws a UserError naming the field, so a Step Functions
 * state can tell a bad request (errorType `UserError`, pointless to retry) from a failure worth retrying.
 * Fields the handlers do not know are ignored: EventBridge wraps scheduled invocations in its own envelope.
 */

export type EventFields = Readonly<Record<string, unknown>>;

/** The event as an object; an invocation without a payload counts as `{}`. */
export function eventFields(event: unknown): EventFields {
  if (event === undefined || event === null) return {};
  if (typeof event !== 'object' || Array.isArray(event)) throw new UserError(`the event must be a JSON object, got ${JSON.stringify(event)}`);
  return event as EventFields;
}

export function requiredDate(e: EventFields, field: string): string {
  const v = optionalDate(e, field);
  if (v === undefined) throw new UserError(`event.${field} is required (YYYY-MM-DD)`);
  return v;
}

export function optionalDate(e: EventFields, field: string): string | undefined {
  const v = e[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string' || !isDate(v)) throw new UserError(`event.${field} ${JSON.stringify(v)} is not a date (expected YYYY-MM-DD)`);
  return v;
}

export function optionalExchange(e: EventFields): ExchangeId | undefined {
  const v = e.exchange;
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string' || !(EXCHANGES as readonly string[]).includes(v)) throw new UserError(`event.exchange ${JSON.stringify(v)} is not one of ${EXCHANGES.join(', ')}`);
  return v as ExchangeId;
}

/** Upper-cased, as the CLI does, so `btcusdt` finds the `BTCUSDT` partitions. */
export function optionalSymbol(e: EventFields): string | undefined {
  const v = e.symbol;
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string' || !v.trim()) throw new UserError(`event.symbol ${JSON.stringify(v)} is not a symbol`);
  return v.trim().toUpperCase();
}

export function optionalInt(e: EventFields, field: string, min: number, max: number): number | undefined {
  const v = e[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw new UserError(`event.${field} ${JSON.stringify(v)} is not a whole number from ${min} to ${max}`);
  return v;
}

/**
 * The time "now" means for this invocation: the `time` of an EventBridge scheduled event (when the schedule
 * fired, so a delayed or retried run still works on the intended day and window), else the clock. Never later
 * than the clock, so no caller can make a job treat still-open minutes or days as closed.
 */
export function referenceTime(e: EventFields, nowMs = Date.now()): number {
  const v = e.time;
  if (v === undefined || v === null) return nowMs;
  const t = typeof v === 'string' ? Date.parse(v) : NaN;
  if (Number.isNaN(t)) throw new UserError(`event.time ${JSON.stringify(v)} is not an ISO 8601 time`);
  return Math.min(t, nowMs);
}

export interface DayJobEvent {
  dt: string;
  exchange?: ExchangeId;
  symbol?: string;
}

/**
 * `{ dt?, exchange?, symbol? }` of the Silver and Gold jobs. `dt` defaults to the UTC day before the
 * reference time: the daily schedules run early the next morning (01:00 and 02:00 UTC).
 */
export function dayJobEvent(event: unknown): DayJobEvent {
  const e = eventFields(event);
  return {
    dt: optionalDate(e, 'dt') ?? addDays(dateOf(referenceTime(e)), -1),
    exchange: optionalExchange(e),
    symbol: optionalSymbol(e),
  };
}

/**
 * The range of a build request `{ from?, to?, exchange?, symbol?, time? }`: both dates, or neither — then it is the
 * scheduled daily run, whose range is the day before the reference time.
 */
export function dayJobRange(request: unknown): { range: BuildRequest; scheduled: boolean } {
  const e = eventFields(request);
  const from = optionalDate(e, 'from');
  const to = optionalDate(e, 'to');
  if ((from === undefined) !== (to === undefined)) throw new UserError('give both event.from and event.to (YYYY-MM-DD), or neither for the day before');
  const filters = { ...(optionalExchange(e) && { exchange: optionalExchange(e) }), ...(optionalSymbol(e) && { symbol: optionalSymbol(e) }) };
  if (from !== undefined && to !== undefined) return { range: { from, to, ...filters }, scheduled: false };
  const dt = addDays(dateOf(referenceTime(e)), -1);
  return { range: { from: dt, to: dt, ...filters }, scheduled: true };
}
