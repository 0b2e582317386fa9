import { logger, type Logger } from '../../lib/util/log';

/**
 * The wrapper every handler shares: a logger tagged with the job and request id, and one structured line per
 * invocation (duration, or the error), so CloudWatch Logs Insights can chart runs without parsing messages.
 * Errors are rethrown: Lambda then reports the invocation failed (Errors metric, Step Functions retry).
 */

interface LambdaContext {
  awsRequestId?: string;
}

type Handler<R> = (event: unknown, context?: LambdaContext) => Promise<R>;

export function lambdaHandler<R>(job: string, run: (event: unknown, log: Logger) => Promise<R>): Handler<R> {
  return async (event, context) => {
    const log = logger(`lambda-${job}`).child({ requestId: context?.awsRequestId });
    const began = Date.now();
    try {
      const result = await run(event, log);
      log.info({ ms: Date.now() - began }, `${job} done`);
      return result;
    } catch (err) {
      log.error({ err, ms: Date.now() - began }, `${job} failed`);
      throw err;
    }
  };
}
