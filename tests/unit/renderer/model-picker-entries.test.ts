import { describe, expect, it } from 'vitest';
import type { CivitaiModelResult } from '../../../shared/civitai.ts';
import type { ModelView } from '../../../shared/models.ts';
import { checkpointFamily, entryWarning, nameKey, pickerEntries, suggestedOrder } from '../../../renderer/src/lib/model-picker-entries.ts';

function model(id: number, relPath: string, over: Partial<ModelView> = {}): ModelView {
  const file = relPath.split('/').pop()!;
  return {
    id, kind: 'lora', name: file.replace(/\.safetensors$/, ''), file_name: file, rel_path: relPath, folder: relPath.includes('/') ? relPath.slice(0, relPath.lastIndexOf('/')) : '',
    size: 1, modified_at: '', sha256: null, autov2: null, autov3: null, hash_state: 'done', base_model: 'SD1', base_model_label: null, base_model_source: null,
    civitai: null, civitai_status: 'unknown', update_available: false, latest_version_id: null, preview_url: null, has_user_metadata: false, ...over,
  };
}

const civ = (id: number, versionId: number, name: string, baseModel: string, installed: number[] = []): CivitaiModelResult => ({
  id, name, type: 'LORA', installed_version_ids: installed,
  modelVersions: [{ id: versionId, name: 'v1', baseModel, trainedWords: ['w'], files: [{ id: versionId * 10, name: `${name}.safetensors`, primary: true, sizeKB: 100 }], images: [] }],
});

const sources = (over: Partial<Parameters<typeof pickerEntries>[0]> = {}) => ({
  kind: 'lora' as const, server: [], library: [], civitai: [], usage: new Map(), previewUrl: () => null, civitaiImage: (u: string) => u, ...over,
});

describe('model picker entries', () => {
  it('names compare without folder, extension or hash', () => {
    expect(nameKey('styles/Ink.safetensors [abcdef1234]')).toBe('ink');
    expect(nameKey('ink')).toBe('ink');
    expect(nameKey('C:\\models\\Ink.ckpt')).toBe('ink');
  });

  it('says where each model is: server (matched to its library file), library only, Civitai only; installed Civitai versions are not repeated', () => {
    const entries = pickerEntries(sources({
      server: [{ name: 'ink', title: 'ink' }, { name: 'server-only', title: 'server-only' }],
      library: [model(1, 'styles/ink.safetensors'), model(2, 'grain.safetensors', { civitai: { model_id: 7, version_id: 70, model_name: 'Grain', version_name: 'v1', url: '', trained_words: ['grainy'] } })],
      civitai: [civ(7, 70, 'Grain', 'SDXL 1.0'), civ(8, 80, 'Flux Detail', 'Flux.1 D'), civ(9, 90, 'Other', 'SD 1.5', [90])],
    }));
    expect(entries.map((e) => [e.name, e.place])).toEqual([['ink', 'server'], ['server-only', 'server'], ['grain', 'library'], ['Flux Detail.safetensors', 'civitai']]);
    expect(entries[0].library?.id).toBe(1);
    expect(entries[2].triggerWords).toEqual(['grainy']);
    expect(entries[3]).toMatchObject({ baseModel: 'Flux', civitai: { modelId: 8, versionId: 80, fileId: 800 } });
  });

  it('orders favourites, then recently and often used, then server before library before Civitai, then by name', () => {
    const entries = pickerEntries(sources({
      server: [{ name: 'b', title: 'b' }],
      library: [model(1, 'a.safetensors'), model(2, 'c.safetensors', { favourite: true }), model(3, 'd.safetensors')],
      usage: new Map([[3, { model_id: 3, jobs: 2, last_used_at: '2026-12-01T00:00:00Z', servers: [] }]]),
    })).sort(suggestedOrder);
    expect(entries.map((e) => e.name)).toEqual(['c', 'd', 'b', 'a']);
  });

  it('warns when an add-on does not fit the checkpoint; unknown base models are not judged', () => {
    const library = [model(5, 'juggernautXL.safetensors', { kind: 'checkpoint', base_model: 'SDXL' }), model(6, 'mystery.safetensors', { kind: 'checkpoint', base_model: 'Unknown' })];
    expect(checkpointFamily('juggernautXL.safetensors [1234abcd]', library)).toBe('SDXL');
    expect(checkpointFamily('mystery', library)).toBeNull();
    const [sd1, pony] = pickerEntries(sources({ library: [model(1, 'ink.safetensors'), model(2, 'pony.safetensors', { base_model: 'Pony' })] }));
    expect(entryWarning(sd1, { name: 'juggernautXL', family: 'SDXL' })?.message).toContain('made for SD1');
    expect(entryWarning(pony, { name: 'juggernautXL', family: 'SDXL' })).toBeNull();
    expect(entryWarning(sd1, { name: 'mystery', family: null })).toBeNull();
  });
});
