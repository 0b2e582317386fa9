import type { RestKlineDialect } from '../exchanges/profile';
import { exchangeSource, restKlineDialect, sourceProfile, type SourceProfile } from '../exchanges/registry';
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
    if (!dialect) throw new UserError(`${at}.${key} '${name}' cannot be healed: ${whyNoRestKlines(profile)}`);
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

const whyNoRestKlines = (profile: Pick<SourceProfile, 'restKlines'>) =>
  'unavailable' in profile.restKlines ? profile.restKlines.unavailable : 'no REST klines';

/** Exchanges whose REST API serves klines by time range: what `lakehouse backfill` and the self-heal can fill. */
export function backfillableExchanges(): ExchangeId[] {
  return EXCHANGES.filter((exchange) => {
    const source = exchangeSource(exchange);
    return source !== undefined && restKlineDialect(sourceProfile(source)) !== undefined;
  });
}

/**
 * The heal target of one exchange and symbol (`lakehouse backfill`), against `restBase` or the exchange's own REST
 * base. An exchange without REST klines by time range is a UserError naming why and what can be backfilled.
 */
export function healTargetFor(exchange: ExchangeId, symbols: string[], restBase?: string): HealTarget {
  const source = exchangeSource(exchange);
  const profile = source === undefined ? undefined : sourceProfile(source);
  const dialect = profile && restKlineDialect(profile);
  if (!profile || !dialect) {
    const why = profile ? whyNoRestKlines(profile) : 'no source collects it';
    throw new UserError(`${exchange} cannot be backfilled (${why}); backfill serves ${backfillableExchanges().join(', ')}`);
  }
  return {
    exchange,
    symbols,
    restBase: restBase ?? profile.rest,
    dialect,
    trades: profile.contiguousTradeIds && profile.restTradeHistory,
  };
}
