import { UserError } from '../../lib/util/errors';

/** An optional whole-number environment variable; a malformed value fails the invocation naming it. */
export function optionalEnvInt(name: string, min: number, max: number, env: NodeJS.ProcessEnv = process.env): number | undefined {
  const raw = env[name]?.trim();
  if (!raw) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new UserError(`${name}=${raw} is not a whole number from ${min} to ${max}`);
  return n;
}

export function requiredEnv(name: string, env: NodeJS.ProcessEnv = process.env): string {
  const v = env[name]?.trim();
  if (!v) throw new UserError(`${name} is not set`);
  return v;
}

/** A comma-separated list (empty or unset: none). */
export function envList(name: string, env: NodeJS.ProcessEnv = process.env): string[] {
  return (env[name] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}
