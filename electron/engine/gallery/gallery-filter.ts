import { kindsOf, type GalleryFilter } from '../../../shared/images.ts';
import { checkpointKey } from './checkpoint-name.ts';
import { ftsQuery } from './fts-query.ts';

/** A gallery filter as SQL over `images` (no alias): the conditions and their arguments. */
export interface SqlFilter {
  where: string[];
  args: unknown[];
  /** With `ftsJoin`: the FTS5 query the caller joins `images_fts` on (its condition is not in `where`). */
  match?: string;
}

/** Only images in the gallery: not in the trash, not hidden. */
export const VISIBLE = "state = 'visible'";

/**
 * `ftsJoin`: the text query is left to the caller, which reads the matches from
 * `images_fts` first and joins each to its row (fast when the text is selective), instead
 * of a condition SQLite may check while walking the whole gallery in order.
 */
export function filterSql(filter: GalleryFilter, options: { skip?: keyof GalleryFilter; ftsJoin?: boolean } = {}): SqlFilter {
  const where: string[] = [VISIBLE];
  const args: unknown[] = [];
  const f = { ...filter };
  if (options.skip) delete f[options.skip];
  const kinds = kindsOf(f.kind);
  where.push(`kind IN (${kinds.map(() => '?').join(', ')})`);
  args.push(...kinds);
  if (f.server) { where.push('server_alias = ?'); args.push(f.server); }
  if (f.checkpoint) { where.push('checkpoint_key = ?'); args.push(checkpointKey(f.checkpoint)); }
  if (f.job_id) { where.push('job_id = ?'); args.push(f.job_id); }
  if (f.sampler) { where.push('sampler = ?'); args.push(f.sampler); }
  if (f.size) {
    const [w, h] = f.size.split('x').map(Number);
    where.push('width = ? AND height = ?');
    args.push(w, h);
  }
  if (f.source === 'stablequeue') where.push('source_id IS NULL');
  else if (f.source) { where.push('source_id = ?'); args.push(Number(f.source)); }
  if (f.rating_min) { where.push('rating >= ?'); args.push(f.rating_min); }
  if (f.favourite) where.push('favourite = 1');
  if (f.collection) { where.push('id IN (SELECT image_id FROM gallery_collection_images WHERE collection_id = ?)'); args.push(f.collection); }
  if (f.lora) { where.push('id IN (SELECT image_id FROM image_loras WHERE name = ?)'); args.push(f.lora); }
  if (f.from) { where.push('created_at >= ?'); args.push(`${f.from}T00:00:00.000Z`); }
  if (f.to) { where.push('created_at <= ?'); args.push(`${f.to}T23:59:59.999Z`); }
  if (f.q) {
    const match = ftsQuery(f.q);
    // Text with nothing searchable in it matches nothing rather than everything.
    if (!match) where.push('0');
    else if (options.ftsJoin) return { where, args, match };
    else { where.push('id IN (SELECT rowid FROM images_fts WHERE images_fts MATCH ?)'); args.push(match); }
  }
  return { where, args };
}
