/**
 * ComfyUI's file routes: GET /view serves an output by the name /history and `executed`
 * gave (the gallery's file name, looked up in the images table, never joined to a path)
 * or an image the client uploaded; POST /upload/image and /upload/mask keep an upload
 * and send it on to the servers (comfy-uploads.ts).
 */
import fs from 'node:fs/promises';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { imageMime } from '../../backends/image-bytes.ts';
import type { CompatContext } from '../compat-context.ts';
import { safeName, type ComfyUploads } from './comfy-uploads.ts';

interface ViewQuery { filename?: string; subfolder?: string; type?: string }

function sendBytes(reply: FastifyReply, data: Buffer, filename: string) {
  reply.header('Content-Disposition', `filename="${filename.replace(/["\\\r\n]/g, '_')}"`);
  return reply.type(imageMime(data) ?? 'application/octet-stream').send(data);
}

export function registerComfyFileRoutes(scope: FastifyInstance, compat: CompatContext, uploads: ComfyUploads): void {
  const { ctx } = compat;

  scope.get<{ Querystring: ViewQuery }>('/view', { config: { permission: 'read' }, schema: { tags: ['comfyui'] } }, async (request, reply) => {
    const { filename = '', subfolder = '', type = 'output' } = request.query;
    if (!safeName(filename) || filename.startsWith('/')) return reply.code(400).send();
    if (!['output', 'input', 'temp'].includes(type)) return reply.code(400).send();
    if (subfolder && !safeName(subfolder)) return reply.code(403).send();
    if (type === 'input') {
      const data = await uploads.read(subfolder, filename);
      return data ? sendBytes(reply, data, filename) : reply.code(404).send();
    }
    const row = subfolder ? undefined : ctx.gallery.findByFileName(filename);
    if (!row) return reply.code(404).send();
    const data = await fs.readFile(ctx.images.absolute(row.file_path)).catch(() => null);
    return data ? sendBytes(reply, data, filename) : reply.code(404).send();
  });

  async function upload(request: FastifyRequest, reply: FastifyReply) {
    let data: Buffer | null = null;
    let filename = '';
    const fields: Record<string, string> = {};
    try {
      for await (const part of request.parts()) {
        if (part.type === 'file') {
          if (part.fieldname === 'image') {
            data = await part.toBuffer();
            filename = part.filename;
          } else {
            await part.toBuffer();
          }
        } else if (typeof part.value === 'string') {
          fields[part.fieldname] = part.value;
        }
      }
    } catch (error) {
      // The plugin's own refusals (not multipart 406, limits 413) keep their status; a body
      // the parser cannot read (no boundary, cut short, not multipart at all) is the client's
      // fault, and ComfyUI answers a form it cannot use with a bare 400.
      const status = (error as { statusCode?: unknown }).statusCode;
      if (typeof status === 'number' && status >= 400 && status < 500) throw error;
      return reply.code(400).send();
    }
    const subfolder = fields.subfolder ?? '';
    if (!data || !safeName(filename) || (subfolder && !safeName(subfolder)) || !imageMime(data)) return reply.code(400).send();
    return uploads.save(data, filename, subfolder, fields.overwrite === 'true' || fields.overwrite === '1');
  }

  const submit = { config: { permission: 'submit' as const }, schema: { tags: ['comfyui'] } };
  scope.post('/upload/image', submit, upload);
  // The mask is kept as sent: StableQueue does not composite it onto original_ref as ComfyUI does.
  scope.post('/upload/mask', submit, upload);
}
