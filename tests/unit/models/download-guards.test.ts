import { describe, expect, it } from 'vitest';
import { inspectBody, inspectContentType } from '../../../electron/engine/models/downloads/body-guard.ts';
import { chooseFile, expectedBytes, kindFor } from '../../../electron/engine/models/downloads/choose-file.ts';
import { SpeedMeter } from '../../../electron/engine/models/downloads/speed-meter.ts';
import { jobRequirements } from '../../../electron/engine/models/on-demand/requirements.ts';
import { safetensorsHeader } from '../../emulators/civitai/generated-file.ts';

describe('error bodies are never taken for a model', () => {
  it('refuses JSON, HTML, XML and text content types', () => {
    for (const type of ['application/json', 'application/json; charset=utf-8', 'text/html; charset=UTF-8', 'application/xml', 'text/plain']) {
      expect(inspectContentType(type).ok, type).toBe(false);
    }
    expect(inspectContentType('application/octet-stream').ok).toBe(true);
    expect(inspectContentType(undefined).ok).toBe(true);
  });

  it('sniffs error pages behind a binary content type', () => {
    const opts = { offset: 0, expectSafetensors: true, totalSize: 1_000_000 };
    expect(inspectBody(Buffer.from('{"error":"Unauthorized","message":"The creator…"}'), opts)).toMatchObject({ ok: false, kind: 'json' });
    expect(inspectBody(Buffer.from('<!DOCTYPE html><html><head><title>Just a moment'), opts)).toMatchObject({ ok: false, kind: 'html' });
    expect(inspectBody(Buffer.from('<?xml version="1.0"?><Error><Code>AccessDenied</Code>'), opts)).toMatchObject({ ok: false, kind: 'html' });
    expect(inspectBody(Buffer.from('PK\u0003\u0004 zip'), opts)).toMatchObject({ ok: false, kind: 'not_safetensors' });
    const header = safetensorsHeader({ size: 1_000_000, seed: 1, format: 'safetensors' });
    expect(inspectBody(header, opts).ok).toBe(true);
    // A .ckpt (zip) is fine when a safetensors file is not expected; JSON never is.
    expect(inspectBody(Buffer.from('PK\u0003\u0004 zip'), { ...opts, expectSafetensors: false }).ok).toBe(true);
    expect(inspectBody(Buffer.from('[{"error":1}]'), { ...opts, expectSafetensors: false }).ok).toBe(false);
    // A resumed body is binary data: only error pages are looked for.
    expect(inspectBody(Buffer.from('<html><body>403</body></html>'), { ...opts, offset: 5000 }).ok).toBe(false);
    expect(inspectBody(Buffer.from([1, 2, 3, 4, 5, 6, 7, 8, 9]), { ...opts, offset: 5000 }).ok).toBe(true);
  });
});

describe('file choice', () => {
  const version = {
    id: 1, files: [
      { id: 10, name: 'a.ckpt', type: 'Model', sizeKB: 1.5 },
      { id: 11, name: 'a.safetensors', type: 'Model', primary: true, sizeKB: 2 },
      { id: 12, name: 'vae.safetensors', type: 'VAE' },
    ],
  };
  it('takes fileId, else the primary file', () => {
    expect(chooseFile(version, 10).name).toBe('a.ckpt');
    expect(chooseFile(version, null).name).toBe('a.safetensors');
    expect(() => chooseFile(version, 99)).toThrow(/no file 99/);
    expect(expectedBytes(version.files[0])).toBe(1536);
  });
  it('maps Civitai types to library folders', () => {
    expect(kindFor('Checkpoint', 'Model')).toBe('checkpoint');
    expect(kindFor('Checkpoint', 'VAE')).toBe('vae');
    expect(kindFor('LoCon', 'Model')).toBe('lora');
    expect(kindFor('TextualInversion', 'Model')).toBe('embedding');
    expect(kindFor('Controlnet', 'Model')).toBeNull();
  });
});

describe('speed and ETA', () => {
  it('averages samples and estimates the time left', () => {
    let t = 0;
    const meter = new SpeedMeter(0, () => t);
    t = 1000; meter.update(10_000_000);
    t = 2000; meter.update(20_000_000);
    expect(meter.speed).toBeCloseTo(10_000_000, -3);
    expect(meter.eta(20_000_000, 70_000_000)).toBeCloseTo(5, 0);
  });
});

describe('on-demand requirements', () => {
  it('reads checkpoint and LoRA references', () => {
    const refs = jobRequirements({
      checkpoint_name: 'juggernautXL_v9 [5768fa4a9d]',
      checkpoint_civitai_version_id: 5000,
      loras: [{ name: 'add_detail', weight: 0.5, civitai_air: 'urn:air:sd1:lora:civitai:58390@62833' }, { name: 'plain' }],
    } as never);
    expect(refs).toEqual([
      { role: 'checkpoint', index: 0, name: 'juggernautXL_v9 [5768fa4a9d]', versionId: 5000, air: null, hash: '5768fa4a9d' },
      { role: 'lora', index: 0, name: 'add_detail', versionId: null, air: 'urn:air:sd1:lora:civitai:58390@62833', hash: null },
      { role: 'lora', index: 1, name: 'plain', versionId: null, air: null, hash: null },
    ]);
    expect(jobRequirements({ positive_prompt: 'x' } as never)).toEqual([]);
    expect(jobRequirements({ checkpoint_hash: 'ABCDEF0123' } as never)[0]).toMatchObject({ name: null, hash: 'abcdef0123' });
  });
});
