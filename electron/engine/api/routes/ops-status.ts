import type { FastifyInstance } from 'fastify';
import { OpsStatusSchema } from '../../../../shared/ops.ts';
import type { ApiContext } from '../context.ts';

/** Disk space (low-disk warning), a held queue's disk-full message, and what start-up recovery did. */
export function registerOpsStatusRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.get('/api/v1/ops/status', { config: { permission: 'read' }, schema: { tags: ['operations'], response: { 200: OpsStatusSchema } } }, async () => ({
    disks: await ctx.ops.disk.status(),
    low_disk_warning_mb: ctx.settings.get('low_disk_warning_mb'),
    disk_full: ctx.ops.disk.blocked(),
    recovery: ctx.ops.recovery,
  }));
}
