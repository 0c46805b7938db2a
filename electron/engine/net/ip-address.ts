import net from 'node:net';

/** An IP address as written in URLs, Host headers and sockets, reduced to what net.BlockList takes. */
export function normalizeIp(raw: string): { address: string; family: 'ipv4' | 'ipv6' } | null {
  let address = raw.trim().toLowerCase().replace(/^\[|\]$/g, '');
  const zone = address.indexOf('%');
  if (zone !== -1) address = address.slice(0, zone);
  const version = net.isIP(address);
  if (version === 4) return { address, family: 'ipv4' };
  if (version === 6) {
    // ::ffff:a.b.c.d (how dual-stack sockets report IPv4 peers) is the IPv4 address itself.
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(address);
    if (mapped && net.isIPv4(mapped[1])) return { address: mapped[1], family: 'ipv4' };
    return { address, family: 'ipv6' };
  }
  return null;
}

/** A BlockList from CIDR strings ("10.0.0.0/8", "fc00::/7"). */
export function blockListOf(cidrs: readonly string[]): net.BlockList {
  const list = new net.BlockList();
  for (const cidr of cidrs) {
    const [address, bits] = cidr.split('/');
    const family = net.isIPv6(address) ? 'ipv6' : 'ipv4';
    list.addSubnet(address, Number(bits ?? (family === 'ipv6' ? 128 : 32)), family);
  }
  return list;
}

/** True when `raw` is an IP address inside `list` (IPv4-mapped IPv6 addresses match their IPv4 rules). */
export function inList(list: net.BlockList, raw: string): boolean {
  const ip = normalizeIp(raw);
  return ip !== null && list.check(ip.address, ip.family);
}
