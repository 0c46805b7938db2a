import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import type { ModelKind } from '../../../../shared/models.ts';
import { compatibilityWarnings, type AddOn } from '../../../../shared/base-model-compatibility.ts';
import type { ModelRow } from '../library/model-row.ts';
import { nameForm } from '../manage/model-name-match.ts';
import type { ModelsServices } from '../models-services.ts';

const Body = Type.Object({
  checkpoint_name: Type.String({ minLength: 1, maxLength: 1024 }),
  loras: Type.Optional(Type.Array(Type.Object({ name: Type.String({ minLength: 1, maxLength: 1024 }) }), { maxItems: 50 })),
  vae: Type.Optional(Type.String({ maxLength: 1024 })),
}, { additionalProperties: false });

const WarningSchema = Type.Object({
  kind: Type.Union([Type.Literal('lora'), Type.Literal('vae'), Type.Literal('embedding')]),
  name: Type.String(),
  base_model: Type.String(),
  checkpoint_base_model: Type.String(),
  message: Type.String(),
});

/** Base-model compatibility of a checkpoint with the LoRAs and VAE a job would use (names as in generation_params). */
export function registerCompatibilityRoutes(app: FastifyInstance, services: ModelsServices): void {
  const byName = (kind: ModelKind, name: string): ModelRow | undefined => services.library.store.all(kind).find((r) => nameForm(name, r) !== null);

  app.post<{ Body: { checkpoint_name: string; loras?: { name: string }[]; vae?: string } }>('/api/v1/models/compatibility', {
    config: { permission: 'read' },
    schema: {
      tags: ['models'],
      summary: 'Warnings for LoRAs or a VAE made for another base model than the checkpoint (files not in the library are not judged)',
      body: Body,
      response: { 200: Type.Object({ checkpoint_base_model: Type.Union([Type.String(), Type.Null()]), warnings: Type.Array(WarningSchema) }) },
    },
  }, async (request) => {
    const checkpoint = byName('checkpoint', request.body.checkpoint_name);
    if (!checkpoint) return { checkpoint_base_model: null, warnings: [] };
    const addOns: AddOn[] = [];
    for (const lora of request.body.loras ?? []) {
      const row = byName('lora', lora.name);
      if (row) addOns.push({ kind: 'lora', name: lora.name, base_model: row.base_model as AddOn['base_model'] });
    }
    const vae = request.body.vae ? byName('vae', request.body.vae) : undefined;
    if (vae) addOns.push({ kind: 'vae', name: request.body.vae!, base_model: vae.base_model as AddOn['base_model'] });
    return {
      checkpoint_base_model: checkpoint.base_model,
      warnings: compatibilityWarnings({ name: request.body.checkpoint_name, base_model: checkpoint.base_model as AddOn['base_model'] }, addOns),
    };
  });
}
