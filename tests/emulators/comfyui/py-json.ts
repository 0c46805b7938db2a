// Python-flavoured JSON so the emulator's bytes match ComfyUI's (aiohttp uses
// json.dumps: ", " and ": " separators, ASCII-only output, floats always carry a
// decimal point, and ints are arbitrary precision).

/** A number that Python holds as a float, so it prints as `8.0`, not `8`. */
export class PyFloat {
  readonly value: number;
  constructor(value: number) {
    this.value = value;
  }
}

/** Any JSON-ish value the emulator handles: plain JSON plus PyFloat and bigint. */
export type PyValue = unknown;

/** Parse like json.loads: `8.0` stays a float, huge integers stay exact (bigint). */
export function pyParse(text: string): PyValue {
  type SourceReviver = (key: string, value: unknown, context: { source?: string }) => unknown;
  const reviver: SourceReviver = (_key, value, context) => {
    if (typeof value !== 'number' || context.source === undefined) return value;
    const source = context.source;
    if (/[.eE]/.test(source)) return Number.isInteger(value) ? new PyFloat(value) : value;
    if (!Number.isSafeInteger(value)) return BigInt(source);
    return value;
  };
  return JSON.parse(text, reviver as unknown as (key: string, value: unknown) => unknown);
}

/** Serialize like Python's json.dumps with default arguments. */
export function pyDumps(value: PyValue): string {
  if (value === null || value === undefined) return 'null';
  if (value === true) return 'true';
  if (value === false) return 'false';
  if (typeof value === 'string') return quoteAscii(value);
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number') return formatNumber(value);
  if (value instanceof PyFloat) return formatFloat(value.value);
  if (Array.isArray(value)) return '[' + value.map(pyDumps).join(', ') + ']';
  if (typeof value === 'object') {
    const parts: string[] = [];
    for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
      if (item === undefined) continue;
      parts.push(quoteAscii(key) + ': ' + pyDumps(item));
    }
    return '{' + parts.join(', ') + '}';
  }
  return 'null';
}

/** Plain JS numbers: integers print as Python ints, anything else as a Python float. */
function formatNumber(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 1e21) return Object.is(n, -0) ? '0' : n.toFixed(0);
  return formatFloat(n);
}

/** Python's repr(float). */
export function formatFloat(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return 'Infinity';
  if (n === -Infinity) return '-Infinity';
  const abs = Math.abs(n);
  if (abs !== 0 && (abs >= 1e16 || abs < 1e-4)) {
    const [mantissa, exponent] = n.toExponential().split('e');
    const sign = exponent.startsWith('-') ? '-' : '+';
    const digits = exponent.replace(/^[+-]/, '').padStart(2, '0');
    return `${mantissa}e${sign}${digits}`;
  }
  const text = String(n);
  return /[.e]/.test(text) ? text : `${text}.0`;
}

function quoteAscii(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const code = s.charCodeAt(i);
    const ch = s[i];
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    else if (code < 0x20 || code > 0x7e) out += '\\u' + code.toString(16).padStart(4, '0');
    else out += ch;
  }
  return out + '"';
}

/** The numeric value of an int/float/bigint input, or undefined if it is not a number. */
export function asNumber(value: PyValue): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof PyFloat) return value.value;
  return undefined;
}

export function isPyFloat(value: PyValue): boolean {
  return value instanceof PyFloat || (typeof value === 'number' && !Number.isInteger(value));
}

/** Python's repr() for the values that show up in validation messages. */
export function pyRepr(value: PyValue): string {
  if (typeof value === 'string') {
    const quote = value.includes("'") && !value.includes('"') ? '"' : "'";
    let body = '';
    for (const ch of value) {
      if (ch === '\\') body += '\\\\';
      else if (ch === quote) body += '\\' + quote;
      else if (ch === '\n') body += '\\n';
      else if (ch === '\r') body += '\\r';
      else if (ch === '\t') body += '\\t';
      else body += ch;
    }
    return quote + body + quote;
  }
  if (Array.isArray(value)) return '[' + value.map(pyRepr).join(', ') + ']';
  if (value !== null && typeof value === 'object' && !(value instanceof PyFloat)) {
    const entries = Object.entries(value as Record<string, unknown>).map(([k, v]) => `${pyRepr(k)}: ${pyRepr(v)}`);
    return '{' + entries.join(', ') + '}';
  }
  return pyStr(value);
}

/** Python's str() for the values that show up in validation messages. */
export function pyStr(value: PyValue): string {
  if (value === null || value === undefined) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'string') return value;
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number') return formatNumber(value);
  if (value instanceof PyFloat) return formatFloat(value.value);
  return pyRepr(value);
}

/** A deep copy that keeps PyFloat and bigint intact (structuredClone drops the class). */
export function pyClone<T>(value: T): T {
  if (Array.isArray(value)) return value.map(pyClone) as T;
  if (value instanceof PyFloat) return value;
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = pyClone(v);
    return out as T;
  }
  return value;
}
