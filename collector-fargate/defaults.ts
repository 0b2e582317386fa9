/**
 * Defaults shared by the entry point and the health check. Kept free of imports so the health check bundle
 * stays a few kilobytes (it runs every 30 s inside the container).
 */
export const DEFAULT_HEARTBEAT_FILE = '/tmp/collector-heartbeat.json';
/** Six missed 15 s beats: long enough to ride out a slow flush, short enough to restart a wedged process. */
export const DEFAULT_HEARTBEAT_MAX_AGE_SECONDS = 90;
/**
 * Where Bronze files wait while S3 is unreachable. Task storage survives a process crash and restart inside
 * the task (the container restarts in place), not the task's replacement.
 */
export const DEFAULT_SPOOL_DIR = '/tmp/bronze-spool';
