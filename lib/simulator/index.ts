/**
 * Exchange simulator (docs/collector.md, "Proving no loss"): a deterministic market model, offline Bronze
 * generators and a Binance-speaking server.
 */
export { startSimulator, DEFAULT_SIM_START } from './server/simulator';
export type { RunningSimulator, SimulatorOptions, SimulatorStats } from './server/simulator';
export type { SimClock } from './server/clock';
export type { FaultHooks, FrameContext } from './server/faults';
export { MarketModel } from './market/market-model';
export type { MarketModelOptions } from './market/market-model';
export type { SymbolMarket, Trade, MinuteTrades } from './market/symbol-market';
export type { Book } from './market/book';
export type { Kline } from './market/kline';
export { intervalMs } from './market/kline';
export { instrumentFor } from './market/instruments';
export type { InstrumentSpec } from './market/instruments';
export { MarketFeed } from './market/feed';
export type { MarketEvent, Demand, SymbolDemand } from './market/feed';
export { generateTradeRows, generateBookRows } from './offline/bronze-rows';
export type { OfflineOptions } from './offline/bronze-rows';
export { BinanceSpotPersonality } from './personality/binance-spot';
export type { ExchangePersonality } from './personality/personality';
export { SIM_PROTOCOLS, createPersonality } from './personality/registry';
export type { SimProtocol } from './personality/registry';
export { FaultPlan, randomStorm } from './server/fault-plan';
export type { FaultEvent, FaultPlanOptions, FaultCounts, StormOptions } from './server/fault-plan';
export { startArchiveServer, type ArchiveFaultPlan, type ArchiveServerOptions, type RunningArchiveServer } from './archive';
