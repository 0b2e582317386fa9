import { instrumentFor, type InstrumentSpec } from './instruments';
import { MINUTE_MS } from '../../util/time';
import { hashString, keyHash } from './rng';
import { SymbolMarket } from './symbol-market';

/**
 * The simulated market of several symbols: a pure function of (seed, anchor, instruments). Usable without any
 * server, e.g. by benches and tests; the server streams and serves exactly what this model says.
 */

export interface MarketModelOptions {
  seed: number;
  symbols: readonly string[];
  /** Where each symbol's price path starts at its initial price (the simulator's start). */
  anchorMs: number;
  instruments?: Readonly<Record<string, Partial<InstrumentSpec>>>;
}

const SEED_SALT = 0x5eed;

export class MarketModel {
  readonly seed: number;
  readonly anchorMs: number;
  readonly symbols: readonly string[];
  private readonly markets = new Map<string, SymbolMarket>();

  constructor(opts: MarketModelOptions) {
    this.seed = Math.floor(opts.seed);
    this.anchorMs = opts.anchorMs;
    this.symbols = opts.symbols.map((s) => s.toUpperCase());
    for (const symbol of this.symbols) {
      const spec = instrumentFor(symbol, opts.instruments?.[symbol] ?? opts.instruments?.[symbol.toLowerCase()]);
      const key = keyHash(hashString(symbol), SEED_SALT, this.seed);
      this.markets.set(symbol, new SymbolMarket(spec, key, Math.floor(opts.anchorMs / MINUTE_MS)));
    }
  }

  has(symbol: string): boolean {
    return this.markets.has(symbol.toUpperCase());
  }

  market(symbol: string): SymbolMarket {
    const m = this.markets.get(symbol.toUpperCase());
    if (!m) throw new Error(`symbol ${symbol} is not simulated (have ${this.symbols.join(', ')})`);
    return m;
  }
}
