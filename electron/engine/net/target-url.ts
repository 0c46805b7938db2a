import dns from 'node:dns/promises';
import net from 'node:net';
import { DomainError } from '../domain-error.ts';
import { isForbiddenAddress } from './server-url.ts';

export type Resolve = (host: string) => Promise<string[]>;

const defaultResolve: Resolve = async (host) => (await dns.lookup(host, { all: true })).map((r) => r.address);

/**
 * Checks a URL StableQueue will send notifications to, with the same rule as server URLs:
 * http/https only, never a link-local or cloud metadata address (also after DNS); loopback
 * and the private LAN are allowed, since that is where home automation lives. Unlike a
 * server URL it may carry a query (many services put a token there). The agents check
 * the resolved address again at connect time.
 */
export async function validateTargetUrl(raw: string, resolve: Resolve = defaultResolve): Promise<string> {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new DomainError(400, 'invalid_url', `"${raw}" is not a URL; use the form https://example.lan/hook`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new DomainError(400, 'invalid_url', `Only http and https URLs can receive notifications, not ${url.protocol.replace(':', '')}.`);
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isForbiddenAddress(host)) {
    throw new DomainError(400, 'forbidden_address', `Address ${host} is link-local, a cloud metadata address, multicast or reserved; notifications cannot go there.`);
  }
  if (!net.isIP(host)) {
    const bad = (await resolve(host).catch(() => [] as string[])).find(isForbiddenAddress);
    if (bad) throw new DomainError(400, 'forbidden_address', `${host} resolves to ${bad}, a link-local or metadata address; refused.`);
  }
  return url.toString();
}
