import { HISTORY_EXCHANGES, historyFileItem, historyItemsKey, planHistory, type HistoryExchange } from '../lib/app/history';
import { parseArchiveDataset, type ArchiveDatasetRequest } from '../lib/exchanges/binance/archive-layout';
import { UserError } from '../lib/util/errors';
import { eventFields, requiredDate, type EventFields } from './shared/event';
import { lambdaHandler } from './shared/handler';
import { lakeStore } from './shared/store';

/**
 * First state of the history-load state machine: `{ execution, request: { exchange, symbols, datasets, from, to,
 * baseUrl? } }` → the request's archive files (planArchive, as `lakehouse history` plans them), written as a JSON
 * array to `jobs/history/{execution}/files.json` for the Distributed Map's ItemReader (as the build plan does: no
 * 256 KB payload limit), and `{ key, count, gaps, build }`: `build` is the Silver/Gold rebuild of the range.
 */
export const handler = lambdaHandler('history-plan', async (event) => {
  const fields = eventFields(event);
  if (typeof fields.execution !== 'string') throw new UserError('event.execution (the execution name) is required');
  const request = eventFields(fields.request);
  const exchange = historyExchange(request);
  const symbols = symbolList(request);
  const baseUrl = optionalBaseUrl(request);
  const from = requiredDate(request, 'from');
  const to = requiredDate(request, 'to');
  const plan = planHistory({ exchange, symbols, datasets: datasetList(request), from, to }, Date.now());
  const key = historyItemsKey(fields.execution);
  // The lake is the bucket's root in every deployment, so the lake key is also the bucket key the ItemReader reads.
  await lakeStore().put(key, JSON.stringify(plan.files.map((file) => historyFileItem(exchange, file, baseUrl))));
  // The build takes one symbol or all: with several, every symbol of the exchange with Bronze in the range is rebuilt.
  const build = { from, to, exchange, ...(symbols.length === 1 ? { symbol: symbols[0] } : {}) };
  return { key, count: plan.files.length, gaps: plan.gaps, build };
});

function historyExchange(request: EventFields): HistoryExchange {
  const value = request.exchange;
  if (typeof value !== 'string' || !(HISTORY_EXCHANGES as readonly string[]).includes(value)) {
    throw new UserError(`event.exchange ${JSON.stringify(value)} is not one of ${HISTORY_EXCHANGES.join(', ')}`);
  }
  return value as HistoryExchange;
}

/** A list or a comma-separated string, as the CLI's `--symbols` takes it. */
function stringList(request: EventFields, field: string, example: string): string[] {
  const value = request[field];
  const list = typeof value === 'string' ? value.split(',') : value;
  const ok = Array.isArray(list) && list.every((item) => typeof item === 'string');
  const names = ok ? list.map((item) => item.trim()).filter(Boolean) : [];
  if (names.length === 0) throw new UserError(`event.${field} ${JSON.stringify(value)} is not a list such as ${example}`);
  return names;
}

function symbolList(request: EventFields): string[] {
  const symbols = stringList(request, 'symbols', '["BTCUSDT"]').map((symbol) => symbol.toUpperCase());
  const bad = symbols.find((symbol) => !/^[A-Z0-9]{2,30}$/.test(symbol));
  if (bad !== undefined) throw new UserError(`event.symbols: ${JSON.stringify(bad)} is not an archive symbol`);
  return symbols;
}

function datasetList(request: EventFields): ArchiveDatasetRequest[] {
  return stringList(request, 'datasets', '["klines:1m","trades"]').map((name) => {
    try {
      return parseArchiveDataset(name);
    } catch (error) {
      throw new UserError(`event.datasets: ${(error as Error).message}`);
    }
  });
}

/** The archive to read (default data.binance.vision); tests give the simulator's. */
function optionalBaseUrl(request: EventFields): string | undefined {
  const value = request.baseUrl;
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || !/^https?:\/\/[^/\s]+/.test(value))
    throw new UserError(`event.baseUrl ${JSON.stringify(value)} is not an http(s) URL`);
  return value;
}
