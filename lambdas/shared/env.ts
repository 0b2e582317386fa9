import { UserError } from '../../lib/util/errors';

/** An optional whole-number environment variable; a malformed value fails the invocation naming it. */
export function optionalEnvInt(name: string, min: number, max: number, env: NodeJS.ProcessEnv = process.env): number | undefined {
  const raw = env[name]?.trim();
  if (!raw) return undefined;
  const parsed = Number(raw);
  if (!Number.isInteger(parsed) || parsed < min || parsed > max)
    throw new UserError(`${name}=${raw} is not a whole number from ${min} to ${max}`);
  return parsed;
}

export function requiredEnv(name: string, env: NodeJS.ProcessEnv = process.env): string {
  const value = env[name]?.trim();
  if (!value) throw new UserError(`${name} is not set`);
  return value;
}

/** A comma-separated list (empty or unset: none). */
export function envList(name: string, env: NodeJS.ProcessEnv = process.env): string[] {
  return (env[name] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}
