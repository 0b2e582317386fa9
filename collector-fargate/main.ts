import { Heartbeat } from '../lib/collector/heartbeat';
import { runService } from '../lib/collector/run-service';
import { CollectorService } from '../lib/collector/service';
import { StopRequests } from '../lib/collector/stop-request';
import { UserError } from '../lib/util/errors';
import { logger } from '../lib/util/log';
import { configFromEnv, openLake } from './config';

/**
 * The Fargate container's entry point: configuration from the environment, then the collector service and its
 * heartbeat until SIGTERM (ECS stopping the task) or SIGINT, then a bounded flush and exit — the same run as
 * `lakehouse collect` (lib/collector/run-service.ts, docs/collector.md). Exit codes: 0 everything flushed,
 * 1 rows lost or a crash, 2 bad configuration.
 */

const log = logger('collector-fargate');

async function main(): Promise<number> {
  const stop = new StopRequests({ log });
  let service: CollectorService;
  let heartbeat: Heartbeat;
  try {
    const config = configFromEnv(process.env);
    service = new CollectorService(config.service, await openLake(config));
    heartbeat = new Heartbeat({
      file: config.heartbeatFile,
      intervalMs: config.heartbeatIntervalMs,
      snapshot: () => service.snapshot(),
      spool: () => service.spoolStats(),
    });
  } catch (err) {
    if (!(err instanceof UserError)) throw err;
    log.fatal(`invalid configuration: ${err.message}`);
    return 2;
  }
  const { request, result, last } = await runService({ service, heartbeat, stop, log });
  log.info(
    {
      reason: request.reason,
      ...result,
      exchanges: Object.fromEntries(
        Object.entries(last.exchanges).map(([ex, h]) => [
          ex,
          { messages: h.messages, filesWritten: h.filesWritten, rowsWritten: h.rowsWritten },
        ]),
      ),
    },
    'collector stopped',
  );
  return result.complete ? request.exitCode : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    log.fatal({ err }, 'collector failed to start');
    process.exit(1);
  },
);
