import { Metric } from '../lib/monitoring/metrics';
import { settle } from '../lib/lake/build-issues';
import { runSilver } from '../lib/silver/silver-job';
import { dayJobEvent } from './shared/event';
import { lambdaHandler } from './shared/handler';
import { emitFleetMetrics, emitPartitionMetrics } from './shared/metrics';
import { lakeStore } from './shared/store';

/**
 * Silver for one date, every exchange/symbol with Bronze (or the one named). Invoked daily at 01:00 UTC by
 * EventBridge (dt = yesterday) and per partition by the build state machine: `{ dt?, exchange?, symbol? }`.
 * An unreadable Bronze file is skipped and named in the quality report (the log has a warning); a partition that
 * fails fails the invocation, after the others were built and their metrics emitted, with one line per failed
 * partition naming the file where one was the cause (docs/bad-files.md).
 */
export const handler = lambdaHandler('silver', async (event, log) => {
  const { dt, exchange, symbol } = dayJobEvent(event);
  const { built: results, error } = await settle(runSilver({ store: lakeStore(), dt, exchange, symbol }));
  for (const { exchange: ex, symbol: sym, report } of results) {
    const klines = report.klines_1m;
    emitPartitionMetrics(
      'silver',
      ex,
      sym,
      [
        { name: Metric.SilverCompleteness, value: klines.completeness * 100, unit: 'Percent' },
        { name: Metric.SilverQuarantinedRows, value: klines.quarantined, unit: 'Count' },
        { name: Metric.SilverPartitionsBuilt, value: 1, unit: 'Count' },
      ],
      { dt, verdict: report.verdict },
    );
  }
  if (error) throw error;
  if (results.length === 0) {
    log.warn({ dt, exchange, symbol }, 'no Bronze 1m klines for this date: nothing built');
    emitFleetMetrics('silver', [{ name: Metric.SilverPartitionsBuilt, value: 0, unit: 'Count' }], { dt });
  }
  return {
    dt,
    partitions: results.length,
    results: results.map(({ exchange: ex, symbol: sym, report: r }) => ({
      exchange: ex,
      symbol: sym,
      verdict: r.verdict,
      reasons: r.reasons,
      completenessPercent: r.klines_1m.completeness * 100,
      rows: r.klines_1m.kept,
      quarantined: r.klines_1m.quarantined,
      missingMinutes: r.klines_1m.missing,
    })),
  };
});
