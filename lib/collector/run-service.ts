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

export async function runService(parts: ServiceParts): Promise<ServiceRun> {
  await parts.heartbeat.start();
  parts.service.start().then(
    () => {
      if (!parts.stop.current) parts.log.info('all sources connected');
    },
    (err: unknown) => {
      parts.log.fatal({ err }, 'collector failed to start');
      parts.stop.request({ reason: 'crash', exitCode: 1 });
    },
  );
  const request = await parts.stop.requested;
  const result = await parts.service.stop();
  const last = await parts.heartbeat.stop();
  return { request, result, last };
}
