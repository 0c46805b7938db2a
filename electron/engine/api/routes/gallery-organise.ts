import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { ApiErrorSchema } from '../../../../shared/errors.ts';
import {
  GalleryBulkRequestSchema, GalleryBulkResultSchema, GalleryCollectionInputSchema, GalleryCollectionSchema, GalleryImageSchema,
  ImagePatchSchema, type GalleryBulkRequest, type GalleryCollectionInput, type ImagePatch,
} from '../../../../shared/images.ts';
import { isoAt } from '../../clock.ts';
import type { CollectionStore } from '../../gallery/collection-store.ts';
import { toGalleryImage } from '../../gallery/gallery-view.ts';
import type { ApiContext } from '../context.ts';
import { ApiError } from '../errors.ts';

const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });
const errors = { 400: ApiErrorSchema, 404: ApiErrorSchema, 409: ApiErrorSchema };
/** "Select all matching" may reach the whole gallery; one bulk action stops here. */
const BULK_MAX = 100_000;
/** An update event lists at most this many ids; a larger change says "many" (null) and clients reload. */
const EVENT_MAX_IDS = 1000;

/** Rating, favourite, note, collections and bulk actions on gallery images. */
export function registerGalleryOrganiseRoutes(app: FastifyInstance, ctx: ApiContext, collections: CollectionStore): void {
  // Other tabs and devices show the change live: one event per request, however many images it touched.
  const announce = (ids: readonly number[]) => {
    if (ids.length) ctx.bus.emit({ type: 'image.updated', image_ids: ids.length <= EVENT_MAX_IDS ? [...ids] : null });
  };
  const findCollection = (id: number) => {
    const found = collections.find(id);
    if (!found) throw new ApiError(404, 'collection_not_found', `No collection with id ${id}.`);
    return found;
  };

  app.patch<{ Params: { id: number }; Body: ImagePatch }>('/api/v1/images/:id', {
    config: { permission: 'submit' },
    schema: { tags: ['gallery'], summary: 'Rate (0 clears), favourite, or annotate an image', params: IdParams, body: ImagePatchSchema, response: { 200: GalleryImageSchema, ...errors } },
  }, async (request) => {
    if (!ctx.gallery.patch(request.params.id, request.body)) throw new ApiError(404, 'image_not_found', `No image with id ${request.params.id} in the gallery.`);
    const row = ctx.gallery.find(request.params.id)!;
    announce([row.id]);
    return toGalleryImage(row, ctx.gallery.extras([row.id]));
  });

  app.post<{ Body: GalleryBulkRequest }>('/api/v1/gallery/bulk', {
    config: { permission: 'admin' },
    schema: { tags: ['gallery'], summary: 'One action on chosen images (ids) or on every image a filter matches', body: GalleryBulkRequestSchema, response: { 200: GalleryBulkResultSchema, ...errors } },
  }, async (request) => {
    const { ids, filter, action, params = {} } = request.body;
    if ((ids === undefined) === (filter === undefined)) throw new ApiError(400, 'bulk_target', 'Give either ids or filter, not both.');
    const targets = ids ? [...new Set(ids)] : ctx.gallery.matchingIds(filter!, BULK_MAX);
    const at = isoAt(ctx.clock);
    const needCollection = () => {
      if (!params.collection_id) throw new ApiError(400, 'collection_required', `${action} needs params.collection_id.`);
      return findCollection(params.collection_id).id;
    };
    let changed = 0;
    switch (action) {
      case 'rate':
        if (params.rating === undefined) throw new ApiError(400, 'rating_required', 'rate needs params.rating (0–5).');
        changed = ctx.gallery.patchMany(targets, { rating: params.rating });
        break;
      case 'favourite':
      case 'unfavourite':
        changed = ctx.gallery.patchMany(targets, { favourite: action === 'favourite' });
        break;
      case 'add_to_collection':
      case 'remove_from_collection':
        changed = collections.setMembership(needCollection(), targets, action === 'add_to_collection', at);
        break;
      case 'delete':
        for (const id of targets) {
          const row = ctx.gallery.find(id);
          if (!row || row.state !== 'visible') continue;
          await ctx.galleryService.remove(row, { deleteFile: params.delete_files });
          changed++;
        }
        break;
    }
    // Deleted images have their own event (image.deleted, one per image).
    if (action !== 'delete' && changed > 0) announce(targets);
    return { matched: targets.length, changed };
  });

  app.get('/api/v1/gallery/collections', {
    config: { permission: 'read' },
    schema: { tags: ['gallery'], response: { 200: Type.Array(GalleryCollectionSchema) } },
  }, async () => collections.all());

  app.post<{ Body: GalleryCollectionInput }>('/api/v1/gallery/collections', {
    config: { permission: 'submit' },
    schema: { tags: ['gallery'], body: GalleryCollectionInputSchema, response: { 201: GalleryCollectionSchema, ...errors } },
  }, async (request, reply) => {
    if (!request.body.name.trim()) throw new ApiError(400, 'name_required', 'A collection needs a name.');
    if (collections.idByName(request.body.name.trim())) throw new ApiError(409, 'collection_exists', `A collection named "${request.body.name.trim()}" exists already.`);
    return reply.code(201).send(collections.create(request.body.name, isoAt(ctx.clock)));
  });

  app.patch<{ Params: { id: number }; Body: GalleryCollectionInput }>('/api/v1/gallery/collections/:id', {
    config: { permission: 'submit' },
    schema: { tags: ['gallery'], params: IdParams, body: GalleryCollectionInputSchema, response: { 200: GalleryCollectionSchema, ...errors } },
  }, async (request) => {
    findCollection(request.params.id);
    const name = request.body.name.trim();
    if (!name) throw new ApiError(400, 'name_required', 'A collection needs a name.');
    const other = collections.idByName(name);
    if (other !== undefined && other !== request.params.id) throw new ApiError(409, 'collection_exists', `A collection named "${name}" exists already.`);
    collections.rename(request.params.id, name);
    return findCollection(request.params.id);
  });

  app.delete<{ Params: { id: number } }>('/api/v1/gallery/collections/:id', {
    config: { permission: 'submit' },
    schema: { tags: ['gallery'], summary: 'Removes the collection; its images stay', params: IdParams, response: { 200: Type.Object({ deleted: Type.Integer() }), ...errors } },
  }, async (request) => {
    if (!collections.remove(request.params.id)) throw new ApiError(404, 'collection_not_found', `No collection with id ${request.params.id}.`);
    return { deleted: request.params.id };
  });
}
