import { runGold } from '../lib/gold/gold-job';
import { Metric } from '../lib/monitoring/metrics';
import { dayJobEvent } from './shared/event';
import { lambdaHandler } from './shared/handler';
import { emitFleetMetrics, emitPartitionMetrics } from './shared/metrics';
import { lakeStore } from './shared/store';

/**
 * Gold for one date, every exchange/symbol with Silver (or the one named). Invoked daily at 02:00 UTC by
 * EventBridge (dt = yesterday) and per date by the rebuild state machine: `{ dt?, exchange?, symbol? }`.
 */
export const handler = lambdaHandler('gold', async (event, log) => {
  const { dt, exchange, symbol } = dayJobEvent(event);
  const results = await runGold({ store: lakeStore(), dt, exchange, symbol });
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
  return { dt, partitions: results.length, results: summary };
});
