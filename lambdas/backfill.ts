import { DEFAULT_HEAL_HOURS, MAX_HEAL_HOURS, healTargetsFromEnv, selfHeal } from '../lib/app/self-heal';
import { Metric } from '../lib/monitoring/metrics';
import { optionalEnvInt } from './shared/env';
import { eventFields, optionalInt, referenceTime } from './shared/event';
import { lambdaHandler } from './shared/handler';
import { emitPartitionMetrics } from './shared/metrics';
import { lakeStore } from './shared/store';

/**
 * The hourly self-heal: REST-backfills the closed minutes of the last `hours` that have no closed Bronze 1m
 * bar and either no row at all or a gap-ledger interruption over them, for every exchange/symbol in `SOURCES`,
 * and reports the minutes that stay missing (metric StillMissingMinutes). On Binance spot it also fetches, by id,
 * the trades lost in ledgered gaps of the trade stream (properties tradesFetched, tradeIdsStillMissing).
 * Event `{ hours?, time? }`: `hours` defaults to SELF_HEAL_HOURS, else 3; `time` (an EventBridge event's, or a
 * schedule's scheduled time) to the clock.
 */
export const handler = lambdaHandler('backfill', async (event, log) => {
  const fields = eventFields(event);
  const hours =
    optionalInt(fields, 'hours', 1, MAX_HEAL_HOURS) ?? optionalEnvInt('SELF_HEAL_HOURS', 1, MAX_HEAL_HOURS) ?? DEFAULT_HEAL_HOURS;
  // The collector's flush interval, when it is not the default (the same FLUSH_INTERVAL_SECONDS as the collector).
  const flushSeconds = optionalEnvInt('FLUSH_INTERVAL_SECONDS', 1, 3600);
  const result = await selfHeal({
    store: lakeStore(),
    targets: healTargetsFromEnv(process.env),
    nowMs: referenceTime(fields),
    hours,
    flushIntervalMs: flushSeconds && flushSeconds * 1000,
  });
  for (const heal of result.symbols) {
    emitPartitionMetrics(
      'backfill',
      heal.exchange,
      heal.symbol,
      [
        { name: Metric.BackfilledRows, value: heal.rows, unit: 'Count' },
        { name: Metric.StillMissingMinutes, value: heal.stillMissingMinutes, unit: 'Count' },
      ],
      {
        missingMinutes: heal.missingMinutes,
        ledgerGaps: heal.ledgerGaps,
        stillMissing: heal.stillMissing,
        tradesFetched: heal.tradesFetched,
        tradeIdsStillMissing: heal.tradeIdsStillMissing,
      },
    );
  }
  const failed = result.symbols.filter((s) => s.errors.length);
  if (failed.length) {
    // Fail the invocation (Lambda Errors alarm) once every symbol has had its turn and its metric.
    log.error({ result }, 'self-heal finished with errors');
    throw new Error(`self-heal failed for ${failed.map((s) => `${s.exchange}/${s.symbol} (${s.errors[0]})`).join(', ')}`);
  }
  return result;
});
