import pino, { type Logger } from 'pino';

/**
 * Structured JSON logs on stderr (stdout is reserved for command results). In AWS the JSON lines go to
 * CloudWatch as they are; locally the level defaults to `warn` so progress lines stay readable.
 */
export type { Logger };

const defaultLevel =
  process.env.LOG_LEVEL ?? (process.env.AWS_EXECUTION_ENV || process.env.ECS_CONTAINER_METADATA_URI_V4 ? 'info' : 'warn');

const root: Logger = pino({ level: defaultLevel, base: { app: 'crypto-lakehouse' } }, pino.destination({ fd: 2, sync: true }));

export function logger(component: string): Logger {
  return root.child({ component });
}
