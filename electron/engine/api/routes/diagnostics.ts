import type { FastifyInstance } from 'fastify';
import { diagnosticsZip } from '../../ops/diagnostics-bundle.ts';
import { gatherDiagnostics } from '../../ops/diagnostics-sources.ts';
import type { ApiContext } from '../context.ts';
import { isoAt } from '../../clock.ts';

/** GET /api/v1/diagnostics: one zip to attach to a bug report, secrets scrubbed. Admin only. */
export function registerDiagnosticsRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.get('/api/v1/diagnostics', { config: { permission: 'admin' }, schema: { tags: ['operations'] } }, async (_request, reply) => {
    const { entries, secrets } = await gatherDiagnostics(ctx);
    const stamp = isoAt(ctx.clock).replace(/[:.]/g, '-');
    return reply
      .header('Content-Disposition', `attachment; filename="stablequeue-diagnostics-${stamp}.zip"`)
      .header('Cache-Control', 'no-store')
      .type('application/zip')
      .send(await diagnosticsZip(entries, secrets));
  });
}
