/**
 * Normalized base/quote of exchange symbols. Binance spells pairs without a separator (BTCUSDT), so the quote
 * is the longest known quote asset that ends the symbol; Kraken separates them (BTC/USD) and calls bitcoin XBT.
 */

const QUOTES = [
  'FDUSD',
  'USDT',
  'USDC',
  'BUSD',
  'TUSD',
  'USDP',
  'DAI',
  'USD',
  'EUR',
  'GBP',
  'JPY',
  'AUD',
  'BRL',
  'TRY',
  'CHF',
  'CAD',
  'BTC',
  'ETH',
  'BNB',
  'XRP',
  'TRX',
  'DOGE',
  'SOL',
].sort((a, b) => b.length - a.length);

const ALIASES: Record<string, string> = { XBT: 'BTC', XDG: 'DOGE' };

/** Pairs the longest-suffix rule reads wrongly (USDTUSD is USDT/USD, not USD/TUSD). */
const EXCEPTIONS: Record<string, BaseQuote> = { USDTUSD: { base: 'USDT', quote: 'USD' } };

export interface BaseQuote {
  base: string;
  quote: string;
}

export function splitSymbol(symbol: string): BaseQuote {
  const upper = symbol.toUpperCase();
  if (EXCEPTIONS[upper]) return { ...EXCEPTIONS[upper] };
  const sep = /[/\-_:]/.exec(upper);
  if (sep) {
    const [base, quote] = [upper.slice(0, sep.index), upper.slice(sep.index + 1)];
    return { base: ALIASES[base] ?? base, quote: ALIASES[quote] ?? quote };
  }
  for (const quoteAsset of QUOTES) {
    if (upper.length > quoteAsset.length && upper.endsWith(quoteAsset))
      return { base: ALIASES[upper.slice(0, -quoteAsset.length)] ?? upper.slice(0, -quoteAsset.length), quote: quoteAsset };
  }
  return { base: upper, quote: '' };
}

const cache = new Map<string, BaseQuote>();
/** Memoized splitSymbol: adapters call it for every message. */
export function baseQuote(symbol: string): BaseQuote {
  let bq = cache.get(symbol);
  if (!bq) {
    bq = splitSymbol(symbol);
    cache.set(symbol, bq);
  }
  return bq;
}

// Letters and digits of any script (Binance lists symbols such as 币安人生USDT), `_` (dated futures), `.` and `-`.
const SYMBOL = /^[\p{L}\p{N}][\p{L}\p{N}_.-]{0,39}$/u;
const PAIR = /^[\p{L}\p{N}][\p{L}\p{N}_.-]{0,19}\/[\p{L}\p{N}][\p{L}\p{N}_.-]{0,19}$/u;

/**
 * Whether a symbol from a message can be filed: it becomes a lake partition (`symbol=...`) and part of stream
 * names, so control characters, separators, quotes or spaces from a garbled frame must not get through.
 * Binance spells symbols without a separator, Kraken as `BASE/QUOTE` (`pair`).
 */
export function isFileableSymbol(symbol: string, pair = false): boolean {
  return (pair ? PAIR : SYMBOL).test(symbol);
}
