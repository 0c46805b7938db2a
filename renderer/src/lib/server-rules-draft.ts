/**
 * A server's rules as the form edits them (text the user types) and back: tags and
 * checkpoint patterns as comma-separated lists, the largest image as "1024x1024", the
 * allowed hours as two times. Pure, so the form stays a thin view.
 */
import type { DrainAction, ServerUpdate, ServerView } from '../../../shared/servers.ts';

export interface ServerRulesDraft {
  tags: string;
  allowed: string;
  blocked: string;
  /** "1024x1024", or a pixel count; empty = no limit. */
  largest: string;
  /** empty = no limit */
  maxBatch: string;
  /** both empty = any time */
  hoursFrom: string;
  hoursTo: string;
  /** empty = the engine machine's */
  timeZone: string;
  unloadOnDrain: boolean;
}

export type RulesBody = Pick<ServerUpdate,
  'tags' | 'allowed_checkpoints' | 'blocked_checkpoints' | 'max_pixels' | 'max_batch' | 'allowed_hours' | 'time_zone' | 'drain_action'>;

const list = (text: string) => [...new Set(text.split(/[,\n]/).map((t) => t.trim()).filter(Boolean))];

/** "1024x1024" for a square size, else the pixel count. */
function largestText(pixels: number | null): string {
  if (pixels === null) return '';
  const side = Math.round(Math.sqrt(pixels));
  return side * side === pixels ? `${side}x${side}` : String(pixels);
}

export function draftOf(server: ServerView | null): ServerRulesDraft {
  const [from = '', to = ''] = server?.allowed_hours?.split('-') ?? [];
  return {
    tags: server?.tags.join(', ') ?? '',
    allowed: server?.allowed_checkpoints.join(', ') ?? '',
    blocked: server?.blocked_checkpoints.join(', ') ?? '',
    largest: largestText(server?.max_pixels ?? null),
    maxBatch: server?.max_batch ? String(server.max_batch) : '',
    hoursFrom: from,
    hoursTo: to,
    timeZone: server?.time_zone ?? '',
    unloadOnDrain: server?.drain_action === 'unload',
  };
}

/** "1024x1024" or "1048576" as pixels; null when empty; NaN when it cannot be read. */
export function pixelsOf(text: string): number | null {
  const t = text.trim().toLowerCase();
  if (!t) return null;
  const size = /^(\d+)\s*[x×*]\s*(\d+)$/.exec(t);
  if (size) return Number(size[1]) * Number(size[2]);
  return /^\d+$/.test(t) ? Number(t) : NaN;
}

/** What is wrong with the draft, by field; empty when it can be saved. */
export function draftErrors(d: ServerRulesDraft): Record<string, string> {
  const e: Record<string, string> = {};
  if (list(d.tags).some((t) => !/^[a-z0-9][a-z0-9._-]{0,31}$/.test(t))) e.tags = 'Lower-case letters, digits, dot, dash or underscore, e.g. sdxl, flux, 24gb.';
  const pixels = pixelsOf(d.largest);
  if (pixels !== null && (Number.isNaN(pixels) || pixels < 4096)) e.largest = 'Like 1024x1024 (at least 64x64).';
  if (d.maxBatch.trim() && !(Number.isInteger(Number(d.maxBatch)) && Number(d.maxBatch) >= 1)) e.maxBatch = 'A whole number, 1 or more.';
  if (!!d.hoursFrom !== !!d.hoursTo) e.hours = 'Give both times, or neither for any time.';
  return e;
}

export function rulesBody(d: ServerRulesDraft): RulesBody {
  const drain: DrainAction = d.unloadOnDrain ? 'unload' : 'none';
  return {
    tags: list(d.tags),
    allowed_checkpoints: list(d.allowed),
    blocked_checkpoints: list(d.blocked),
    max_pixels: pixelsOf(d.largest),
    max_batch: d.maxBatch.trim() ? Number(d.maxBatch) : null,
    allowed_hours: d.hoursFrom && d.hoursTo ? `${d.hoursFrom}-${d.hoursTo}` : null,
    time_zone: d.timeZone.trim() || null,
    drain_action: drain,
  };
}
