import { Metric } from '../lib/monitoring/metrics';
import { runSilver } from '../lib/silver/silver-job';
import { dayJobEvent } from './shared/event';
import { lambdaHandler } from './shared/handler';
import { emitFleetMetrics, emitPartitionMetrics } from './shared/metrics';
import { lakeStore } from './shared/store';

/**
 * Silver for one date, every exchange/symbol with Bronze (or the one named). Invoked daily at 01:00 UTC by
 * EventBridge (dt = yesterday) and per date by the rebuild state machine: `{ dt?, exchange?, symbol? }`.
 */
export const handler = lambdaHandler('silver', async (event, log) => {
  const { dt, exchange, symbol } = dayJobEvent(event);
  const results = await runSilver({ store: lakeStore(), dt, exchange, symbol });
  for (const { exchange: ex, symbol: sym, report } of results) {
    const k = report.klines_1m;
    emitPartitionMetrics('silver', ex, sym, [
      { name: Metric.SilverCompleteness, value: k.completeness * 100, unit: 'Percent' },
      { name: Metric.SilverQuarantinedRows, value: k.quarantined, unit: 'Count' },
      { name: Metric.SilverPartitionsBuilt, value: 1, unit: 'Count' },
    ], { dt, verdict: report.verdict });
  }
  if (results.length === 0) {
    log.warn({ dt, exchange, symbol }, 'no Bronze 1m klines for this date: nothing built');
    emitFleetMetrics('silver', [{ name: Metric.SilverPartitionsBuilt, value: 0, unit: 'Count' }], { dt });
  }
  return {
    dt,
    partitions: results.length,
    results: results.map(({ exchange: ex, symbol: sym, report: r }) => ({
      exchange: ex, symbol: sym, verdict: r.verdict, reasons: r.reasons, completenessPercent: r.klines_1m.completeness * 100,
      rows: r.klines_1m.kept, quarantined: r.klines_1m.quarantined, missingMinutes: r.klines_1m.missing,
    })),
  };
});
