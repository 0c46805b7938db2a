import { describe, expect, it } from 'vitest';
import { parsePyJson, pyFloat, pyFloatRepr, pyJsonDumps, PyFloat } from '../../../electron/engine/models/sidecars/python-json.ts';

describe('Python json compatibility', () => {
  it('prints floats like Python repr', () => {
    // Values and their repr() from CPython 3.10.
    const cases: [number, string][] = [
      [0.1, '0.1'], [1e-5, '1e-05'], [1e16, '1e+16'], [1234567890123456, '1234567890123456.0'], [0.0001, '0.0001'],
      [123.456, '123.456'], [5e-324, '5e-324'], [1.7976931348623157e308, '1.7976931348623157e+308'], [100000, '100000.0'],
      [1e22, '1e+22'], [-2.5, '-2.5'], [0, '0.0'], [-0, '-0.0'], [6775430.376953125, '6775430.376953125'], [1.5e-7, '1.5e-07'],
    ];
    for (const [value, repr] of cases) expect(pyFloatRepr(value), String(value)).toBe(repr);
  });

  it('keeps int/float apart through a parse and dump', () => {
    const value = parsePyJson('{"w": 1.0, "n": 1, "e": 1E5, "big": 123456789012345678901234567890}');
    expect((value as Record<string, unknown>).w).toBeInstanceOf(PyFloat);
    expect(pyJsonDumps(value, { indent: null })).toBe('{"w": 1.0, "n": 1, "e": 100000.0, "big": 123456789012345678901234567890}');
  });

  it('escapes like encode_basestring(_ascii)', () => {
    const s = 'a"b\\c\n\r\t\b\f\u0001\u007fé\u2028😀';
    expect(pyJsonDumps(s, { ensureAscii: true })).toBe('"a\\"b\\\\c\\n\\r\\t\\b\\f\\u0001\\u007f\\u00e9\\u2028\\ud83d\\ude00"');
    expect(pyJsonDumps(s, { ensureAscii: false })).toBe('"a\\"b\\\\c\\n\\r\\t\\b\\f\\u0001\u007fé\u2028😀"');
  });

  it('indents with ",\\n" and ": ", empty containers inline', () => {
    expect(pyJsonDumps({ a: [1, pyFloat(2)], b: {}, c: [], d: null, e: true }, { indent: 4 }))
      .toBe('{\n    "a": [\n        1,\n        2.0\n    ],\n    "b": {},\n    "c": [],\n    "d": null,\n    "e": true\n}');
  });
});
