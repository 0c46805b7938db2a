/**
 * JSON read and written byte for byte the way Python's `json` module does, because the
 * sidecars are Python tools' files: Forge/A1111 write `<base>.json` with
 * `json.dump(indent=4, ensure_ascii=False)`, Civitai Helper writes `<base>.civitai.info`
 * with `json.dumps(indent=4)` (ASCII escapes).
 *
 * Python keeps ints and floats apart (`1` vs `1.0`); JSON.parse does not. Parsing marks
 * every float literal as a PyFloat so a read-modify-write keeps `1.0` as `1.0`, and a
 * float is printed with Python's `repr` (`1e-05`, `1e+16`, `0.0001`).
 */
export class PyFloat {
  readonly value: number;
  constructor(value: number) {
    this.value = value;
  }
}

/** A float for Python (prints `1.0` rather than `1`). */
export const pyFloat = (value: number): PyFloat => new PyFloat(value);

export type PyValue = null | boolean | number | bigint | string | PyFloat | PyValue[] | { [key: string]: PyValue };

/** Parses JSON, keeping float literals as PyFloat and big integers as bigint. */
export function parsePyJson(text: string): PyValue {
  return JSON.parse(text, function reviver(_key, value, context?: { source?: string }) {
    if (typeof value !== 'number' || !context?.source) return value;
    const source = context.source;
    if (/[.eE]/.test(source)) return new PyFloat(value);
    if (!Number.isSafeInteger(value)) return BigInt(source);
    return value;
  }) as PyValue;
}

/** Python's float repr: the shortest round-trip digits, exponent when < 1e-4 or ≥ 1e16. */
export function pyFloatRepr(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '-Infinity';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const [mantissa, expPart] = x.toExponential().split('e');
  const exp = Number(expPart);
  const negative = mantissa.startsWith('-');
  const digits = mantissa.replace('-', '').replace('.', '');
  const sign = negative ? '-' : '';
  if (exp < -4 || exp >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const e = Math.abs(exp);
    return `${sign}${m}e${exp < 0 ? '-' : '+'}${e < 10 ? `0${e}` : e}`;
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  if (digits.length <= exp + 1) return `${sign}${digits}${'0'.repeat(exp + 1 - digits.length)}.0`;
  return `${sign}${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
}

const SHORT_ESCAPES: Record<string, string> = { '"': '\\"', '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b', '\f': '\\f' };

function hex4(code: number): string {
  return `\\u${code.toString(16).padStart(4, '0')}`;
}

/** Python's `encode_basestring` (ensure_ascii=False) or `encode_basestring_ascii`. */
export function pyString(s: string, ensureAscii: boolean): string {
  const pattern = ensureAscii ? /[\\"]|[^ -~]/g : /[\\"\u0000-\u001f]/g;
  return `"${s.replace(pattern, (ch) => {
    const short = SHORT_ESCAPES[ch];
    if (short) return short;
    const code = ch.charCodeAt(0);
    return hex4(code);
  })}"`;
}

function encode(value: PyValue | undefined, ensureAscii: boolean, indent: number | null, level: number): string {
  if (value === null || value === undefined) return 'null';
  if (value === true) return 'true';
  if (value === false) return 'false';
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof PyFloat) return pyFloatRepr(value.value);
  if (typeof value === 'number') return Number.isInteger(value) && !Object.is(value, -0) ? String(value) : pyFloatRepr(value);
  if (typeof value === 'string') return pyString(value, ensureAscii);
  const nl = indent === null ? '' : `\n${' '.repeat(indent * (level + 1))}`;
  const close = indent === null ? '' : `\n${' '.repeat(indent * level)}`;
  const itemSep = indent === null ? ', ' : ',';
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return `[${value.map((v) => nl + encode(v, ensureAscii, indent, level + 1)).join(itemSep)}${close}]`;
  }
  const entries = Object.entries(value).filter(([, v]) => v !== undefined);
  if (entries.length === 0) return '{}';
  return `{${entries.map(([k, v]) => `${nl}${pyString(k, ensureAscii)}: ${encode(v, ensureAscii, indent, level + 1)}`).join(itemSep)}${close}}`;
}

/** `json.dumps(value, indent=indent, ensure_ascii=ensureAscii)`. */
export function pyJsonDumps(value: PyValue, opts: { indent?: number | null; ensureAscii?: boolean } = {}): string {
  return encode(value, opts.ensureAscii ?? true, opts.indent ?? null, 0);
}
