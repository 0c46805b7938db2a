import { AUTO_SERVER, type AppType } from '../../../shared/servers.ts';
import { insideHours, nextOpening, parseAllowedHours } from './allowed-hours.ts';
import { firstMatch } from './checkpoint-pattern.ts';
import type { RuntimeServer } from './server-registry.ts';
import { serverRules } from './server-store.ts';

/**
 * The one answer to "can server S take job J — now, later, ever — and if not, why": the
 * dispatcher filters its free servers with it, the submit refuses a job no server could ever
 * take, and the queue shows why a waiting job waits. Two kinds of barrier:
 * - a rule (tags, checkpoint patterns, size, batch, a GPU the job already ran out of memory
 *   on): the server will never take the job while its rules stay as they are;
 * - time (paused, outside its allowed hours): it will, later.
 * Offline and busy servers are neither: they simply are not free now.
 */

/** What of a job the rules look at, read once from its row or request. */
export interface JobDemands {
  appType: AppType;
  /** A server alias, or "auto". */
  target: string;
  checkpoint: string | null;
  /** width × height of the image made (the hires pass counted), null when unknown. */
  pixels: number | null;
  /** Images made per run: batch_size × n_iter. */
  batch: number;
  requiresTags: string[];
  /** The largest GPU (total bytes) the job ran out of memory on; only a bigger one may take it. */
  oomVramBytes: number | null;
}

const GIB = 1024 ** 3;
const gib = (bytes: number) => `${(bytes / GIB).toFixed(1)} GB`;

/** Why this server's rules keep it from ever taking the job, or null. */
export function ruleBarrier(server: RuntimeServer, d: JobDemands): string | null {
  const rules = serverRules(server.row);
  const name = server.row.alias;
  const missing = d.requiresTags.filter((t) => !rules.tags.includes(t));
  if (missing.length) return `${name} lacks the tag${missing.length > 1 ? 's' : ''} ${missing.map((t) => `"${t}"`).join(', ')}`;
  if (d.checkpoint) {
    const blocked = firstMatch(rules.blocked_checkpoints, d.checkpoint);
    if (blocked) return `${name} blocks checkpoint "${d.checkpoint}" (pattern "${blocked}")`;
    if (rules.allowed_checkpoints.length && !firstMatch(rules.allowed_checkpoints, d.checkpoint)) {
      return `${name} allows only checkpoints matching ${rules.allowed_checkpoints.map((p) => `"${p}"`).join(', ')}`;
    }
  }
  if (rules.max_pixels !== null && d.pixels !== null && d.pixels > rules.max_pixels) {
    return `${name} takes at most ${rules.max_pixels.toLocaleString('en-US')} pixels per image; this job makes ${d.pixels.toLocaleString('en-US')}`;
  }
  if (rules.max_batch !== null && d.batch > rules.max_batch) return `${name} takes batches of at most ${rules.max_batch}; this job makes ${d.batch}`;
  // A server not checked yet may well be the bigger one; one online that says nothing about its memory is not.
  if (d.oomVramBytes !== null && (server.vram ? server.vram.total <= d.oomVramBytes : server.health === 'online')) {
    return `the job ran out of GPU memory on a ${gib(d.oomVramBytes)} GPU and ${name} has ${server.vram ? gib(server.vram.total) : 'no known amount'}`;
  }
  return null;
}

/** Why the server takes no new job at this moment although it may later (paused, outside its hours), or null. */
export function timeBarrier(server: RuntimeServer, now: number): { reason: string; until: number | null } | null {
  if (server.row.paused) return { reason: `${server.row.alias} is paused`, until: null };
  const window = parseAllowedHours(server.row.allowed_hours);
  if (window && !insideHours(window, now, server.row.time_zone)) {
    return { reason: `waits until ${window.start} (${server.row.alias} runs jobs ${window.start}–${window.end})`, until: nextOpening(window, now, server.row.time_zone) };
  }
  return null;
}

/** Enabled servers a job could be sent to by its app type and target, rules aside. */
export function candidatesFor(d: JobDemands, servers: readonly RuntimeServer[]): RuntimeServer[] {
  return servers.filter((s) => s.row.enabled && s.row.app_type === d.appType && (d.target === AUTO_SERVER || s.row.alias === d.target));
}

export type WaitVerdict =
  /** No enabled server's rules let it take the job: it would wait forever. */
  | { verdict: 'never'; reason: string }
  /** Only servers that are offline, paused or outside their hours could take it. */
  | { verdict: 'later'; reason: string; until: number | null };

/**
 * Why a job cannot start on any server now, or null when some server may take it (free or
 * busy). No server of its kind at all is left to the callers' own rules (null here).
 */
export function waitVerdict(d: JobDemands, servers: readonly RuntimeServer[], now: number): WaitVerdict | null {
  const candidates = candidatesFor(d, servers);
  if (candidates.length === 0) return null;
  const barriers = candidates.map((s) => ({ server: s, rule: ruleBarrier(s, d) }));
  const able = barriers.filter((b) => b.rule === null).map((b) => b.server);
  if (able.length === 0) {
    return { verdict: 'never', reason: `No enabled server can take this job: ${barriers.map((b) => b.rule).join('; ')}.` };
  }
  const timed = able.map((s) => ({ server: s, time: timeBarrier(s, now) }));
  if (timed.some((t) => t.time === null && t.server.health !== 'offline')) return null;
  const offline = timed.filter((t) => t.time === null).map((t) => t.server.row.alias);
  const soonest = timed.map((t) => t.time?.until ?? null).filter((u): u is number => u !== null).sort((a, b) => a - b)[0] ?? null;
  const later = timed.filter((t) => t.time !== null).map((t) => t.time!.reason);
  const parts = [...(offline.length ? [`only ${offline.join(', ')} can take it and ${offline.length > 1 ? 'they are' : 'it is'} offline`] : []), ...later];
  return { verdict: 'later', reason: `Waiting — ${parts.join('; ')}`, until: soonest };
}
