import type { RestKlineDialect } from '../exchanges/profile';
import { restKlineDialect, sourceProfile } from '../exchanges/registry';
import { HEAL_SOURCE_LIST, readSourceList } from '../exchanges/source-list';
import { EXCHANGES, type ExchangeId } from '../schema/columns';
import { UserError } from '../util/errors';

const REST_BASE_PREFIX = 'REST_BASE_';

export interface HealTarget {
  exchange: ExchangeId;
  symbols: string[];
  restBase: string;
  /** The REST kline dialect spoken at `restBase`. */
  dialect: RestKlineDialect;
  /** Lost trades are fetched by id (`/api/v3/historicalTrades`): Binance spot, whose trade ids are consecutive. */
  trades: boolean;
}

/** `REST_BASE_BINANCE_FUTURES` for `binance-futures`. */
export function restBaseVariable(exchange: ExchangeId): string {
  return REST_BASE_PREFIX + exchange.toUpperCase().replace(/-/g, '_');
}

/**
 * What to heal, from `SOURCES` and optional `REST_BASE_<EXCHANGE>` overrides of the exchange's REST base URL.
 * An item names an `exchange` (`[{"exchange":"binance","symbols":["BTCUSDT","ETHUSDT"]}]`) or, as in the
 * collector's own SOURCES, a `source` (whose `endpoint`, a WebSocket URL, is ignored here), so one value can
 * configure both. Only exchanges whose REST API serves klines by time range (Binance spot and USD-M futures) can
 * be healed. Mistakes are UserErrors naming the variable.
 */
export function healTargetsFromEnv(env: NodeJS.ProcessEnv): HealTarget[] {
  const text = env.SOURCES?.trim();
  if (!text) throw new UserError('SOURCES is not set (expected e.g. [{"exchange":"binance","symbols":["BTCUSDT"]}])');
  // A misspelt override would otherwise send a test run to the real exchange.
  const known = new Set(EXCHANGES.map(restBaseVariable));
  for (const name of Object.keys(env)) {
    if (name.startsWith(REST_BASE_PREFIX) && env[name] && !known.has(name))
      throw new UserError(`${name} names no exchange (expected one of ${[...known].join(', ')})`);
  }
  return readSourceList(text, HEAL_SOURCE_LIST).map(({ at, key, name, entry }) => {
    const profile = sourceProfile(entry.source);
    const dialect = restKlineDialect(profile);
    if (!dialect)
      throw new UserError(
        `${at}.${key} '${name}' cannot be ` +
          `healed: ${'unavailable' in profile.restKlines ? profile.restKlines.unavailable : 'no REST klines'}`,
      );
    const variable = restBaseVariable(profile.exchange);
    const override = env[variable]?.trim();
    if (override && !/^https?:\/\/[^/]/.test(override)) throw new UserError(`${variable} '${override}' is not an http(s) URL`);
    return {
      exchange: profile.exchange,
      symbols: entry.symbols,
      restBase: override || profile.rest,
      dialect,
      trades: profile.contiguousTradeIds && profile.restTradeHistory,
    };
  });
}
