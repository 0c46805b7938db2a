import { afterEach, describe, expect, it } from 'vitest';
import { ApiClient, setApiClient } from '../../../renderer/src/api/client.ts';
import { modelsApi } from '../../../renderer/src/api/models.ts';
import { createFakeFetch } from '../renderer/fake-fetch.ts';

afterEach(() => setApiClient(new ApiClient()));

describe('the model UI components talk to the models API', () => {
  it('lists, scans, searches Civitai and downloads by file id', async () => {
    const f = createFakeFetch({
      'GET /api/v1/models': () => ({ json: { items: [], total: 0, limit: 60, offset: 0, facets: { kinds: {}, base_models: {} }, scan: {} } }),
      'POST /api/v1/models/scan': () => ({ status: 202, json: { scan: {} } }),
      'GET /api/v1/civitai/models': () => ({ json: { items: [], next_cursor: null } }),
      'POST /api/v1/civitai/download-model': () => ({ status: 202, json: { download: { id: 'd1' }, already_installed: false, model_id: null } }),
      'POST /api/v1/downloads/d1/pause': () => ({ json: { id: 'd1', status: 'paused' } }),
    });
    setApiClient(new ApiClient({ fetch: f.fetch, token: 'tok' }));
    const api = modelsApi();
    await api.list({ kind: 'lora', base_model: 'Pony', q: 'detail', sort: 'size', limit: 60, offset: 0 });
    await api.scan();
    await api.search({ query: 'jugg', types: ['Checkpoint', 'LORA'], base_models: ['SDXL 1.0', 'Pony'], sort: 'Newest', nsfw: false, limit: 24 });
    const queued = await api.download({ version_id: 5000, file_id: 9000 });
    await api.pause('d1');
    expect(f.calls.map((c) => `${c.method} ${c.url}`)).toEqual([
      'GET /api/v1/models?kind=lora&base_model=Pony&q=detail&sort=size&limit=60&offset=0',
      'POST /api/v1/models/scan',
      'GET /api/v1/civitai/models?query=jugg&types=Checkpoint%2CLORA&base_models=SDXL+1.0%2CPony&sort=Newest&nsfw=false&limit=24',
      'POST /api/v1/civitai/download-model',
      'POST /api/v1/downloads/d1/pause',
    ]);
    expect(f.calls[1]!.body).toEqual({ force: false, identify: true });
    expect(f.calls[3]!.body).toEqual({ version_id: 5000, file_id: 9000 });
    expect(queued.download.id).toBe('d1');
    expect(f.calls.every((c) => c.headers['x-stablequeue-launch-token'] === 'tok')).toBe(true);
  });

  it('loads previews and Civitai images through the engine (with the launch token)', () => {
    setApiClient(new ApiClient({ token: 'tok' }));
    const api = modelsApi();
    expect(api.assetUrl('/api/v1/models/7/preview')).toBe('/api/v1/models/7/preview?launch_token=tok');
    expect(api.civitaiImage('https://image.civitai.com/a/b/original=true/1.jpeg', 320))
      .toBe('/api/v1/civitai/image?url=https%3A%2F%2Fimage.civitai.com%2Fa%2Fb%2Foriginal%3Dtrue%2F1.jpeg&width=320&launch_token=tok');
  });
});
