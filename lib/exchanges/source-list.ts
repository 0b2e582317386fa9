import type { ExchangeId } from '../schema/columns';
import { UserError } from '../util/errors';
import { checkedUrl } from '../util/url';
import { COLLECTED_EXCHANGES, exchangeSource, SOURCES, type SourceId } from './registry';

/**
 * The SOURCES list the collector container and the hourly self-heal read from their environment: a JSON array of
 * `{"source", "symbols", "endpoint"?, "restEndpoint"?}`. The self-heal also takes `{"exchange", "symbols"}`
 * and ignores the WebSocket `endpoint`, so the collector's value configures it too. Every mistake is a UserError
 * naming the item and the key.
 */

/** What one reader of the list accepts. */
export interface SourceListSyntax {
  /** The keys that may name what to collect: `source` (the collector), or either `exchange` or `source`. */
  names: readonly ('exchange' | 'source')[];
  /** Every key an item may have; endpoints are checked only when the reader uses them. */
  keys: ReadonlySet<string>;
  /** Endpoints are URLs to check (the collector) or values to ignore (the self-heal). */
  endpoints: 'checked' | 'ignored';
  /** The keys an item may have, as an error message lists them. */
  expected: string;
}

export const COLLECTOR_SOURCE_LIST: SourceListSyntax = {
  names: ['source'],
  keys: new Set(['source', 'symbols', 'endpoint', 'restEndpoint']),
  endpoints: 'checked',
  expected: 'source, symbols, endpoint, restEndpoint',
};

export const HEAL_SOURCE_LIST: SourceListSyntax = {
  names: ['exchange', 'source'],
  keys: new Set(['exchange', 'source', 'symbols', 'endpoint']),
  endpoints: 'ignored',
  expected: 'exchange or source, and symbols',
};

/** One item as the collector runs it. */
export interface SourceEntry {
  source: SourceId;
  /** Upper-cased and without repeats, as the CLI takes them. */
  symbols: string[];
  /** WebSocket base URL replacing the source's default. */
  endpoint?: string;
  /** REST base URL replacing the source's default. */
  restEndpoint?: string;
}

export interface SourceListItem {
  /** `SOURCES[i]`, for messages. */
  at: string;
  /** The key that named the source, and its value as given. */
  key: 'exchange' | 'source';
  name: string;
  entry: SourceEntry;
}

/** The items of a SOURCES value (`variable` names it in messages). */
export function readSourceList(text: string, syntax: SourceListSyntax, variable = 'SOURCES'): SourceListItem[] {
  const example = `{"${syntax.names[0]}":"binance","symbols":["BTCUSDT"]}`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new UserError(`${variable} is not valid JSON (${(err as Error).message}); expected e.g. [${example}]`);
  }
  if (!Array.isArray(parsed) || parsed.length === 0) {
    throw new UserError(`${variable} must be a non-empty JSON array of {"${syntax.names[0]}","symbols"} objects`);
  }
  return parsed.map((item: unknown, i) => {
    const at = `${variable}[${i}]`;
    if (typeof item !== 'object' || item === null || Array.isArray(item))
      throw new UserError(`${at} must be an object like ${example}`);
    const o = item as Record<string, unknown>;
    // A misspelt key would otherwise be ignored silently (e.g. "symbol" for "symbols").
    const unknown = Object.keys(o).filter((k) => !syntax.keys.has(k));
    if (unknown.length) throw new UserError(`${at} has unknown key(s) ${unknown.join(', ')} (expected ${syntax.expected})`);
    const { key, name, source } = named(o, syntax, at);
    if (!Array.isArray(o.symbols) || o.symbols.length === 0 || !o.symbols.every((s) => typeof s === 'string' && s.trim())) {
      throw new UserError(`${at}.symbols must be a non-empty array of symbol strings, e.g. ["BTCUSDT","ETHUSDT"]`);
    }
    const symbols = [...new Set((o.symbols as string[]).map((s) => s.trim().toUpperCase()))];
    const entry: SourceEntry = { source, symbols, ...(syntax.endpoints === 'checked' ? endpoints(o, at) : {}) };
    return { at, key, name, entry };
  });
}

/** The collector's reading of SOURCES: the sources to run. */
export function parseSourceList(text: string): SourceEntry[] {
  return readSourceList(text, COLLECTOR_SOURCE_LIST).map((item) => item.entry);
}

function named(
  entry: Record<string, unknown>,
  syntax: SourceListSyntax,
  at: string,
): { key: 'exchange' | 'source'; name: string; source: SourceId } {
  const given = syntax.names.filter((k) => entry[k] !== undefined);
  if (syntax.names.length > 1 && given.length !== 1) throw new UserError(`${at} must name either an exchange or a source`);
  const key = given[0] ?? syntax.names[0];
  const value = entry[key];
  const allowed: readonly string[] = key === 'exchange' ? COLLECTED_EXCHANGES : SOURCES;
  if (typeof value !== 'string' || !allowed.includes(value)) {
    throw new UserError(`${at}.${key} ${JSON.stringify(value)} is not one of ${allowed.join(', ')}`);
  }
  return { key, name: value, source: key === 'exchange' ? exchangeSource(value as ExchangeId)! : (value as SourceId) };
}

function endpoints(entry: Record<string, unknown>, at: string): Pick<SourceEntry, 'endpoint' | 'restEndpoint'> {
  if (entry.endpoint !== undefined && typeof entry.endpoint !== 'string')
    throw new UserError(`${at}.endpoint must be a ws:// or wss:// URL string`);
  const endpoint = entry.endpoint === undefined ? undefined : checkedUrl(`${at}.endpoint`, entry.endpoint, ['ws:', 'wss:']);
  if (entry.restEndpoint !== undefined && typeof entry.restEndpoint !== 'string') {
    throw new UserError(`${at}.restEndpoint must be an http:// or https:// URL string`);
  }
  // Without it, a source with an endpoint polls REST on that endpoint's host (CollectorService, restBaseFor).
  const restEndpoint =
    entry.restEndpoint === undefined ? undefined : checkedUrl(`${at}.restEndpoint`, entry.restEndpoint, ['http:', 'https:']);
  return { ...(endpoint ? { endpoint } : {}), ...(restEndpoint ? { restEndpoint } : {}) };
}
