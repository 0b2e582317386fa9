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
export async function requireBuildInput(store: ObjectStore, stage: BuildStage, request: BuildRequest): Promise<void> {
  if ((await planPartitions(store, stage, request)).length) return;
  const layer = stage === 'silver' ? 'Bronze' : 'Silver';
  const market = [request.exchange, request.symbol].filter(Boolean).join(' ');
  const when = request.from === request.to ? `on ${request.from}` : `from ${request.from} to ${request.to}`;
  let hint = await lakeHolds(store, stage, request);
  // Gold's input is Silver: if Bronze is there, Silver just has not been built yet.
  if (stage === 'gold' && (await planPartitions(store, 'silver', request)).length) {
    const command =
      request.from === request.to ? `silver --date ${request.from}` : `run --from ${request.from} --to ${request.to}`;
    hint = `the Bronze is there: build Silver first, lakehouse ${command}`;
  }
  throw new NothingMatchedError(`nothing to build: no ${layer} 1m klines${market ? ` for ${market}` : ''} ${when} (${hint})`);
}

/** The markets holding the stage's input, with their first and last date; those of the exchange/symbol asked for first. */
async function lakeHolds(store: ObjectStore, stage: BuildStage, request: BuildRequest): Promise<string> {
  const layer = stage === 'silver' ? 'bronze' : 'silver';
  const parts = await discoverPartitions(store, dataset(layer, 'klines'), { timeframe: '1m' });
  const spans = new Map<string, { exchange: string; symbol: string; first: string; last: string }>();
  for (const part of parts) {
    const key = `${part.exchange} ${part.symbol}`;
    const span = spans.get(key);
    if (!span) spans.set(key, { exchange: part.exchange, symbol: part.symbol, first: part.dt, last: part.dt });
    else {
      if (part.dt < span.first) span.first = part.dt;
      if (part.dt > span.last) span.last = part.dt;
    }
  }
  const name = layer === 'bronze' ? 'Bronze' : 'Silver';
  if (spans.size === 0) return `the lake holds no ${name} 1m klines at all`;
  const matches = (s: { exchange: string; symbol: string }) =>
    (!request.exchange || s.exchange === request.exchange) && (!request.symbol || s.symbol === symbolPathValue(request.symbol));
  const all = [...spans.values()].sort(
    (a, b) => Number(matches(b)) - Number(matches(a)) || a.exchange.localeCompare(b.exchange) || a.symbol.localeCompare(b.symbol),
  );
  const span = (s: { first: string; last: string }) => (s.first === s.last ? s.first : `${s.first}…${s.last}`);
  const shown = all.slice(0, MARKETS_SHOWN).map((s) => `${s.exchange} ${s.symbol} ${span(s)}`);
  const more = all.length > MARKETS_SHOWN ? ` and ${all.length - MARKETS_SHOWN} more` : '';
  return `the lake's ${name} 1m klines: ${shown.join(', ')}${more}`;
}
