import { UserError } from './errors';

/**
 * `value` when it is a URL with one of `protocols` (`['ws:', 'wss:']`); else a UserError naming the setting
 * `name`, so a configuration mistake stops a run at start rather than at its first connection.
 */
export function checkedUrl(name: string, value: string, protocols: readonly string[]): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UserError(`${name} '${value}' is not a URL`);
  }
  if (!protocols.includes(url.protocol))
    throw new UserError(`${name} '${value}' must start with ${protocols.map((p) => `${p}//`).join(' or ')}`);
  return value;
}
