import type { GenerationParams } from '../../../shared/jobs.ts';
import { LIMITS } from '../../../shared/limits.ts';

/**
 * Seeds as MobileSD's clients send them: -1, '' or null for "random", and sometimes
 * any text at all (an empty form field, "random"). At submit every `seed` and `subseed`
 * becomes an integer, -1 meaning random, so the stored job, the backends and the UI see
 * one form. A number that cannot be a seed (1.5, or beyond what stays exact) is refused:
 * that is a client bug worth telling, not a wish for randomness.
 */

const SEED_FIELDS = ['seed', 'subseed'] as const;
const NUMERIC_TEXT = /^[+-]?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$/i;

export type SeedReading = { ok: true; seed: number } | { ok: false; problem: string };

export function readSeed(value: unknown): SeedReading {
  let number: number;
  if (typeof value === 'number') {
    number = value;
  } else if (typeof value === 'string' && NUMERIC_TEXT.test(value.trim())) {
    number = Number(value.trim());
  } else {
    return { ok: true, seed: -1 };
  }
  if (!Number.isInteger(number)) return { ok: false, problem: `must be a whole number (or -1 for random), not ${JSON.stringify(value)}` };
  if (Math.abs(number) > LIMITS.maxSeed) return { ok: false, problem: `must be at most ${LIMITS.maxSeed}, not ${JSON.stringify(value)}` };
  return { ok: true, seed: number < 0 ? -1 : number };
}

export class SeedFieldError extends Error {
  readonly field: string;
  constructor(field: string, problem: string) {
    super(`generation_params.${field} ${problem}.`);
    this.field = field;
  }
}

/** The params with `seed` and `subseed` (when present) as integers; throws SeedFieldError. */
export function normalizeSeedFields(params: GenerationParams): GenerationParams {
  let result = params;
  for (const field of SEED_FIELDS) {
    if (!Object.hasOwn(params, field)) continue;
    const reading = readSeed(params[field]);
    if (!reading.ok) throw new SeedFieldError(field, reading.problem);
    if (reading.seed !== params[field]) result = { ...result, [field]: reading.seed };
  }
  return result;
}
