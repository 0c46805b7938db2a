import { blockListOf, inList, normalizeIp } from '../net/ip-address.ts';

/** Where a client connects from, for the "UI without login on the LAN" rule. */
export type ClientAddressClass = 'loopback' | 'private' | 'public';

const LOOPBACK = blockListOf(['127.0.0.0/8', '::1/128']);

/**
 * Addresses of the local network: RFC 1918, link-local (same segment), IPv6 unique-local
 * and link-local, and 100.64.0.0/10 (carrier-grade NAT space, which is where Tailscale
 * and similar private overlays hand out addresses; a carrier's other customers cannot
 * reach a home server through it).
 */
const PRIVATE = blockListOf([
  '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '169.254.0.0/16', '100.64.0.0/10',
  'fc00::/7', 'fe80::/10',
]);

export function isLoopbackAddress(address: string): boolean {
  return inList(LOOPBACK, address);
}

export function isPrivateAddress(address: string): boolean {
  return inList(PRIVATE, address);
}

export function classifyClientAddress(address: string | undefined): ClientAddressClass {
  if (!address || !normalizeIp(address)) return 'public';
  if (isLoopbackAddress(address)) return 'loopback';
  if (isPrivateAddress(address)) return 'private';
  return 'public';
}

/** Headers a reverse proxy adds: behind one, the socket address says nothing about the real client. */
const PROXY_HEADERS = ['forwarded', 'x-forwarded-for', 'x-real-ip', 'x-forwarded-host', 'cf-connecting-ip', 'true-client-ip'];

/**
 * The class of the client that sent a request. A request relayed by a proxy (it carries
 * X-Forwarded-For or the like) counts as public: StableQueue does not trust proxy headers,
 * and a proxy on the same machine would otherwise make every Internet client look local.
 */
export function classifyRequestClient(socketAddress: string | undefined, headers: Record<string, unknown>): ClientAddressClass {
  if (PROXY_HEADERS.some((name) => headers[name] !== undefined)) return 'public';
  return classifyClientAddress(socketAddress);
}
