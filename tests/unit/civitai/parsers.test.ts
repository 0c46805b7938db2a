import { describe, expect, it } from 'vitest';
import { parseAir } from '../../../electron/engine/civitai/air.ts';
import { backoffDelay } from '../../../electron/engine/civitai/backoff.ts';
import { civitaiErrorFor, parseRetryAfter } from '../../../electron/engine/civitai/civitai-error.ts';
import { parseCivitaiUrl } from '../../../electron/engine/civitai/civitai-url.ts';
import { filenameFromContentDisposition, sanitizeFileName } from '../../../electron/engine/civitai/content-disposition.ts';
import { signedUrlExpiry } from '../../../electron/engine/civitai/signed-url.ts';

describe('Civitai references', () => {
  it('parses AIRs', () => {
    expect(parseAir('urn:air:sdxl:checkpoint:civitai:101055@128078')).toEqual({ ecosystem: 'sdxl', type: 'checkpoint', source: 'civitai', modelId: 101055, versionId: 128078, format: null });
    expect(parseAir('air:sd1:lora:civitai:58390')).toMatchObject({ modelId: 58390, versionId: null });
    expect(parseAir('urn:air:flux1:checkpoint:civitai:618692@691639.safetensors')).toMatchObject({ versionId: 691639, format: 'safetensors' });
    expect(parseAir('not an air')).toBeNull();
  });

  it('parses civitai.com and civitai.red links', () => {
    expect(parseCivitaiUrl('https://civitai.com/models/101055/sd-xl?modelVersionId=128078')).toEqual({ modelId: 101055, versionId: 128078, imageId: null, fileId: null });
    expect(parseCivitaiUrl('https://civitai.red/models/42')).toMatchObject({ modelId: 42, versionId: null });
    expect(parseCivitaiUrl('https://civitai.com/api/download/models/128078?fileId=9')).toMatchObject({ versionId: 128078, fileId: 9 });
    expect(parseCivitaiUrl('https://civitai.com/images/1692093')).toMatchObject({ imageId: 1692093 });
    expect(parseCivitaiUrl('https://evil.example/models/1')).toBeNull();
    expect(parseCivitaiUrl('http://127.0.0.1:5555/models/7', ['127.0.0.1:5555'])).toMatchObject({ modelId: 7 });
  });
});

describe('download file names', () => {
  it('reads Content-Disposition (filename* first), decodes and sanitises', () => {
    expect(filenameFromContentDisposition('attachment; filename="juggernautXL_v9.safetensors"')).toBe('juggernautXL_v9.safetensors');
    expect(filenameFromContentDisposition(`attachment; filename="a.safetensors"; filename*=UTF-8''D%C3%A9tail%20%E2%9C%93.safetensors`)).toBe('Détail ✓.safetensors');
    expect(filenameFromContentDisposition('attachment; filename="../../etc/passwd"')).toBe('passwd');
    expect(filenameFromContentDisposition('attachment; filename=my%20model.ckpt')).toBe('my model.ckpt');
    expect(filenameFromContentDisposition('inline')).toBeNull();
    expect(sanitizeFileName('con.safetensors')).toBeNull();
    expect(sanitizeFileName('a<b>:c?.pt')).toBe('a_b__c_.pt');
    expect(sanitizeFileName(`${'x'.repeat(300)}.safetensors`)).toHaveLength(200);
  });

  it('reads the expiry of signed storage URLs', () => {
    expect(signedUrlExpiry('https://b.r2.cloudflarestorage.com/x?X-Amz-Date=20260101T000000Z&X-Amz-Expires=3600&X-Amz-Signature=a')).toBe(Date.parse('2026-01-01T01:00:00Z'));
    expect(signedUrlExpiry('https://f.backblazeb2.com/x?Expires=1767229200&Signature=a')).toBe(1767229200_000);
    expect(signedUrlExpiry('https://cdn.example/x')).toBeNull();
  });
});

describe('Civitai errors', () => {
  it('say what the user can do', () => {
    expect(civitaiErrorFor(401, { error: 'Unauthorized', message: 'The creator of this asset requires you to be logged in to download it' }, 'Download', { authed: false }))
      .toMatchObject({ kind: 'unauthorized', retryable: false, message: expect.stringMatching(/Add a Civitai API token/) });
    expect(civitaiErrorFor(401, { error: 'Unauthorized' }, 'Download', { authed: true }).message).toMatch(/rejected the API token/);
    expect(civitaiErrorFor(401, { error: 'Unauthorized', message: 'The creator of this asset has disabled downloads on this file' }, 'Download', { authed: true }).kind).toBe('downloads_disabled');
    expect(civitaiErrorFor(403, { error: 'Early Access', deadline: '2026-12-01T00:00:00.000Z' }, 'Download', { authed: true }))
      .toMatchObject({ kind: 'early_access', message: expect.stringMatching(/Early Access.*2026-12-01.*Buzz/) });
    expect(civitaiErrorFor(403, { error: 'Forbidden', message: 'You do not have access to download this file' }, 'Download', { authed: true }).kind).toBe('forbidden');
    expect(civitaiErrorFor(404, { error: 'File not found' }, 'Download', { authed: false }).kind).toBe('not_found');
    expect(civitaiErrorFor(410, { error: 'Model archived' }, 'Download', { authed: false }).message).toMatch(/archived/);
    expect(civitaiErrorFor(429, 'slow down', 'Search', { authed: false, retryAfter: '3' })).toMatchObject({ kind: 'rate_limited', retryable: true, retryAfterMs: 3000 });
    expect(civitaiErrorFor(503, { error: 'busy' }, 'Search', { authed: false })).toMatchObject({ kind: 'unavailable', retryable: true });
  });

  it('backs off exponentially from 1 s to 30 s, honouring Retry-After', () => {
    const policy = { baseMs: 1000, maxMs: 30_000, retries: 5 };
    expect(backoffDelay(policy, 0, null, () => 1)).toBe(1000);
    expect(backoffDelay(policy, 3, null, () => 1)).toBe(8000);
    expect(backoffDelay(policy, 10, null, () => 1)).toBe(30_000);
    expect(backoffDelay(policy, 0, 2000, () => 0)).toBe(2000);
    expect(parseRetryAfter('2')).toBe(2000);
  });
});
