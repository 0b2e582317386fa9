import type { Logger } from '../util/log';
import type { Heartbeat, HeartbeatReport } from './heartbeat';
import type { CollectorService, StopResult } from './service';
import type { StopRequest, StopRequests } from './stop-request';

/**
 * The life of a collector service, the same behind both entry points: heartbeat on, connect, run until the
 * first stop request, then the bounded flush and a last beat. Connecting is not awaited: a feed that never
 * answers (nothing listening, no DNS, not a WebSocket, a silent server) keeps retrying with backoff, and the
 * stop request must be answered meanwhile, in every connection state.
 */

export interface ServiceRun {
  request: StopRequest;
  result: StopResult;
  /** The last heartbeat, written after the flush. */
  last: HeartbeatReport;
}

export interface ServiceParts {
  service: CollectorService;
  heartbeat: Heartbeat;
  stop: StopRequests;
  log: Logger;
}

export async function runService(o: ServiceParts): Promise<ServiceRun> {
  await o.heartbeat.start();
  o.service.start().then(
    () => { if (!o.stop.current) o.log.info('all sources connected'); },
    (err: unknown) => {
      o.log.fatal({ err }, 'collector failed to start');
      o.stop.request({ reason: 'crash', exitCode: 1 });
    },
  );
  const request = await o.stop.requested;
  const result = await o.service.stop();
  const last = await o.heartbeat.stop();
  return { request, result, last };
}
