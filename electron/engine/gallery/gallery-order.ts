import type { GallerySort } from '../../../shared/images.ts';

/**
 * The gallery's orders with their keyset cursors: a page continues strictly after the
 * last row of the previous one by comparing the sort key as a row value, so a deep
 * page costs the same as the first and nothing is skipped or repeated while images are
 * added. Random is a seeded hash of the id, stable across pages for one seed.
 */
export interface SqlOrder {
  /** Columns (or expressions) of the key, in order. */
  key: string[];
  direction: 'ASC' | 'DESC';
}

const HASH = (seed: number) => {
  const h = `((id * 2654435761) % 4294967291)`;
  const s = (Math.imul(seed ^ 0x5bd1e995, 0x27d4eb2d) >>> 0) & 0x7fffffff;
  return `((${h} | ${s}) - (${h} & ${s}))`;
};

export function orderSql(sort: GallerySort | undefined, randomSeed = 0): SqlOrder {
  switch (sort ?? 'newest') {
    case 'oldest': return { key: ['created_at', 'id'], direction: 'ASC' };
    case 'rating': return { key: ['rating', 'created_at', 'id'], direction: 'DESC' };
    case 'random': return { key: [HASH(randomSeed), 'id'], direction: 'ASC' };
    default: return { key: ['created_at', 'id'], direction: 'DESC' };
  }
}

export function orderBy(order: SqlOrder): string {
  return order.key.map((k) => `${k} ${order.direction}`).join(', ');
}

/** The condition for rows after the cursor's position. */
export function afterSql(order: SqlOrder): string {
  const cols = `(${order.key.join(', ')})`;
  const marks = `(${order.key.map(() => '?').join(', ')})`;
  return `${cols} ${order.direction === 'DESC' ? '<' : '>'} ${marks}`;
}

/** SELECT list entries naming each key value `k0`, `k1`…, so the last row gives the next cursor. */
export function keyColumns(order: SqlOrder): string {
  return order.key.map((k, i) => `${k} AS k${i}`).join(', ');
}

/** Opaque cursor over the sort key; one sort's cursor is refused by another. */
export function encodeCursor(sort: GallerySort | undefined, values: unknown[]): string {
  return Buffer.from(JSON.stringify([sort ?? 'newest', ...values])).toString('base64url');
}

export function decodeCursor(sort: GallerySort | undefined, cursor: string, length: number): unknown[] | null {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (!Array.isArray(parsed) || parsed[0] !== (sort ?? 'newest') || parsed.length !== length + 1) return null;
    const values = parsed.slice(1);
    return values.every((v) => typeof v === 'string' || typeof v === 'number') ? values : null;
  } catch {
    return null;
  }
}
