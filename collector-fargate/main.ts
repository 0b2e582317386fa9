import { Heartbeat } from '../lib/collector/heartbeat';
import { CollectorService } from '../lib/collector/service';
import { UserError } from '../lib/util/errors';
import { logger } from '../lib/util/log';
import { configFromEnv, openLake } from './config';

/**
 * The Fargate container's entry point (SPEC §7): configuration from the environment, then the collector service
 * and its heartbeat until SIGTERM (ECS stopping the task) or SIGINT, then a bounded flush and exit. Exit codes:
 * 0 everything flushed, 1 rows lost or a crash, 2 bad configuration.
 */

const log = logger('collector-fargate');

interface StopRequest {
  reason: string;
  exitCode: number;
}

/** Resolves on the first stop request; later signals are logged and ignored so they cannot cut the flush short. */
function stopRequested(): Promise<StopRequest> {
  return new Promise((resolve) => {
    let requested = false;
    const request = (r: StopRequest) => {
      if (requested) { log.warn({ reason: r.reason }, 'already stopping'); return; }
      requested = true;
      log.info({ reason: r.reason }, 'stop requested');
      resolve(r);
    };
    process.on('SIGTERM', () => request({ reason: 'SIGTERM', exitCode: 0 }));
    process.on('SIGINT', () => request({ reason: 'SIGINT', exitCode: 0 }));
    // A bug must not throw away up to five minutes of buffered rows: log it, flush, and exit non-zero.
    process.on('uncaughtException', (err) => { log.fatal({ err }, 'uncaught exception'); request({ reason: 'crash', exitCode: 1 }); });
    process.on('unhandledRejection', (err) => { log.fatal({ err }, 'unhandled rejection'); request({ reason: 'crash', exitCode: 1 }); });
  });
}

async function main(): Promise<number> {
  const stop = stopRequested();
  let service: CollectorService;
  let heartbeat: Heartbeat;
  try {
    const config = configFromEnv(process.env);
    service = new CollectorService(config.service, await openLake(config));
    heartbeat = new Heartbeat({ file: config.heartbeatFile, intervalMs: config.heartbeatIntervalMs, snapshot: () => service.snapshot(), spool: () => service.spoolStats() });
  } catch (err) {
    if (!(err instanceof UserError)) throw err;
    log.fatal(`invalid configuration: ${err.message}`);
    return 2;
  }
  await heartbeat.start();
  // Not awaited: an unreachable exchange keeps reconnecting, and the process must still answer SIGTERM meanwhile.
  void service.start().then(() => log.info('all sources connected'));
  const request = await stop;
  const result = await service.stop();
  const last = await heartbeat.stop();
  log.info({ reason: request.reason, ...result, exchanges: Object.fromEntries(Object.entries(last.exchanges).map(([ex, h]) => [ex, { messages: h.messages, filesWritten: h.filesWritten, rowsWritten: h.rowsWritten }])) }, 'collector stopped');
  return result.complete ? request.exitCode : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => { log.fatal({ err }, 'collector failed to start'); process.exit(1); },
);
