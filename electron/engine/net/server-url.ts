import dns from 'node:dns/promises';
import net from 'node:net';
import { withDefaultScheme } from '../../../shared/server-url.ts';
import { blockListOf, normalizeIp } from './ip-address.ts';

export class ServerUrlError extends Error {}

/**
 * Addresses a backend URL may never point at (OWASP API7, SSRF): link-local, which holds
 * the cloud metadata services (169.254.169.254, fe80::/10), the other known metadata
 * addresses (AWS IPv6 fd00:ec2::254, Alibaba 100.100.100.200), multicast, broadcast,
 * "this network" and reserved space, and the IPv6 forms that embed an IPv4 address
 * (IPv4-compatible ::/96, NAT64 64:ff9b::/96 and 64:ff9b:1::/48) so none of them can
 * smuggle a forbidden IPv4 address past the check. IPv4-mapped ::ffff:a.b.c.d is matched
 * by its IPv4 rules. Loopback and LAN addresses are legitimate SD hosts and allowed.
 */
const FORBIDDEN = blockListOf([
  '0.0.0.0/8', '169.254.0.0/16', '100.100.100.200/32', '224.0.0.0/4', '240.0.0.0/4',
  '::/96', 'fe80::/10', 'ff00::/8', 'fd00:ec2::254/128', '64:ff9b::/96', '64:ff9b:1::/48',
]);

/** True for an IP address a backend may not use; hostnames are resolved by the caller. */
export function isForbiddenAddress(address: string): boolean {
  const ip = normalizeIp(address);
  if (!ip) return false;
  if (ip.family === 'ipv6' && ip.address === '::1') return false;
  return FORBIDDEN.check(ip.address, ip.family);
}

/**
 * Checks a backend URL before it is stored (OWASP API7, SSRF): http/https only, no
 * credentials in the URL, no link-local/metadata/multicast targets (also after DNS).
 * Loopback and LAN addresses are legitimate SD hosts and are allowed. A URL without a
 * scheme gets http:// in front, as the server form shows it.
 */
export async function validateServerUrl(raw: string, resolve: (host: string) => Promise<string[]> = defaultResolve): Promise<string> {
  let url: URL;
  try {
    url = new URL(withDefaultScheme(raw));
  } catch {
    throw new ServerUrlError(`"${raw}" is not a URL; use the form http://192.168.1.20:7860`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ServerUrlError(`Only http and https server URLs are allowed, not ${url.protocol.replace(':', '')}.`);
  }
  if (url.username || url.password) {
    throw new ServerUrlError('Put the username and password in their own fields, not in the URL.');
  }
  if (url.search || url.hash) throw new ServerUrlError('The server URL must not have a query or fragment.');
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isForbiddenAddress(host)) throw new ServerUrlError(`Address ${host} is link-local, a cloud metadata address, multicast or reserved, and cannot be a server.`);
  if (!net.isIP(host)) {
    const addresses = await resolve(host).catch(() => [] as string[]);
    const bad = addresses.find(isForbiddenAddress);
    if (bad) throw new ServerUrlError(`${host} resolves to ${bad}, a link-local or metadata address; refused.`);
  }
  return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}`;
}

async function defaultResolve(host: string): Promise<string[]> {
  const results = await dns.lookup(host, { all: true });
  return results.map((r) => r.address);
}
