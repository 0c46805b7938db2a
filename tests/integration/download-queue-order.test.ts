import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCivitaiEmulator, type CivitaiEmulator, type EmuModel } from '../emulators/civitai/index.ts';
import { startTestEngine, type TestEngine } from '../helpers/engine.ts';
import { api, waitFor } from '../helpers/http.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';

let emu: CivitaiEmulator;
let sq: TestEngine;
let tmp: { dir: string; cleanup: () => void };
const models: EmuModel[] = [];

beforeAll(async () => {
  emu = await startCivitaiEmulator();
  for (const name of ['a', 'b', 'c', 'd', 'e']) {
    models.push(await emu.addModel({ name: `LoRA ${name}`, type: 'LORA', versions: [{ name: 'v1', baseModel: 'SD 1.5', files: [{ name: `lora_${name}.safetensors`, size: 200_000 }] }] }));
  }
  tmp = makeTempDir('sq-dl-order-');
  const loras = path.join(tmp.dir, 'Lora');
  fs.mkdirSync(loras, { recursive: true });
  sq = await startTestEngine({ loraPath: loras, civitaiBaseUrl: emu.apiUrl });
});

afterAll(async () => {
  await sq.stop();
  await emu.close();
  tmp.cleanup();
});

describe('download queue order', () => {
  it('moves a waiting download to the top so it starts next; running ones and bad anchors are refused', async () => {
    // Two transfers run at once (the default); both stall, the other three wait.
    emu.faults.stallAt = { fileId: null, offset: 50_000 };
    const ids: string[] = [];
    for (const m of models) {
      const res = await api(sq.url, 'POST', '/api/v1/civitai/download-model', { version_id: m.versions[0].id });
      expect(res.status, JSON.stringify(res.body)).toBe(202);
      ids.push(res.body.download.id);
    }
    await waitFor(async () => (await api(sq.url, 'GET', '/api/v1/downloads')).body.downloads.filter((d: any) => d.status === 'active').length === 2, { what: 'two active' });
    const [a, , c, d, e] = ids;
    expect((await api(sq.url, 'POST', `/api/v1/downloads/${a}/move`, { to: 'top' })).status).toBe(409);
    expect((await api(sq.url, 'POST', `/api/v1/downloads/${e}/move`, { before: a })).body.error).toBe('not_waiting');
    expect((await api(sq.url, 'POST', `/api/v1/downloads/${e}/move`, { to: 'middle' })).status).toBe(400);
    expect((await api(sq.url, 'POST', '/api/v1/downloads/00000000-0000-4000-8000-000000000000/move', { to: 'top' })).status).toBe(404);

    const moved = await api(sq.url, 'POST', `/api/v1/downloads/${e}/move`, { to: 'top' });
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    expect(moved.body.order).toEqual([e, c, d]);
    expect((await api(sq.url, 'POST', `/api/v1/downloads/${c}/move`, { after: d })).body.order).toEqual([e, d, c]);

    emu.faults.stallAt = null;
    emu.releaseStalls();
    await waitFor(async () => (await api(sq.url, 'GET', '/api/v1/downloads')).body.downloads.every((x: any) => x.status === 'completed'), { what: 'all downloads', timeoutMs: 60_000 });
    const fileOf = (i: number) => models[i].versions[0].files[0].id;
    const firstTransfer = (i: number) => emu.transfers.findIndex((t) => t.fileId === fileOf(i));
    // Both stalled transfers end together and two slots free at once: e (moved to the top)
    // and d start side by side, in either order over the wire; c, once ahead of both, waits.
    expect(firstTransfer(2)).toBeGreaterThan(firstTransfer(4));
    expect(firstTransfer(2)).toBeGreaterThan(firstTransfer(3));
  });
});
