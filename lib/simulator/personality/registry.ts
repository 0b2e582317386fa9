import type { MarketModel } from '../market/market-model';
import { BinanceFuturesPersonality } from './binance-futures';
import { BinanceSpotPersonality } from './binance-spot';
import { KrakenPersonality } from './kraken';
import type { ExchangePersonality } from './personality';

/**
 * The protocols the simulator can speak. One simulator serves one protocol; a multi-exchange test starts one
 * per exchange over the same seed. Binance US speaks Binance spot's protocol (its 3-minute ping is a transport
 * option, `pingIntervalMs`).
 */

export const SIM_PROTOCOLS = ['binance-spot', 'binance-futures', 'kraken'] as const;
export type SimProtocol = (typeof SIM_PROTOCOLS)[number];

export interface PersonalityOptions {
  /** Earliest time REST history is served from (the simulated listing date). */
  historyStartMs: number;
}

type Factory = (model: MarketModel, opts: PersonalityOptions) => ExchangePersonality;

const FACTORIES: Record<SimProtocol, Factory> = {
  'binance-spot': (model, opts) => new BinanceSpotPersonality(model, opts),
  'binance-futures': (model, opts) => new BinanceFuturesPersonality(model, opts),
  kraken: (model, opts) => new KrakenPersonality(model, opts),
};

export function createPersonality(protocol: SimProtocol, model: MarketModel, opts: PersonalityOptions): ExchangePersonality {
  return FACTORIES[protocol](model, opts);
}
