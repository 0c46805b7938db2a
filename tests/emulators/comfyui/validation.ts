// POST /prompt validation, following execution.py's validate_prompt() and
// validate_inputs() (v0.3.64): same error types, messages, details strings and
// the same in-place coercion of widget values (int()/float()/str()/bool()).
import type { NodeDef, InputSpec } from './catalogue.ts';
import { declaredInputs } from './catalogue.ts';
import { PyFloat, asNumber, pyRepr, pyStr } from './py-json.ts';
import type { Graph } from './types.ts';

export interface ValidationError {
  type: string;
  message: string;
  details: string;
  extra_info: Record<string, unknown>;
}

export interface NodeErrors {
  errors: ValidationError[];
  dependent_outputs: string[];
  class_type: string;
}

export type ValidationResult =
  | { ok: true; outputs: string[]; nodeErrors: Record<string, NodeErrors> }
  | { ok: false; error: ValidationError; nodeErrors: Record<string, NodeErrors> };

/** A Python exception raised while validating (KeyError, IndexError, ...). */
export class PyException extends Error {
  readonly pyType: string;
  constructor(pyType: string, message: string) {
    super(message);
    this.pyType = pyType;
  }
}

/** Thrown for request shapes that crash the real handler (aiohttp then answers 500). */
export class HandlerCrash extends Error {}

/** Per-class checks that ComfyUI nodes do in VALIDATE_INPUTS. Returns true or a reason. */
export type CustomValidator = (inputs: Record<string, unknown>) => true | string;

type NodeVerdict = { valid: boolean; errors: ValidationError[] };

const FAKE_TRACEBACK = ['  File "/ComfyUI/execution.py", line 1034, in validate_inputs\n    o_class_type = prompt[o_id][\'class_type\']\n'];

export function validatePrompt(
  prompt: unknown,
  catalogue: Record<string, NodeDef>,
  partialTargets: unknown,
  customValidators: Record<string, { inputs: string[]; check: CustomValidator }>,
): ValidationResult {
  if (prompt === null || typeof prompt !== 'object' || Array.isArray(prompt)) throw new HandlerCrash('prompt is not a dict');
  const graph = prompt as Graph;
  const outputs: string[] = [];
  for (const [id, node] of Object.entries(graph)) {
    if (node === null || typeof node !== 'object' || Array.isArray(node)) throw new HandlerCrash(`node ${id} is not a dict`);
    if (!('class_type' in node)) {
      return promptError('invalid_prompt', 'Cannot execute because a node is missing the class_type property.', `Node ID '#${id}'`);
    }
    const def = lookup(catalogue, node.class_type);
    if (!def) {
      return promptError('invalid_prompt', `Cannot execute because node ${pyStr(node.class_type)} does not exist.`, `Node ID '#${id}'`);
    }
    const wanted = partialTargets === undefined || partialTargets === null || (Array.isArray(partialTargets) && partialTargets.includes(id));
    if (def.outputNode && wanted) outputs.push(id);
  }
  if (outputs.length === 0) return promptError('prompt_no_outputs', 'Prompt has no outputs', '');

  const validated = new Map<string, NodeVerdict>();
  const visiting = new Set<string>();
  const goodOutputs: string[] = [];
  const failures: Array<[string, ValidationError[]]> = [];
  const nodeErrors: Record<string, NodeErrors> = {};

  const validateNode = (id: string): NodeVerdict => {
    const done = validated.get(id);
    if (done) return done;
    // ComfyUI has no cycle check here; Python's recursion limit ends it.
    if (visiting.has(id)) throw new PyException('RecursionError', 'maximum recursion depth exceeded');
    visiting.add(id);
    try {
      return validateInputs(id);
    } finally {
      visiting.delete(id);
    }
  };

  const validateInputs = (id: string): NodeVerdict => {
    const node = graph[id];
    if (node.inputs === undefined) throw new PyException('KeyError', "'inputs'");
    const inputs = node.inputs;
    const def = lookup(catalogue, node.class_type) as NodeDef;
    const custom = customValidators[node.class_type];
    const customInputs = custom?.inputs ?? [];
    const errors: ValidationError[] = [];
    let valid = true;

    for (const { name, spec, required } of declaredInputs(def)) {
      if (!Object.hasOwn(inputs, name)) {
        if (required) errors.push({ type: 'required_input_missing', message: 'Required input is missing', details: name, extra_info: { input_name: name } });
        continue;
      }
      let val = inputs[name];
      const inputType = spec[0];
      const info = [inputType, spec[1] ?? {}];
      if (Array.isArray(val)) {
        if (val.length !== 2) {
          errors.push({
            type: 'bad_linked_input',
            message: 'Bad linked input, must be a length-2 list of [node_id, slot_index]',
            details: name,
            extra_info: { input_name: name, input_config: info, received_value: val },
          });
          continue;
        }
        const receivedType = linkedReturnType(graph, catalogue, val);
        if (!validateNodeInput(receivedType, inputType)) {
          errors.push({
            type: 'return_type_mismatch',
            message: 'Return type mismatch between linked nodes',
            details: `${name}, received_type(${receivedType}) mismatch input_type(${typeText(inputType)})`,
            extra_info: { input_name: name, input_config: info, received_type: receivedType, linked_node: val },
          });
          continue;
        }
        const upstream = val[0] as string;
        try {
          if (!validateNode(upstream).valid) valid = false;
        } catch (err) {
          valid = false;
          const ex = asPyException(err);
          validated.set(upstream, {
            valid: false,
            errors: [{
              type: 'exception_during_inner_validation',
              message: 'Exception when validating inner node',
              details: ex.message,
              extra_info: { input_name: name, input_config: info, exception_message: ex.message, exception_type: ex.pyType, traceback: FAKE_TRACEBACK, linked_node: val },
            }],
          });
        }
        continue;
      }

      if (val !== null && typeof val === 'object' && !(val instanceof PyFloat) && Object.hasOwn(val, '__value__')) {
        val = (val as Record<string, unknown>).__value__;
        inputs[name] = val;
      }
      const converted = coerce(inputType, val);
      if ('error' in converted) {
        errors.push({
          type: 'invalid_input_type',
          message: `Failed to convert an input value to a ${typeText(inputType)} value`,
          details: `${name}, ${pyStr(val)}, ${converted.error}`,
          extra_info: { input_name: name, input_config: info, received_value: val, exception_message: converted.error },
        });
        continue;
      }
      val = converted.value;
      if (converted.changed) inputs[name] = val;

      if (customInputs.includes(name)) continue;
      const options = (spec[1] ?? {}) as Record<string, unknown>;
      const num = asNumber(val);
      const min = asNumber(options.min);
      const max = asNumber(options.max);
      if (min !== undefined && num !== undefined && lessThan(val, options.min)) {
        errors.push({
          type: 'value_smaller_than_min',
          message: `Value ${pyStr(val)} smaller than min of ${pyStr(options.min)}`,
          details: name,
          extra_info: { input_name: name, input_config: info, received_value: val },
        });
        continue;
      }
      if (max !== undefined && num !== undefined && lessThan(options.max, val)) {
        errors.push({
          type: 'value_bigger_than_max',
          message: `Value ${pyStr(val)} bigger than max of ${pyStr(options.max)}`,
          details: name,
          extra_info: { input_name: name, input_config: info, received_value: val },
        });
        continue;
      }
      if (Array.isArray(inputType) && !inputType.some((option) => pyEquals(option, val))) {
        const big = inputType.length > 20;
        errors.push({
          type: 'value_not_in_list',
          message: 'Value not in list',
          details: `${name}: '${pyStr(val)}' not in ${big ? `(list of length ${inputType.length})` : pyRepr(inputType)}`,
          extra_info: { input_name: name, input_config: big ? null : info, received_value: val },
        });
        continue;
      }
    }

    if (custom) {
      for (const name of custom.inputs) {
        if (!Object.hasOwn(inputs, name) || Array.isArray(inputs[name])) continue;
        const verdict = custom.check(inputs);
        if (verdict !== true) {
          errors.push({ type: 'custom_validation_failed', message: 'Custom validation failed for node', details: `${name} - ${verdict}`, extra_info: { input_name: name } });
        }
      }
    }

    const verdict = errors.length > 0 || !valid ? { valid: false, errors } : { valid: true, errors: [] };
    validated.set(id, verdict);
    return verdict;
  };

  for (const output of outputs) {
    let verdict: NodeVerdict;
    try {
      verdict = validateNode(output);
    } catch (err) {
      const ex = asPyException(err);
      verdict = {
        valid: false,
        errors: [{ type: 'exception_during_validation', message: 'Exception when validating node', details: ex.message, extra_info: { exception_type: ex.pyType, traceback: FAKE_TRACEBACK } }],
      };
      validated.set(output, verdict);
    }
    if (verdict.valid) {
      goodOutputs.push(output);
      continue;
    }
    failures.push([output, verdict.errors]);
    for (const [id, result] of validated) {
      if (result.valid || result.errors.length === 0) continue;
      nodeErrors[id] ??= { errors: result.errors, dependent_outputs: [], class_type: graph[id].class_type };
      nodeErrors[id].dependent_outputs.push(output);
    }
  }

  if (goodOutputs.length === 0) {
    const lines = failures.flatMap(([, errs]) => errs.map((e) => `${e.message}: ${e.details}`));
    return {
      ok: false,
      error: { type: 'prompt_outputs_failed_validation', message: 'Prompt outputs failed validation', details: lines.join('\n'), extra_info: {} },
      nodeErrors,
    };
  }
  return { ok: true, outputs: goodOutputs, nodeErrors };
}

function promptError(type: string, message: string, details: string): ValidationResult {
  return { ok: false, error: { type, message, details, extra_info: {} }, nodeErrors: {} };
}

function lookup(catalogue: Record<string, NodeDef>, classType: unknown): NodeDef | undefined {
  return typeof classType === 'string' && Object.hasOwn(catalogue, classType) ? catalogue[classType] : undefined;
}

/** `NODE_CLASS_MAPPINGS[prompt[o_id]['class_type']].RETURN_TYPES[val[1]]`, with Python's errors. */
function linkedReturnType(graph: Graph, catalogue: Record<string, NodeDef>, link: unknown[]): string {
  const [upstream, slot] = link;
  if (typeof upstream !== 'string' || !Object.hasOwn(graph, upstream)) throw new PyException('KeyError', pyRepr(upstream));
  const def = lookup(catalogue, graph[upstream].class_type) as NodeDef;
  if (typeof slot !== 'number' || !Number.isInteger(slot)) {
    throw new PyException('TypeError', `tuple indices must be integers or slices, not ${pyTypeName(slot)}`);
  }
  const index = slot < 0 ? def.output.length + slot : slot;
  if (index < 0 || index >= def.output.length) throw new PyException('IndexError', 'tuple index out of range');
  return def.output[index];
}

/** comfy_execution/validation.py validate_node_input(), non-strict. */
function validateNodeInput(received: string, inputType: InputSpec[0]): boolean {
  if (received === inputType) return true;
  if (typeof inputType !== 'string') return false;
  const got = new Set(received.split(',').map((t) => t.trim()));
  const want = new Set(inputType.split(',').map((t) => t.trim()));
  if (got.has('*') || want.has('*')) return true;
  for (const t of got) if (want.has(t)) return true;
  return false;
}

function typeText(inputType: InputSpec[0]): string {
  return typeof inputType === 'string' ? inputType : pyRepr(inputType);
}

type Coerced = { value: unknown; changed: boolean } | { error: string };

function coerce(inputType: InputSpec[0], val: unknown): Coerced {
  if (inputType === 'INT') return pyInt(val);
  if (inputType === 'FLOAT') return pyFloat(val);
  if (inputType === 'STRING') return { value: pyStr(val), changed: true };
  if (inputType === 'BOOLEAN') return { value: pyTruthy(val), changed: true };
  return { value: val, changed: false };
}

function pyInt(val: unknown): Coerced {
  if (typeof val === 'boolean') return { value: val ? 1 : 0, changed: true };
  if (typeof val === 'bigint') return { value: val, changed: false };
  const n = asNumber(val);
  if (n !== undefined) {
    if (Number.isNaN(n)) return { error: 'cannot convert float NaN to integer' };
    if (!Number.isFinite(n)) return { error: 'cannot convert float infinity to integer' };
    return { value: Math.trunc(n), changed: true };
  }
  if (typeof val === 'string') {
    const text = val.trim().replace(/_/g, '');
    if (/^[+-]?\d+$/.test(text) && !/^_|_$|__/.test(val.trim())) {
      const big = BigInt(text);
      const safe = big <= BigInt(Number.MAX_SAFE_INTEGER) && big >= BigInt(Number.MIN_SAFE_INTEGER);
      return { value: safe ? Number(big) : big, changed: true };
    }
    return { error: `invalid literal for int() with base 10: ${pyRepr(val)}` };
  }
  return { error: `int() argument must be a string, a bytes-like object or a real number, not '${pyTypeName(val)}'` };
}

function pyFloat(val: unknown): Coerced {
  if (typeof val === 'boolean') return { value: new PyFloat(val ? 1 : 0), changed: true };
  const n = asNumber(val);
  if (n !== undefined) return { value: new PyFloat(n), changed: true };
  if (typeof val === 'string') {
    const text = val.trim().toLowerCase();
    if (/^[+-]?(inf|infinity)$/.test(text)) return { value: new PyFloat(text.startsWith('-') ? -Infinity : Infinity), changed: true };
    if (/^[+-]?nan$/.test(text)) return { value: new PyFloat(NaN), changed: true };
    if (/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/.test(text)) return { value: new PyFloat(Number(text)), changed: true };
    return { error: `could not convert string to float: ${pyRepr(val)}` };
  }
  return { error: `float() argument must be a string or a real number, not '${pyTypeName(val)}'` };
}

function pyTruthy(val: unknown): boolean {
  if (val === null || val === undefined || val === false || val === '' || val === 0 || val === 0n) return false;
  if (val instanceof PyFloat) return val.value !== 0;
  if (typeof val === 'object') return Object.keys(val).length > 0;
  return true;
}

function pyTypeName(val: unknown): string {
  if (val === null || val === undefined) return 'NoneType';
  if (typeof val === 'string') return 'str';
  if (typeof val === 'boolean') return 'bool';
  if (typeof val === 'bigint') return 'int';
  if (typeof val === 'number') return Number.isInteger(val) ? 'int' : 'float';
  if (val instanceof PyFloat) return 'float';
  if (Array.isArray(val)) return 'list';
  return 'dict';
}

/** Python `a < b` for ints (maybe bigint) and floats. */
function lessThan(a: unknown, b: unknown): boolean {
  if (typeof a === 'bigint' && typeof b === 'bigint') return a < b;
  if (typeof a === 'bigint' || typeof b === 'bigint') {
    const x = asNumber(a) as number;
    const y = asNumber(b) as number;
    if (Number.isInteger(x) && Number.isInteger(y)) return BigInt(x) < BigInt(y);
    return x < y;
  }
  return (asNumber(a) as number) < (asNumber(b) as number);
}

/** Python `==` for combo membership: 1 == 1.0 == True, strings exact. */
function pyEquals(a: unknown, b: unknown): boolean {
  if (typeof a === 'string' || typeof b === 'string') return a === b;
  const x = typeof a === 'boolean' ? Number(a) : asNumber(a);
  const y = typeof b === 'boolean' ? Number(b) : asNumber(b);
  return x !== undefined && x === y;
}

function asPyException(err: unknown): PyException {
  if (err instanceof PyException) return err;
  if (err instanceof RangeError) return new PyException('RecursionError', 'maximum recursion depth exceeded');
  return new PyException('Exception', err instanceof Error ? err.message : String(err));
}
