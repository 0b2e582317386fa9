import { intervalMs } from '../market/kline';
import type { RestRequest, RestResponse } from './personality';

/**
 * What Binance's spot and USD-M REST APIs share in the simulator: error bodies in Binance's format and the
 * kline window (`startTime`, `endTime`, `limit`) with the exchange's validation. The two APIs differ in headers
 * and limits, so those are parameters.
 */

export interface BinanceRestReplies {
  ok: (body: string) => RestResponse;
  error: (status: number, code: number, msg: string) => RestResponse;
  mandatory: (name: string) => RestResponse;
  illegal: (name: string) => RestResponse;
  invalidSymbol: RestResponse;
}

export function binanceReplies(headers: Record<string, string>): BinanceRestReplies {
  const error = (status: number, code: number, msg: string): RestResponse => ({
    status,
    body: JSON.stringify({ code, msg }),
    headers,
  });
  return {
    ok: (body) => ({ status: 200, body, headers }),
    error,
    mandatory: (name) => error(400, -1102, `Mandatory parameter '${name}' was not sent, was empty/null, or malformed.`),
    illegal: (name) => error(400, -1100, `Illegal characters found in parameter '${name}'; legal range is '^[0-9]{1,20}$'.`),
    invalidSymbol: error(400, -1121, 'Invalid symbol.'),
  };
}

/** An endpoint: the request's query and the simulated now in, the reply out. */
export type BinanceEndpoint = (query: URLSearchParams, nowMs: number) => RestResponse;

/**
 * A request to a Binance REST API whose paths start with `prefix` (`/api/v3/`, `/fapi/v1/`): `ping` and `time`
 * answered here, the paths of `endpoints` (named without the prefix) by them; another method is 405, another path 404.
 */
export function answerBinanceRest(
  req: RestRequest,
  nowMs: number,
  prefix: string,
  endpoints: Readonly<Record<string, BinanceEndpoint>>,
  replies: BinanceRestReplies,
): RestResponse {
  if (req.method !== 'GET') return replies.error(405, -1000, `Method ${req.method} is not supported.`);
  const name = req.path.startsWith(prefix) ? req.path.slice(prefix.length) : undefined;
  if (name === 'ping') return replies.ok('{}');
  if (name === 'time') return replies.ok(`{"serverTime":${nowMs}}`);
  const endpoint = name !== undefined && Object.hasOwn(endpoints, name) ? endpoints[name] : undefined;
  return endpoint ? endpoint(req.query, nowMs) : replies.error(404, -1000, `Unknown endpoint ${req.path}.`);
}

/**
 * Open times [first, last] of the klines a request asks for, or the error Binance answers: at most `limit`
 * bars (capped, not rejected, above `maxLimit`), none before the listing (`historyStartMs`) or after `nowMs`.
 */
export function klineWindow(
  query: URLSearchParams,
  len: number,
  nowMs: number,
  historyStartMs: number,
  limits: { defaultLimit: number; maxLimit: number },
  r: BinanceRestReplies,
): { first: number; last: number } | RestResponse {
  const params: Partial<Record<'startTime' | 'endTime' | 'limit', number>> = {};
  for (const name of ['startTime', 'endTime', 'limit'] as const) {
    const v = query.get(name);
    if (v === null || v === '') continue;
    if (!/^[0-9]{1,20}$/.test(v)) return r.illegal(name);
    params[name] = Number(v);
  }
  if (params.limit === 0) return r.error(400, -1130, "Data sent for parameter 'limit' is not valid.");
  const limit = Math.min(params.limit ?? limits.defaultLimit, limits.maxLimit);
  const floorTo = (t: number) => t - (t % len);
  const firstListed = Math.ceil(historyStartMs / len) * len;
  let last = floorTo(nowMs);
  if (params.endTime !== undefined) last = Math.min(last, floorTo(params.endTime));
  let first: number;
  if (params.startTime !== undefined) {
    first = Math.max(firstListed, Math.ceil(params.startTime / len) * len);
    last = Math.min(last, first + (limit - 1) * len);
  } else {
    first = Math.max(firstListed, last - (limit - 1) * len);
  }
  return { first, last };
}

/**
 * The reply to a klines request whose symbol and interval were given: Binance's interval and window checks, then
 * one row per bar that `restKline` formats from the bar's length and open time.
 */
export function klinesReply(
  query: URLSearchParams,
  interval: string,
  nowMs: number,
  historyStartMs: number,
  limits: { defaultLimit: number; maxLimit: number },
  replies: BinanceRestReplies,
  restKline: (len: number, open: number) => string,
): RestResponse {
  const len = intervalMs(interval);
  if (len === undefined) return replies.error(400, -1120, 'Invalid interval.');
  const window = klineWindow(query, len, nowMs, historyStartMs, limits, replies);
  if ('status' in window) return window;
  const rows: string[] = [];
  for (let open = window.first; open <= window.last; open += len) rows.push(restKline(len, open));
  return replies.ok(`[${rows.join(',')}]`);
}
