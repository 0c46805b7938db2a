import dns from 'node:dns/promises';
import net from 'node:net';

export class ServerUrlError extends Error {}

/** Link-local (incl. the 169.254.169.254 cloud metadata address), multicast and unspecified addresses. */
export function isForbiddenAddress(address: string): boolean {
  const ip = address.replace(/^\[|\]$/g, '').toLowerCase();
  if (net.isIPv4(ip)) {
    const [a, b] = ip.split('.').map(Number);
    return (a === 169 && b === 254) || a >= 224 || a === 0;
  }
  if (net.isIPv6(ip)) {
    if (ip.startsWith('::ffff:')) return isForbiddenAddress(ip.slice(7));
    return /^fe[89ab]/.test(ip) || ip.startsWith('ff') || ip === '::';
  }
  return false;
}

/**
 * Checks a backend URL before it is stored (OWASP API7, SSRF): http/https only, no
 * credentials in the URL, no link-local/metadata/multicast targets (also after DNS).
 * Loopback and LAN addresses are legitimate SD hosts and are allowed.
 */
export async function validateServerUrl(raw: string, resolve: (host: string) => Promise<string[]> = defaultResolve): Promise<string> {
  let url: URL;
  try {
    url = new URL(raw.trim());
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
  if (isForbiddenAddress(host)) throw new ServerUrlError(`Address ${host} is link-local, multicast or unspecified and cannot be a server.`);
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
