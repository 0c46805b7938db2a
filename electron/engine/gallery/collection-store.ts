import type { GalleryCollection } from '../../../shared/images.ts';
import type { Db } from '../db/connection.ts';

/** Collections of gallery images (an image may be in several). */
export class CollectionStore {
  readonly #db: Db;
  readonly #stmts;

  constructor(db: Db) {
    this.#db = db;
    const view = `SELECT c.id, c.name,
      (SELECT COUNT(*) FROM gallery_collection_images m JOIN images i ON i.id = m.image_id WHERE m.collection_id = c.id AND i.state = 'visible') AS image_count,
      (SELECT m.image_id FROM gallery_collection_images m JOIN images i ON i.id = m.image_id WHERE m.collection_id = c.id AND i.state = 'visible'
        ORDER BY m.added_at DESC, m.image_id DESC LIMIT 1) AS cover_image_id
      FROM gallery_collections c`;
    this.#stmts = {
      all: db.prepare<[], GalleryCollection>(`${view} ORDER BY c.name`),
      find: db.prepare<[number], GalleryCollection>(`${view} WHERE c.id = ?`),
      byName: db.prepare<[string], { id: number }>('SELECT id FROM gallery_collections WHERE name = ?'),
      insert: db.prepare<[string, string], { id: number }>('INSERT INTO gallery_collections (name, created_at) VALUES (?, ?) RETURNING id'),
      rename: db.prepare<[string, number]>('UPDATE gallery_collections SET name = ? WHERE id = ?'),
      remove: db.prepare<[number]>('DELETE FROM gallery_collections WHERE id = ?'),
      addImage: db.prepare<[number, string, number]>(`INSERT OR IGNORE INTO gallery_collection_images (collection_id, image_id, added_at)
        SELECT ?, id, ? FROM images WHERE id = ? AND state = 'visible'`),
      removeImage: db.prepare<[number, number]>('DELETE FROM gallery_collection_images WHERE collection_id = ? AND image_id = ?'),
    };
  }

  all(): GalleryCollection[] {
    return this.#stmts.all.all();
  }

  find(id: number): GalleryCollection | undefined {
    return this.#stmts.find.get(id);
  }

  /** The id of the collection with this name (names are unique, case-insensitively). */
  idByName(name: string): number | undefined {
    return this.#stmts.byName.get(name)?.id;
  }

  create(name: string, at: string): GalleryCollection {
    return this.find(this.#stmts.insert.get(name.trim(), at)!.id)!;
  }

  rename(id: number, name: string): boolean {
    return this.#stmts.rename.run(name.trim(), id).changes === 1;
  }

  /** Removes the collection; its images stay in the gallery. */
  remove(id: number): boolean {
    return this.#stmts.remove.run(id).changes === 1;
  }

  /** Adds or removes images; returns how many memberships changed. */
  setMembership(collectionId: number, imageIds: readonly number[], member: boolean, at: string): number {
    let changed = 0;
    this.#db.transaction(() => {
      for (const id of imageIds) {
        changed += (member ? this.#stmts.addImage.run(collectionId, at, id) : this.#stmts.removeImage.run(collectionId, id)).changes;
      }
    }).immediate();
    return changed;
  }
}
