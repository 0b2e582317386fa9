import { discoverPartitions } from '../lake/discover';
import { dataset } from '../schema/registry';
import { symbolPathValue } from '../storage/lake-paths';
import type { ObjectStore } from '../storage/object-store';
import { NothingMatchedError } from '../util/errors';
import { planPartitions, type BuildRequest, type BuildStage } from './build-plan';

/**
 * `lakehouse silver|gold|run` look before they build: a request whose input the lake does not hold (a typo'd
 * symbol, a date the collector missed, a range before the data) is said on stderr, with what the lake does hold,
 * instead of an empty success. Exit code 6 (README.md, "The `lakehouse` CLI").
 */

const MARKETS_SHOWN = 5;

/** Throws NothingMatchedError when the stage has no input partition for the request. */
export async function requireBuildInput(store: ObjectStore, stage: BuildStage, r: BuildRequest): Promise<void> {
  if ((await planPartitions(store, stage, r)).length) return;
  const layer = stage === 'silver' ? 'Bronze' : 'Silver';
  const market = [r.exchange, r.symbol].filter(Boolean).join(' ');
  const when = r.from === r.to ? `on ${r.from}` : `from ${r.from} to ${r.to}`;
  let hint = await lakeHolds(store, stage, r);
  // Gold's input is Silver: if Bronze is there, Silver just has not been built yet.
  if (stage === 'gold' && (await planPartitions(store, 'silver', r)).length) {
    const command = r.from === r.to ? `silver --date ${r.from}` : `run --from ${r.from} --to ${r.to}`;
    hint = `the Bronze is there: build Silver first, lakehouse ${command}`;
  }
  throw new NothingMatchedError(`nothing to build: no ${layer} 1m klines${market ? ` for ${market}` : ''} ${when} (${hint})`);
}

/** The markets holding the stage's input, with their first and last date; those of the exchange/symbol asked for first. */
async function lakeHolds(store: ObjectStore, stage: BuildStage, r: BuildRequest): Promise<string> {
  const layer = stage === 'silver' ? 'bronze' : 'silver';
  const parts = await discoverPartitions(store, dataset(layer, 'klines'), { timeframe: '1m' });
  const spans = new Map<string, { exchange: string; symbol: string; first: string; last: string }>();
  for (const p of parts) {
    const key = `${p.exchange} ${p.symbol}`;
    const s = spans.get(key);
    if (!s) spans.set(key, { exchange: p.exchange, symbol: p.symbol, first: p.dt, last: p.dt });
    else {
      if (p.dt < s.first) s.first = p.dt;
      if (p.dt > s.last) s.last = p.dt;
    }
  }
  const name = layer === 'bronze' ? 'Bronze' : 'Silver';
  if (spans.size === 0) return `the lake holds no ${name} 1m klines at all`;
  const matches = (s: { exchange: string; symbol: string }) =>
    (!r.exchange || s.exchange === r.exchange) && (!r.symbol || s.symbol === symbolPathValue(r.symbol));
  const all = [...spans.values()].sort((a, b) => Number(matches(b)) - Number(matches(a)) || a.exchange.localeCompare(b.exchange)
    || a.symbol.localeCompare(b.symbol));
  const span = (s: { first: string; last: string }) => (s.first === s.last ? s.first : `${s.first}…${s.last}`);
  const shown = all.slice(0, MARKETS_SHOWN).map((s) => `${s.exchange} ${s.symbol} ${span(s)}`);
  const more = all.length > MARKETS_SHOWN ? ` and ${all.length - MARKETS_SHOWN} more` : '';
  return `the lake's ${name} 1m klines: ${shown.join(', ')}${more}`;
}
