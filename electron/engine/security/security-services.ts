import type { ApiContext } from '../api/context.ts';
import { ApiKeyStore } from './api-key-store.ts';
import { FailureBackoff } from './failure-backoff.ts';
import { createHostPolicy } from './host-policy.ts';
import { normalizeCorsOrigins } from './origin-policy.ts';
import { SessionStore } from './session-store.ts';
import { TokenBuckets } from './token-bucket.ts';

/** The security module's state for one engine: keys, sessions, limiters and the policies built from config. */
export interface SecurityServices {
  ctx: ApiContext;
  keys: ApiKeyStore;
  sessions: SessionStore;
  /** Failed key checks and logins, per client address. */
  backoff: FailureBackoff;
  /** Per-key request rate. */
  buckets: TokenBuckets;
  hostAllowed: (hostHeader: string | undefined) => boolean;
  corsOrigins: ReadonlySet<string>;
}

export function createSecurityServices(ctx: ApiContext): SecurityServices {
  const { origins, rejected } = normalizeCorsOrigins(ctx.config.corsOrigins);
  if (rejected.length) ctx.logger.warn({ rejected }, 'ignored CORS origins: only exact origins are allowed, never * or null');
  return {
    ctx,
    keys: new ApiKeyStore(ctx.db, ctx.clock),
    sessions: new SessionStore(ctx.clock),
    backoff: new FailureBackoff(ctx.clock),
    buckets: new TokenBuckets(ctx.clock),
    hostAllowed: createHostPolicy({ bindHost: ctx.config.host, allowedHosts: ctx.config.allowedHosts }),
    corsOrigins: origins,
  };
}
