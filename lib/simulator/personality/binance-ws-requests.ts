import type { ClientMessageResult, SessionView } from './personality';

/**
 * The WebSocket request protocol Binance spot and USD-M share: JSON requests `{method, params, id}`, their
 * validation and error frames, and the methods both answer alike (LIST_SUBSCRIPTIONS, SET/GET_PROPERTY).
 * Each personality handles SUBSCRIBE and UNSUBSCRIBE itself, since what a stream name means differs.
 */

const METHODS = '`SUBSCRIBE`, `UNSUBSCRIBE`, `LIST_SUBSCRIPTIONS`, `SET_PROPERTY`, `GET_PROPERTY`';

export const errorReply = (code: number, msg: string, id: unknown = null) => JSON.stringify({ error: { code, msg }, id });

export interface BinanceRequest {
  method: unknown;
  list: unknown[];
  id: unknown;
}

/** A client frame as a request, or the error frame Binance answers a malformed one with. */
export function parseBinanceRequest(text: string): BinanceRequest | ClientMessageResult {
  let req: unknown;
  try {
    req = JSON.parse(text);
  } catch {
    return { reply: errorReply(3, 'Invalid JSON: expected value at line 1 column 1') };
  }
  if (typeof req !== 'object' || req === null || Array.isArray(req))
    return { reply: errorReply(3, 'Invalid JSON: expected an object') };
  const { method, params, id } = req as { method?: unknown; params?: unknown; id?: unknown };
  if (!validId(id)) return { reply: errorReply(2, 'Invalid request: request ID must be an unsigned integer') };
  if (method === undefined) return { reply: errorReply(2, 'Invalid request: missing field `method`', id) };
  return { method, list: Array.isArray(params) ? params : [], id };
}

export function isRequest(r: BinanceRequest | ClientMessageResult): r is BinanceRequest {
  return 'method' in r;
}

/** Stream names of a (UN)SUBSCRIBE request, or the error reply when one is not a string. */
export function streamNames(req: BinanceRequest): string[] | ClientMessageResult {
  return req.list.every((p): p is string => typeof p === 'string')
    ? req.list
    : { reply: errorReply(2, 'Invalid request: stream names must be strings', req.id) };
}

/** LIST_SUBSCRIPTIONS (answering `listed`), SET_PROPERTY, GET_PROPERTY and the error for an unknown method. */
export function commonMethod(req: BinanceRequest, session: SessionView, listed: readonly string[]): ClientMessageResult {
  const { method, list, id } = req;
  switch (method) {
    case 'LIST_SUBSCRIPTIONS':
      return { reply: JSON.stringify({ result: listed, id }) };
    case 'SET_PROPERTY':
      if (list[0] !== 'combined') return { reply: errorReply(0, 'Unknown property', id) };
      if (typeof list[1] !== 'boolean') return { reply: errorReply(1, 'Invalid value type: expected Boolean', id) };
      return { reply: JSON.stringify({ result: null, id }), combined: list[1] };
    case 'GET_PROPERTY':
      if (list[0] !== 'combined') return { reply: errorReply(0, 'Unknown property', id) };
      return { reply: JSON.stringify({ result: session.combined, id }) };
    default:
      return { reply: errorReply(2, `Invalid request: unknown variant ${String(method)}, expected one of ${METHODS}`, id) };
  }
}

/** Binance accepts a 64-bit integer, an alphanumeric string of up to 36 characters, or null. */
function validId(id: unknown): boolean {
  if (id === null) return true;
  if (typeof id === 'number') return Number.isSafeInteger(id);
  return typeof id === 'string' && id.length <= 36 && /^[A-Za-z0-9]*$/.test(id);
}
