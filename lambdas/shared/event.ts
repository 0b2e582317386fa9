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
  if (typeof event !== 'object' || Array.isArray(event))
    throw new UserError(`the event must be a JSON object, got ${JSON.stringify(event)}`);
  return event as EventFields;
}

export function requiredDate(fields: EventFields, field: string): string {
  const value = optionalDate(fields, field);
  if (value === undefined) throw new UserError(`event.${field} is required (YYYY-MM-DD)`);
  return value;
}

export function optionalDate(fields: EventFields, field: string): string | undefined {
  const value = fields[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || !isDate(value))
    throw new UserError(`event.${field} ${JSON.stringify(value)} is not a date (expected YYYY-MM-DD)`);
  return value;
}

export function optionalExchange(fields: EventFields): ExchangeId | undefined {
  const value = fields.exchange;
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || !(EXCHANGES as readonly string[]).includes(value))
    throw new UserError(`event.exchange ${JSON.stringify(value)} is not one of ${EXCHANGES.join(', ')}`);
  return value as ExchangeId;
}

/** Upper-cased, as the CLI does, so `btcusdt` finds the `BTCUSDT` partitions. */
export function optionalSymbol(fields: EventFields): string | undefined {
  const value = fields.symbol;
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || !value.trim()) throw new UserError(`event.symbol ${JSON.stringify(value)} is not a symbol`);
  return value.trim().toUpperCase();
}

export function optionalInt(fields: EventFields, field: string, min: number, max: number): number | undefined {
  const value = fields[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max)
    throw new UserError(`event.${field} ${JSON.stringify(value)} is not a whole number from ${min} to ${max}`);
  return value;
}

/**
 * The time "now" means for this invocation: the `time` of an EventBridge scheduled event (when the schedule
 * fired, so a delayed or retried run still works on the intended day and window), else the clock. Never later
 * than the clock, so no caller can make a job treat still-open minutes or days as closed.
 */
export function referenceTime(fields: EventFields, nowMs = Date.now()): number {
  const value = fields.time;
  if (value === undefined || value === null) return nowMs;
  const time = typeof value === 'string' ? Date.parse(value) : NaN;
  if (Number.isNaN(time)) throw new UserError(`event.time ${JSON.stringify(value)} is not an ISO 8601 time`);
  return Math.min(time, nowMs);
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
  const fields = eventFields(event);
  return {
    dt: optionalDate(fields, 'dt') ?? addDays(dateOf(referenceTime(fields)), -1),
    exchange: optionalExchange(fields),
    symbol: optionalSymbol(fields),
  };
}

/**
 * The range of a build request `{ from?, to?, exchange?, symbol?, time? }`: both dates, or neither — then it is the
 * scheduled daily run, whose range is the day before the reference time.
 */
export function dayJobRange(request: unknown): { range: BuildRequest; scheduled: boolean } {
  const fields = eventFields(request);
  const from = optionalDate(fields, 'from');
  const to = optionalDate(fields, 'to');
  if ((from === undefined) !== (to === undefined))
    throw new UserError('give both event.from and event.to (YYYY-MM-DD), or neither for the day before');
  const filters = {
    ...(optionalExchange(fields) && { exchange: optionalExchange(fields) }),
    ...(optionalSymbol(fields) && { symbol: optionalSymbol(fields) }),
  };
  if (from !== undefined && to !== undefined) return { range: { from, to, ...filters }, scheduled: false };
  const dt = addDays(dateOf(referenceTime(fields)), -1);
  return { range: { from: dt, to: dt, ...filters }, scheduled: true };
}
