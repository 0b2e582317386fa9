import type { ExchangeId } from '../schema/columns';
import { UserError } from '../util/errors';
import { BINANCE_SPOT_PROFILE, BINANCE_US_PROFILE, BINANCE_USDM_PROFILE } from './binance';
import { KRAKEN_PROFILE } from './kraken';
import type { ConnectionPlan, ExchangeProfile, PollOptions, RestKlineDialect, RestPollPlan } from './profile';
import type { ExchangeAdapter } from './types';

/**
 * Every source the collector can run, by the id `SOURCES`, `lakehouse collect --source` and the deployment's
 * collector groups name it with. An exchange's folder exports its profile; adding an exchange is that folder and
 * one line here (docs/architecture.md, "Adding an exchange").
 */
const PROFILES = {
  binance: BINANCE_SPOT_PROFILE,
  binanceus: BINANCE_US_PROFILE,
  'binance-futures': BINANCE_USDM_PROFILE,
  kraken: KRAKEN_PROFILE,
  // The simulator speaks Binance spot's protocol, so its rows are filed as binance.
  sim: BINANCE_SPOT_PROFILE,
} as const satisfies Record<string, ExchangeProfile>;

export type SourceId = keyof typeof PROFILES;
export const SOURCES = Object.keys(PROFILES) as readonly SourceId[];

/** The profile of a source; a UserError for an id no source has (configurations are typed by hand). */
export function exchangeProfile(source: SourceId): ExchangeProfile {
  if (!Object.hasOwn(PROFILES, source)) throw new UserError(`source '${source}' is not supported`);
  return PROFILES[source];
}

/** The exchange a source's rows are filed under. */
export const sourceExchange = (source: SourceId): ExchangeId => exchangeProfile(source).exchange;

/** Exchanges some source files under, each once, in registry order. */
export const COLLECTED_EXCHANGES: readonly ExchangeId[] = [...new Set(SOURCES.map(sourceExchange))];

/** The source configurations name an exchange by: the first registered to file under it (binance, not sim). */
export function exchangeSource(exchange: ExchangeId): SourceId | undefined {
  return SOURCES.find((source) => sourceExchange(source) === exchange);
}

/** One collector's view of a source: its profile with an adapter of its own and the poll options applied. */
export interface SourceProfile {
  exchange: ExchangeId;
  adapter: ExchangeAdapter;
  ws: string;
  rest: string;
  connections: (wsBase: string, symbols: readonly string[], maxStreams?: number) => ConnectionPlan[];
  contiguousTradeIds: boolean;
  restKlines: RestKlineDialect | { unavailable: string };
  restTradeHistory: boolean;
  polls?: (restBase: string, symbols: readonly string[]) => RestPollPlan[];
  resyncMessages?: (symbol: string, stream: string) => string[];
  streamSilenceMs?: Partial<Record<string, number>>;
  silentTimeoutMs?: number;
}

export function sourceProfile(source: SourceId, opts: PollOptions = {}): SourceProfile {
  const profile = exchangeProfile(source);
  const { polls } = profile;
  return {
    exchange: profile.exchange,
    adapter: profile.createAdapter(),
    ws: profile.ws,
    rest: profile.rest,
    connections: profile.connections,
    contiguousTradeIds: profile.contiguousTradeIds,
    restKlines: profile.restKlines,
    restTradeHistory: profile.restTradeHistory,
    ...(polls ? { polls: (restBase: string, symbols: readonly string[]) => polls(restBase, symbols, opts) } : {}),
    ...(profile.resyncMessages ? { resyncMessages: profile.resyncMessages } : {}),
    ...(profile.limits.streamSilenceMs ? { streamSilenceMs: profile.limits.streamSilenceMs } : {}),
    ...(profile.limits.silentTimeoutMs ? { silentTimeoutMs: profile.limits.silentTimeoutMs } : {}),
  };
}

/** The source's REST kline dialect, or undefined when its klines cannot be fetched by time range. */
export function restKlineDialect(profile: Pick<SourceProfile, 'restKlines'>): RestKlineDialect | undefined {
  return 'unavailable' in profile.restKlines ? undefined : profile.restKlines;
}

/** The collector options a source contributes, against its endpoints (or overrides). */
export function sourceCollectorOptions(
  profile: SourceProfile,
  symbols: readonly string[],
  wsBase = profile.ws,
  restBase = profile.rest,
) {
  return {
    exchange: profile.exchange,
    adapter: profile.adapter,
    connections: profile.connections(wsBase, symbols),
    contiguousTradeIds: profile.contiguousTradeIds,
    polls: profile.polls?.(restBase, symbols),
    resyncMessages: profile.resyncMessages,
    streamSilenceMs: profile.streamSilenceMs,
    silentTimeoutMs: profile.silentTimeoutMs,
  };
}
