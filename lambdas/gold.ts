import { runGold, runScheduledGold } from '../lib/gold/gold-job';
import { Metric } from '../lib/monitoring/metrics';
import { dayJobEvent, eventFields } from './shared/event';
import { lambdaHandler } from './shared/handler';
import { emitFleetMetrics, emitPartitionMetrics } from './shared/metrics';
import { lakeStore } from './shared/store';

/**
 * Gold for one date, every exchange/symbol with Silver (or the one named): `{ dt?, exchange?, symbol?, relabel? }`.
 * The build state machine invokes it once per partition. `relabel: true` (the daily run's items) also rebuilds the
 * day before, whose last hour's forward labels read this day's bars; so does an event without `dt` (yesterday).
 */
export const handler = lambdaHandler('gold', async (event, log) => {
  const { dt, exchange, symbol } = dayJobEvent(event);
  // The schedule names no date: it builds yesterday and completes the labels of the day before. A rebuild names one.
  const e = eventFields(event);
  const scheduled = e.dt === undefined || e.relabel === true;
  const run = scheduled ? await runScheduledGold({ store: lakeStore(), dt, exchange, symbol }) : { built: await runGold({ store: lakeStore(), dt, exchange, symbol }), relabelled: [] };
  const results = run.built;
  const summary = results.map((r) => ({
    exchange: r.exchange, symbol: r.symbol, rows: r.rows, dataOkPercent: r.rows ? (r.dataOkRows / r.rows) * 100 : 0,
    invalidFeatures: r.validity.invalid + r.validity.unexpectedNulls,
  }));
  for (const s of summary) {
    emitPartitionMetrics('gold', s.exchange, s.symbol, [
      { name: Metric.GoldInvalidFeatures, value: s.invalidFeatures, unit: 'Count' },
      { name: Metric.GoldRows, value: s.rows, unit: 'Count' },
      { name: Metric.GoldDataOkPercent, value: s.dataOkPercent, unit: 'Percent' },
    ], { dt });
  }
  if (results.length === 0) {
    log.warn({ dt, exchange, symbol }, 'no Silver 1m klines for this date: nothing built');
    emitFleetMetrics('gold', [{ name: Metric.GoldRows, value: 0, unit: 'Count' }], { dt });
  }
  return { dt, partitions: results.length, results: summary, relabelled: run.relabelled.map((r) => ({ exchange: r.exchange, symbol: r.symbol, dt: r.dt })) };
});
