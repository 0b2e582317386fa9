import { splitSymbol } from '../exchanges/symbols';

/**
 * The USD-M perpetual whose funding, open interest and liquidations describe a market (category 6, docs/features.md "6.
 * Perpetuals"): the market itself on binance-futures, else the base asset's USDT perpetual there (Kraken's XBT/USD →
 * BTCUSDT). Stablecoin bases have no perpetual worth using.
 */
const NO_PERPETUAL = new Set(['USDT', 'USDC', 'FDUSD', 'BUSD', 'TUSD', 'USDP', 'DAI']);

export const PERPETUAL_EXCHANGE = 'binance-futures';

export function perpetualFor(exchange: string, symbol: string): { exchange: string; symbol: string } | null {
  if (exchange === PERPETUAL_EXCHANGE) return { exchange, symbol };
  const { base } = splitSymbol(symbol);
  if (!base || NO_PERPETUAL.has(base)) return null;
  return { exchange: PERPETUAL_EXCHANGE, symbol: `${base}USDT` };
}
