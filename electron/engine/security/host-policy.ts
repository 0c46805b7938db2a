import os from 'node:os';
import { isLoopbackAddress, isPrivateAddress } from './client-address.ts';
import { normalizeIp } from '../net/ip-address.ts';

export interface HostPolicyOptions {
  /** The bind address (config.host). */
  bindHost: string;
  /** config.allowedHosts: "nas.local" (any port) or "nas.local:8443" (that port only). */
  allowedHosts: readonly string[];
  /** The machine's own addresses; defaults to os.networkInterfaces(). */
  interfaceAddresses?: () => string[];
}

const WILDCARD_BINDS = new Set(['0.0.0.0', '::', '[::]', '']);
const HOST_HEADER = /^(\[[0-9a-f:.%a-z]+\]|[a-z0-9.-]+)(?::(\d{1,5}))?$/i;

export function parseHostHeader(value: string | undefined): { hostname: string; port: string | null } | null {
  if (!value) return null;
  const match = HOST_HEADER.exec(value.trim());
  if (!match) return null;
  const hostname = match[1].toLowerCase().replace(/\.$/, '');
  return { hostname, port: match[2] ?? null };
}

function ownInterfaceAddresses(): string[] {
  return Object.values(os.networkInterfaces()).flatMap((list) => (list ?? []).map((i) => i.address));
}

/**
 * The Host allow-list against DNS rebinding. A rebinding page always
 * sends its own name as Host, so the check is on the hostname; the port is not compared,
 * because Docker port mappings and reverse proxies legitimately change it and it adds
 * nothing against rebinding. Accepted:
 *   - localhost, 127.0.0.1 (any 127/8 literal) and [::1];
 *   - the bind host, when it is a specific address or name;
 *   - config.allowedHosts (STABLEQUEUE_ALLOWED_HOSTS), e.g. a NAS name or a proxy's domain;
 *   - when bound to all interfaces (HOST=0.0.0.0 or ::): the machine's own addresses and any
 *     private-range IP literal (an IP literal cannot be a rebinding name). A public name
 *     must be listed in STABLEQUEUE_ALLOWED_HOSTS.
 */
export function createHostPolicy(options: HostPolicyOptions): (hostHeader: string | undefined) => boolean {
  const names = new Set<string>(['localhost', '[::1]']);
  const withPort = new Set<string>();
  const bind = options.bindHost.trim().toLowerCase();
  const wildcard = WILDCARD_BINDS.has(bind);
  if (!wildcard) names.add(bind.includes(':') && !bind.startsWith('[') ? `[${bind}]` : bind);
  for (const entry of options.allowedHosts) {
    const parsed = parseHostHeader(entry);
    if (!parsed) continue;
    if (parsed.port) withPort.add(`${parsed.hostname}:${parsed.port}`);
    else names.add(parsed.hostname);
  }
  const interfaces = options.interfaceAddresses ?? ownInterfaceAddresses;
  let own: Set<string> = new Set();
  let ownReadAt = -Infinity;

  return (hostHeader) => {
    const parsed = parseHostHeader(hostHeader);
    if (!parsed) return false;
    const { hostname, port } = parsed;
    if (names.has(hostname)) return true;
    if (port && withPort.has(`${hostname}:${port}`)) return true;
    const ip = normalizeIp(hostname);
    if (!ip) return false;
    if (isLoopbackAddress(ip.address)) return true;
    if (!wildcard) return false;
    if (isPrivateAddress(ip.address)) return true;
    // Re-read now and then: DHCP can change the machine's addresses while it runs.
    if (Date.now() - ownReadAt > 60_000) {
      own = new Set(interfaces().map((a) => normalizeIp(a)?.address ?? a));
      ownReadAt = Date.now();
    }
    return own.has(ip.address);
  };
}
