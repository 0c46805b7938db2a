import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { ApiErrorSchema } from '../../../../shared/errors.ts';
import { StyleInputSchema, StyleListSchema, StyleSchema, StyleImportResultSchema, type StyleInput } from '../../../../shared/generate-library.ts';
import { LibraryError } from '../library-error.ts';
import type { StyleStore } from '../style-store.ts';
import { parseStylesCsv, stylesCsv } from '../styles-csv.ts';

const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });
const errors = { 400: ApiErrorSchema, 404: ApiErrorSchema, 409: ApiErrorSchema, 413: ApiErrorSchema };
const tags = ['generate'];

/**
 * /api/v1/styles: StableQueue's prompt styles, and Forge's styles.csv in and out. The
 * import takes the file as the body (text/csv), or JSON {"csv": "..."}.
 */
export function registerStyleRoutes(app: FastifyInstance, styles: StyleStore): void {
  app.get('/api/v1/styles', {
    config: { permission: 'read' }, schema: { tags, response: { 200: StyleListSchema } },
  }, async () => ({ styles: styles.list() }));

  app.post<{ Body: StyleInput }>('/api/v1/styles', {
    config: { permission: 'submit' }, schema: { tags, body: StyleInputSchema, response: { 201: StyleSchema, ...errors } },
  }, async (request, reply) => reply.code(201).send(styles.create(request.body)));

  app.get('/api/v1/styles/export', {
    config: { permission: 'read' }, schema: { tags, description: "All styles as Forge's styles.csv" },
  }, async (_request, reply) => reply
    .header('content-type', 'text/csv; charset=utf-8')
    .header('content-disposition', 'attachment; filename="styles.csv"')
    .send(stylesCsv(styles.list())));

  app.register(async (scope) => {
    scope.addContentTypeParser(['text/csv', 'text/plain', 'application/csv'], { parseAs: 'string' }, (_request, body, done) => done(null, body));
    scope.post<{ Body: string | { csv?: unknown } }>('/api/v1/styles/import', {
      config: { permission: 'submit' },
      schema: { tags, description: "Adds the styles of a Forge styles.csv; a style of the same name is replaced", response: { 200: StyleImportResultSchema, ...errors } },
    }, async (request) => {
      const body = request.body;
      const text = typeof body === 'string' ? body : body && typeof body === 'object' && typeof body.csv === 'string' ? body.csv : null;
      if (text === null) throw new LibraryError(400, 'invalid_csv', 'Send the styles.csv file as the body (Content-Type: text/csv), or JSON {"csv": "…"}.');
      const parsed = parseStylesCsv(text);
      const tooLong = parsed.find((s) => s.name.length > 200);
      if (tooLong) throw new LibraryError(400, 'invalid_csv', `A style name is longer than 200 characters: "${tooLong.name.slice(0, 40)}…".`);
      const result = styles.upsertAll(parsed);
      return { ...result, styles: styles.list() };
    });
  });

  app.put<{ Params: { id: number }; Body: StyleInput }>('/api/v1/styles/:id', {
    config: { permission: 'submit' }, schema: { tags, params: IdParams, body: StyleInputSchema, response: { 200: StyleSchema, ...errors } },
  }, async (request) => styles.update(request.params.id, request.body));

  app.delete<{ Params: { id: number } }>('/api/v1/styles/:id', {
    config: { permission: 'submit' }, schema: { tags, params: IdParams, response: { 204: Type.Null(), ...errors } },
  }, async (request, reply) => {
    styles.remove(request.params.id);
    return reply.code(204).send();
  });
}
