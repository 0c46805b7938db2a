import dns from 'node:dns';
import type { LookupFunction } from 'node:net';
import { isForbiddenAddress } from './server-url.ts';

/** The error a connection gets when its hostname resolves to a forbidden address. */
export class ForbiddenAddressError extends Error {
  readonly code = 'EFORBIDDENADDRESS';
}

type LookupAll = (hostname: string, options: dns.LookupAllOptions, callback: (err: NodeJS.ErrnoException | null, addresses: dns.LookupAddress[]) => void) => void;

/**
 * A `lookup` for http(s).Agent: resolves as usual, then refuses the connection when any
 * address is link-local or metadata (server-url.ts). A URL is checked when it is saved;
 * this closes the gap of a name that resolves differently later (DNS time-of-check to
 * time-of-use), because it checks the very addresses the socket is about to connect to.
 */
export function createGuardedLookup(resolve: LookupAll = dns.lookup as unknown as LookupAll): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return (callback as (e: NodeJS.ErrnoException) => void)(error);
      const bad = addresses.find((a) => isForbiddenAddress(a.address));
      if (bad || addresses.length === 0) {
        const reason = bad ? `${hostname} resolves to ${bad.address}, a link-local or metadata address; refused` : `${hostname} has no address`;
        return (callback as (e: NodeJS.ErrnoException) => void)(new ForbiddenAddressError(reason));
      }
      if ((options as dns.LookupOptions).all) return (callback as (e: null, a: dns.LookupAddress[]) => void)(null, addresses);
      return callback(null, addresses[0].address, addresses[0].family);
    });
  };
}

export const guardedLookup: LookupFunction = createGuardedLookup();
