// server.py's origin_only_middleware: when the Host is loopback and the
// Origin's host differs, the request (or WebSocket upgrade) gets a bare 403.
// Requests without an Origin header always pass.
import { isIP } from 'node:net';

interface NetLoc {
  netloc: string;
  hostname: string | null;
  port: number | null;
}

/** True when ComfyUI would answer 403. */
export function isForeignOrigin(hostHeader: string | undefined, originHeader: string | undefined): boolean {
  if (hostHeader === undefined || originHeader === undefined) return false;
  const hostDomainRaw = hostHeader.toLowerCase();
  const origin = parseUrlNetloc(originHeader);
  const host = splitNetloc(hostDomainRaw);
  const loopback = isLoopback(host.hostname);

  let hostDomain: string | null = hostDomainRaw;
  let originDomain: string | null = origin.netloc.toLowerCase();
  // A port-less side is compared by hostname only, as in the original.
  if (origin.port === null) hostDomain = host.hostname;
  if (host.port === null) originDomain = origin.hostname;

  return loopback && !!hostDomain && !!originDomain && hostDomain !== originDomain;
}

/** urllib.parse.urlparse(origin).netloc / .hostname / .port */
function parseUrlNetloc(url: string): NetLoc {
  const match = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/([^/?#]*)/.exec(url);
  if (!match) return { netloc: '', hostname: null, port: null };
  return splitNetloc(match[1]);
}

/** Split `user@host:port` the way urllib does (hostname lower-cased, brackets stripped). */
function splitNetloc(netloc: string): NetLoc {
  const hostPort = netloc.includes('@') ? netloc.slice(netloc.lastIndexOf('@') + 1) : netloc;
  let hostname: string;
  let portText: string | null = null;
  if (hostPort.startsWith('[')) {
    const end = hostPort.indexOf(']');
    hostname = hostPort.slice(1, end < 0 ? undefined : end);
    const rest = end < 0 ? '' : hostPort.slice(end + 1);
    if (rest.startsWith(':')) portText = rest.slice(1);
  } else {
    const colon = hostPort.indexOf(':');
    hostname = colon < 0 ? hostPort : hostPort.slice(0, colon);
    if (colon >= 0) portText = hostPort.slice(colon + 1);
  }
  const port = portText && /^\d+$/.test(portText) ? Number(portText) : null;
  return { netloc, hostname: hostname ? hostname.toLowerCase() : null, port };
}

/** ipaddress.is_loopback, plus names that resolve only to loopback (localhost). */
function isLoopback(hostname: string | null): boolean {
  if (!hostname) return false;
  const kind = isIP(hostname);
  if (kind === 4) return hostname.startsWith('127.');
  if (kind === 6) return hostname === '::1' || /^0*:0*:0*:0*:0*:0*:0*:0*1$/.test(hostname) || hostname === '0:0:0:0:0:0:0:1';
  return hostname === 'localhost' || hostname.endsWith('.localhost');
}
