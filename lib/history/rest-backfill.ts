import { createHash } from 'node:crypto';
import { BronzeBuffers } from '../bronze/bronze-buffers';
import { writeBronze } from '../bronze/bronze-writer';
import { BINANCE_SPOT_REST_KLINES, parseRestKlines } from '../exchanges/binance';
import type { RestKlineDialect } from '../exchanges/profile';
import { timeframeMs, type ExchangeId } from '../schema/columns';
import { bronzeFileId } from '../storage/lake-paths';
import type { ObjectStore } from '../storage/object-store';
import { UserError } from '../util/errors';

/**
 * REST backfill of klines (docs/silver.md#self-heal-the-gap-ledger-drives-the-rest-backfill): pages through the
 * exchange's klines endpoint in its dialect (Binance spot `/api/v3/klines`, 1,000 rows a call, by default; USD-M
 * futures `/fapi/v1/klines`, 1,500) from `from` up to `to` and writes the rows to Bronze with source `rest`. File names
 * derive from the request, so re-running the same backfill rewrites the same objects; Silver never lets a REST row
 * replace a WebSocket row.
 */

export interface BackfillOptions {
  store: ObjectStore;
  exchange: ExchangeId;
  symbol: string;
  interval?: string;
  /** First open time wanted (epoch ms, inclusive). */
  from: number;
  /** Last open time wanted (epoch ms, exclusive). */
  to: number;
  restBase: string;
  /** The REST dialect spoken at `restBase` (default Binance spot). */
  dialect?: RestKlineDialect;
  now?: () => number;
  fetchImpl?: typeof fetch;
  onProgress?(rows: number): void;
}

export interface BackfillResult {
  rows: number;
  calls: number;
  files: number;
  errors: string[];
}

const MAX_RETRIES = 5;

export async function backfillKlines(options: BackfillOptions): Promise<BackfillResult> {
  const interval = options.interval ?? '1m';
  const step = timeframeMs(interval);
  const fetchImpl = options.fetchImpl ?? fetch;
  const now = options.now ?? Date.now;
  const dialect = options.dialect ?? BINANCE_SPOT_REST_KLINES;
  const buffers = new BronzeBuffers(options.exchange);
  const fileId = restFileId(`${options.exchange}|${options.symbol}|${interval}|${options.from}|${options.to}`);
  const result: BackfillResult = { rows: 0, calls: 0, files: 0, errors: [] };

  for (let start = options.from; start < options.to; ) {
    const url = dialect.url(options.restBase, {
      symbol: options.symbol,
      interval,
      startTime: start,
      endTime: options.to - 1,
      limit: dialect.maxLimit,
    });
    const body = await getJson(fetchImpl, url);
    result.calls++;
    const parsed = parseRestKlines(body, options.symbol, interval, now(), now());
    result.errors.push(...parsed.errors);
    if (parsed.records.length === 0) break;
    let last = start;
    for (const rec of parsed.records) {
      const openTime = rec.row.open_time as number;
      if (openTime < options.from || openTime >= options.to) continue;
      buffers.add(rec);
      result.rows++;
      last = Math.max(last, openTime);
    }
    options.onProgress?.(result.rows);
    if (last + step <= start) break;
    start = last + step;
    if (parsed.records.length < dialect.maxLimit) break;
  }
  const files = await writeBronze(options.store, buffers.drain(), () => fileId);
  result.files = files.length;
  return result;
}

/** The Bronze file id of a REST backfill, derived from its request so a re-run rewrites the same objects. */
export function restFileId(request: string): string {
  return bronzeFileId('rest', createHash('sha256').update(request).digest('hex'));
}

/** GET with Binance's rate-limit answers honoured: wait `Retry-After` on 429, stop on 418 (IP ban). */
export async function getJson(fetchImpl: typeof fetch, url: string): Promise<unknown> {
  for (let attempt = 0; ; attempt++) {
    const res = await fetchImpl(url);
    if (res.status === 418) throw new UserError(`exchange banned this IP (HTTP 418) at ${url}; stop and wait before retrying`);
    if (res.status === 429 && attempt < MAX_RETRIES) {
      const wait = Number(res.headers.get('retry-after') ?? '1');
      await new Promise((r) => setTimeout(r, Math.min(60, Math.max(1, wait)) * 1000));
      continue;
    }
    const text = await res.text();
    try {
      return JSON.parse(text);
    } catch {
      throw new UserError(`exchange answered HTTP ${res.status} with a non-JSON body at ${url}`);
    }
  }
}
