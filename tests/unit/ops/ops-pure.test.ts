import { describe, expect, it } from 'vitest';
import { backupFileName, parseBackupName } from '../../../electron/engine/ops/backup-files.ts';
import { isDiskFullError } from '../../../electron/engine/ops/disk-space.ts';
import { parseInfotext } from '../../../electron/engine/ops/infotext-fields.ts';
import { redactText } from '../../../electron/engine/ops/redact-text.ts';

describe('backup file names', () => {
  it('round-trip time and reason, and refuse anything else', () => {
    const at = new Date('2026-03-01T08:05:09.123Z');
    const name = backupFileName(at, 'pre-clear');
    expect(name).toBe('stablequeue-2026-03-01T08-05-09-123Z-pre-clear.db');
    expect(parseBackupName(name)).toEqual({ created_at: at.toISOString(), reason: 'pre-clear' });
    for (const bad of ['stablequeue.db', 'stablequeue-2026-03-01T08-05-09-123Z-weekly.db', '../stablequeue-2026-03-01T08-05-09-123Z-daily.db',
      'stablequeue-2026-13-45T08-05-09-123Z-daily.db', 'stablequeue-2026-03-01T08-05-09-123Z-daily.db.partial']) {
      expect(parseBackupName(bad), bad).toBeNull();
    }
  });
});

describe('disk-full errors', () => {
  it('are recognised by code from Node and SQLite, however deeply wrapped', () => {
    const enospc = Object.assign(new Error('no space'), { code: 'ENOSPC' });
    expect(isDiskFullError(enospc)).toBe(true);
    expect(isDiskFullError(new Error('saving failed', { cause: new Error('write', { cause: enospc }) }))).toBe(true);
    expect(isDiskFullError(Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' }))).toBe(true);
    expect(isDiskFullError(Object.assign(new Error('read-only'), { code: 'EROFS' }))).toBe(true);
    expect(isDiskFullError(Object.assign(new Error('denied'), { code: 'EACCES' }))).toBe(false);
    expect(isDiskFullError('ENOSPC')).toBe(false);
    expect(isDiskFullError(null)).toBe(false);
  });
});

describe('infotext fields', () => {
  it('reads prompt, negative prompt and the settings line, quoted values included', () => {
    const text = 'a cat,\nin a hat\nNegative prompt: blurry, dog\nSteps: 20, Sampler: DPM++ 2M, CFG scale: 7, Seed: 123, Size: 512x512, Model: sdxl, Lora hashes: "a: 1, b: 2"';
    expect(parseInfotext(text)).toEqual({
      positive_prompt: 'a cat,\nin a hat', negative_prompt: 'blurry, dog',
      settings: { Steps: '20', Sampler: 'DPM++ 2M', 'CFG scale': '7', Seed: '123', Size: '512x512', Model: 'sdxl', 'Lora hashes': 'a: 1, b: 2' },
    });
    expect(parseInfotext('just a prompt')).toEqual({ positive_prompt: 'just a prompt', settings: {} });
  });
});

describe('redaction of text leaving the machine', () => {
  const known = ['hunter2-pw', 'civ-token-xyz'];
  const cases: [string, string][] = [
    ['known value in free text', 'login as bob:hunter2-pw and civ-token-xyz'],
    ['JSON field', '{"password":"abc123secret","ok":1}'],
    ['nested escaped JSON field', '{"body":"{\\"api_secret\\":\\"S3CR3T-value\\"}"}'],
    ['bearer header', 'Authorization: Bearer abc.def-ghi'],
    ['basic header', 'authorization: Basic dXNlcjpwYXNz'],
    ['URL user info', 'GET http://user:p4ss-word@host:7860/sdapi'],
    ['query token', 'https://civitai.com/api/download/models/1?token=tok-123&x=1'],
  ];
  it.each(cases)('removes a secret given as %s', (_what, text) => {
    const out = redactText(text, known);
    for (const secret of ['hunter2-pw', 'civ-token-xyz', 'abc123secret', 'S3CR3T-value', 'abc.def-ghi', 'dXNlcjpwYXNz', 'p4ss-word', 'tok-123']) {
      expect(out).not.toContain(secret);
    }
    expect(out).toContain('[redacted]');
  });
  it('leaves ordinary text alone', () => {
    const text = '{"alias":"f1","api_url":"http://127.0.0.1:7860","status":"online"} Steps: 20, Seed: 5';
    expect(redactText(text, known)).toBe(text);
  });
});
