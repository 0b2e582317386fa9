import { runGold, runScheduledGold } from '../lib/gold/gold-job';
import { settle } from '../lib/lake/build-issues';
import { Metric } from '../lib/monitoring/metrics';
import { dayJobEvent, eventFields } from './shared/event';
import { lambdaHandler } from './shared/handler';
import { emitFleetMetrics, emitPartitionMetrics } from './shared/metrics';
import { lakeStore } from './shared/store';

/**
 * Gold for one date, every exchange/symbol with Silver (or the one named): `{ dt?, exchange?, symbol?, relabel? }`.
 * The build state machine invokes it once per partition. `relabel: true` (the daily run's items) also rebuilds the
 * day before, whose last hour's forward labels read this day's bars; so does an event without `dt` (yesterday).
 * A Silver input that cannot be read fails its partition: the invocation fails after the others were built and
 * their metrics emitted, with one line per failed partition naming the file (docs/bad-files.md).
 */
export const handler = lambdaHandler('gold', async (event, log) => {
  const { dt, exchange, symbol } = dayJobEvent(event);
  // The schedule names no date: it builds yesterday and completes the labels of the day before. A rebuild names one.
  const fields = eventFields(event);
  const scheduled = fields.dt === undefined || fields.relabel === true;
  const job = { store: lakeStore(), dt, exchange, symbol };
  const { built: run, error } = scheduled
    ? await settle(runScheduledGold(job))
    : await settle(runGold(job)).then((r) => ({ built: { built: r.built, relabelled: [] }, error: r.error }));
  const results = run.built;
  const summary = results.map((r) => ({
    exchange: r.exchange,
    symbol: r.symbol,
    rows: r.rows,
    dataOkPercent: r.rows ? (r.dataOkRows / r.rows) * 100 : 0,
    invalidFeatures: r.validity.invalid + r.validity.unexpectedNulls,
  }));
  for (const partition of summary) {
    emitPartitionMetrics(
      'gold',
      partition.exchange,
      partition.symbol,
      [
        { name: Metric.GoldInvalidFeatures, value: partition.invalidFeatures, unit: 'Count' },
        { name: Metric.GoldRows, value: partition.rows, unit: 'Count' },
        { name: Metric.GoldDataOkPercent, value: partition.dataOkPercent, unit: 'Percent' },
      ],
      { dt },
    );
  }
  if (error) throw error;
  if (results.length === 0) {
    log.warn({ dt, exchange, symbol }, 'no Silver 1m klines for this date: nothing built');
    emitFleetMetrics('gold', [{ name: Metric.GoldRows, value: 0, unit: 'Count' }], { dt });
  }
  return {
    dt,
    partitions: results.length,
    results: summary,
    relabelled: run.relabelled.map((r) => ({ exchange: r.exchange, symbol: r.symbol, dt: r.dt })),
  };
});
