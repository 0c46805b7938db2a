/**
 * JSON text as the Python server writes it.
 *
 * Python keeps ints and floats apart (`7` vs `7.0`), and the server's two encoders differ:
 * FastAPI's JSONResponse is compact and UTF-8 (`separators=(",", ":")`, `ensure_ascii=False`),
 * while `Processed.js()` (the `info` string) uses json.dumps defaults (`", "`, `": "`, ASCII
 * escapes). Wrap a number in PyFloat where Python would hold a float.
 */

export class PyFloat {
  readonly value: number;
  constructor(value: number) {
    this.value = value;
  }
}

export const pyFloat = (value: number): PyFloat => new PyFloat(value);

/** Python's repr()/str() of a float: shortest round-trip digits, exponent outside 1e-4..1e16. */
export function pyFloatRepr(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (!Number.isFinite(n)) return n > 0 ? 'Infinity' : '-Infinity';
  if (n === 0) return Object.is(n, -0) ? '-0.0' : '0.0';
  const [mantissa, expText] = n.toExponential().split('e');
  const exp = Number(expText);
  if (exp < -4 || exp >= 16) {
    return `${mantissa}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  const fixed = n.toFixed(Math.max(0, (mantissa.split('.')[1]?.length ?? 0) - exp));
  return fixed.includes('.') ? fixed : `${fixed}.0`;
}

/** str() of a value as Python would print it inside an f-string. */
export function pyStr(value: unknown): string {
  if (value instanceof PyFloat) return pyFloatRepr(value.value);
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : pyFloatRepr(value);
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (value === null || value === undefined) return 'None';
  return String(value);
}

export type JsonStyle = 'fastapi' | 'json.dumps';

export function pyJson(value: unknown, style: JsonStyle = 'fastapi'): string {
  const itemSep = style === 'fastapi' ? ',' : ', ';
  const keySep = style === 'fastapi' ? ':' : ': ';
  const ascii = style === 'json.dumps';
  const str = (s: string): string => {
    const json = JSON.stringify(s);
    return ascii ? json.replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`) : json;
  };
  const walk = (v: unknown): string => {
    if (v === null || v === undefined || typeof v === 'function') return 'null';
    if (v instanceof PyFloat) return pyFloatRepr(v.value);
    if (typeof v === 'number') return Number.isInteger(v) ? String(v) : pyFloatRepr(v);
    if (typeof v === 'boolean') return v ? 'true' : 'false';
    if (typeof v === 'string') return str(v);
    if (Array.isArray(v)) return `[${v.map(walk).join(itemSep)}]`;
    if (typeof v === 'object') {
      const entries = Object.entries(v as Record<string, unknown>);
      return `{${entries.map(([k, x]) => `${str(k)}${keySep}${walk(x)}`).join(itemSep)}}`;
    }
    return str(String(v));
  };
  return walk(value);
}

/** Strips PyFloat wrappers, for handing values to tests as plain JS data. */
export function toPlain(value: unknown): unknown {
  if (value instanceof PyFloat) return value.value;
  if (Array.isArray(value)) return value.map(toPlain);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toPlain(v)]));
  }
  return value;
}
