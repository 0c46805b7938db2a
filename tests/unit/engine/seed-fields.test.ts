/**
 * Seeds as the seed plan's clients send them become integers at submit: -1 for "random"
 * ('' , null, any text), a numeric string its number; 1.5 or a number past what stays
 * exact is refused with a message naming the field.
 */
import { describe, expect, it } from 'vitest';
import { normalizeSeedFields, readSeed, SeedFieldError } from '../../../electron/engine/queue/seed-fields.ts';

describe('seed fields', () => {
  it.each([
    [-1, -1], [0, 0], [42, 42], [-7, -1], ['', -1], ['   ', -1], [null, -1], ['random', -1], ['abc', -1], ['Infinity', -1],
    [true, -1], ['42', 42], [' 42 ', 42], ['+3', 3], ['-1', -1], ['1e3', 1000], [Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  ])('reads %j as %j', (value, seed) => {
    expect(readSeed(value)).toEqual({ ok: true, seed });
  });

  it.each([1.5, '1.5', '.5', 1e20, '99999999999999999999', Number.MAX_SAFE_INTEGER + 2, '1e400'])('refuses %j', (value) => {
    const reading = readSeed(value);
    expect(reading.ok).toBe(false);
    if (!reading.ok) expect(reading.problem).toContain(JSON.stringify(value));
  });

  it('rewrites only seed and subseed, and leaves params without them as they are', () => {
    const params = { positive_prompt: 'x', seed: '', subseed: '12', steps: 20 };
    expect(normalizeSeedFields(params)).toEqual({ positive_prompt: 'x', seed: -1, subseed: 12, steps: 20 });
    expect(params.seed).toBe('');
    const untouched = { positive_prompt: 'y', seed: 5 };
    expect(normalizeSeedFields(untouched)).toBe(untouched);
    expect(normalizeSeedFields({ positive_prompt: 'z' })).not.toHaveProperty('seed');
  });

  it('names the field that cannot be a seed', () => {
    expect(() => normalizeSeedFields({ seed: 1, subseed: 2.5 })).toThrow(SeedFieldError);
    expect(() => normalizeSeedFields({ seed: 1, subseed: 2.5 })).toThrow(/generation_params\.subseed must be a whole number/);
  });
});
