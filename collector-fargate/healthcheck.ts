import { readFileSync } from 'node:fs';
import { DEFAULT_HEARTBEAT_FILE, DEFAULT_HEARTBEAT_MAX_AGE_SECONDS } from './defaults';

/**
 * Container health check (Dockerfile HEALTHCHECK and the ECS task's healthCheck): exit 0 when the heartbeat
 * the collector's event loop writes is fresh, else 1. The beat's own timestamp is compared, not the file's
 * mtime, so a file touched by anything else cannot pass. One line of output: Docker and ECS keep it.
 */

function check(): { healthy: boolean; detail: string } {
  const file = process.env.HEARTBEAT_FILE || DEFAULT_HEARTBEAT_FILE;
  const rawMax = process.env.HEARTBEAT_MAX_AGE_SECONDS?.trim();
  const maxAge = rawMax ? Number(rawMax) : DEFAULT_HEARTBEAT_MAX_AGE_SECONDS;
  if (!(maxAge > 0)) return { healthy: false, detail: `HEARTBEAT_MAX_AGE_SECONDS=${rawMax} is not a positive number` };
  let beat: unknown;
  try {
    beat = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    return { healthy: false, detail: `no readable heartbeat in ${file}: ${(err as Error).message}` };
  }
  // The heartbeat's HeartbeatReport['timeMs'], if the file holds one.
  const timeMs = typeof beat === 'object' && beat !== null && 'timeMs' in beat ? beat.timeMs : undefined;
  if (typeof timeMs !== 'number' || !Number.isFinite(timeMs)) return { healthy: false, detail: `${file} has no timeMs` };
  const age = (Date.now() - timeMs) / 1000;
  return { healthy: age <= maxAge, detail: `heartbeat ${age.toFixed(1)} s old (max ${maxAge} s)` };
}

const { healthy, detail } = check();
process.stdout.write(`${healthy ? 'healthy' : 'unhealthy'}: ${detail}\n`);
process.exitCode = healthy ? 0 : 1;
