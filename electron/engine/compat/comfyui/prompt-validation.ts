/**
 * ComfyUI's POST /prompt validation, done against the /object_info of the server that
 * would run the prompt, so a client gets ComfyUI's own 400 `{error, node_errors}` at once
 * instead of a job that fails later. Follows execution.py's validate_prompt and
 * validate_inputs: the same error types, messages and details strings.
 */

export interface PromptError {
  type: string;
  message: string;
  details: string;
  extra_info: Record<string, unknown>;
}

export interface NodeErrors {
  errors: PromptError[];
  dependent_outputs: string[];
  class_type: string;
}

export type PromptValidation =
  | { ok: true; outputs: string[]; nodeErrors: Record<string, NodeErrors> }
  | { ok: false; error: PromptError; nodeErrors: Record<string, NodeErrors> };

interface NodeInfo {
  input?: { required?: Record<string, unknown[]>; optional?: Record<string, unknown[]> };
  output?: string[];
  output_node?: boolean;
}
export type ObjectInfo = Record<string, NodeInfo>;

type Graph = Record<string, { class_type?: unknown; inputs?: Record<string, unknown> }>;

function promptError(type: string, message: string, details: string): PromptValidation {
  return { ok: false, error: { type, message, details, extra_info: {} }, nodeErrors: {} };
}

/** Python's str() of a JSON value, as ComfyUI's messages print them. */
function pyStr(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (Array.isArray(value)) return `[${value.map((v) => (typeof v === 'string' ? `'${v}'` : pyStr(v))).join(', ')}]`;
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** The combo choices of an input spec: old style `[[...choices]]`, new style `["COMBO", {options}]`. */
function comboOf(spec: unknown[]): unknown[] | null {
  if (Array.isArray(spec[0])) return spec[0];
  if (spec[0] === 'COMBO') {
    const options = (spec[1] as { options?: unknown } | undefined)?.options;
    return Array.isArray(options) ? options : null;
  }
  return null;
}

function typesMatch(received: string, wanted: unknown): boolean {
  if (typeof wanted !== 'string') return received === 'COMBO' || Array.isArray(wanted);
  if (received === wanted) return true;
  const got = received.split(',').map((t) => t.trim());
  const want = wanted.split(',').map((t) => t.trim());
  return got.includes('*') || want.includes('*') || got.some((t) => want.includes(t));
}

function asNumber(value: unknown): number | null {
  if (typeof value === 'number') return value;
  if (typeof value === 'boolean') return Number(value);
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  return null;
}

export function validatePrompt(prompt: unknown, info: ObjectInfo): PromptValidation {
  if (!prompt || typeof prompt !== 'object' || Array.isArray(prompt)) return promptError('no_prompt', 'No prompt provided', 'No prompt provided');
  const graph = prompt as Graph;
  const outputs: string[] = [];
  for (const [id, node] of Object.entries(graph)) {
    if (!node || typeof node !== 'object' || !('class_type' in node)) {
      return promptError('invalid_prompt', 'Cannot execute because a node is missing the class_type property.', `Node ID '#${id}'`);
    }
    const def = typeof node.class_type === 'string' && Object.hasOwn(info, node.class_type) ? info[node.class_type] : undefined;
    if (!def) return promptError('invalid_prompt', `Cannot execute because node ${pyStr(node.class_type)} does not exist.`, `Node ID '#${id}'`);
    if (def.output_node) outputs.push(id);
  }
  if (!outputs.length) return promptError('prompt_no_outputs', 'Prompt has no outputs', '');

  const verdicts = new Map<string, { valid: boolean; errors: PromptError[] }>();
  const visiting = new Set<string>();

  const validateNode = (id: string): { valid: boolean; errors: PromptError[] } => {
    const known = verdicts.get(id);
    if (known) return known;
    if (visiting.has(id)) return { valid: false, errors: [] };
    visiting.add(id);
    const node = graph[id];
    const def = info[node.class_type as string];
    const inputs = node.inputs ?? {};
    const errors: PromptError[] = [];
    let valid = true;
    const declared = [
      ...Object.entries(def.input?.required ?? {}).map(([name, spec]) => ({ name, spec, required: true })),
      ...Object.entries(def.input?.optional ?? {}).map(([name, spec]) => ({ name, spec, required: false })),
    ];
    for (const { name, spec, required } of declared) {
      if (!Object.hasOwn(inputs, name)) {
        if (required) errors.push({ type: 'required_input_missing', message: 'Required input is missing', details: name, extra_info: { input_name: name } });
        continue;
      }
      const value = inputs[name];
      const inputType = Array.isArray(spec) ? spec[0] : undefined;
      const config = [inputType, (Array.isArray(spec) ? spec[1] : undefined) ?? {}];
      if (Array.isArray(value)) {
        if (value.length !== 2) {
          errors.push({ type: 'bad_linked_input', message: 'Bad linked input, must be a length-2 list of [node_id, slot_index]', details: name, extra_info: { input_name: name, input_config: config, received_value: value } });
          continue;
        }
        const [upstream, slot] = value as [unknown, unknown];
        const upstreamNode = typeof upstream === 'string' ? graph[upstream] : undefined;
        const upstreamDef = upstreamNode ? info[upstreamNode.class_type as string] : undefined;
        const received = upstreamDef && typeof slot === 'number' ? upstreamDef.output?.[slot] : undefined;
        if (!upstreamNode || received === undefined) {
          valid = false;
          errors.push({ type: 'exception_during_inner_validation', message: 'Exception when validating inner node', details: `'${pyStr(upstream)}'`, extra_info: { input_name: name, input_config: config, linked_node: value } });
          continue;
        }
        if (!typesMatch(received, inputType)) {
          errors.push({
            type: 'return_type_mismatch', message: 'Return type mismatch between linked nodes',
            details: `${name}, received_type(${received}) mismatch input_type(${pyStr(inputType)})`,
            extra_info: { input_name: name, input_config: config, received_type: received, linked_node: value },
          });
          continue;
        }
        if (!validateNode(upstream as string).valid) valid = false;
        continue;
      }
      if (inputType === 'INT' || inputType === 'FLOAT') {
        const n = asNumber(value);
        if (n === null) {
          const detail = inputType === 'INT' ? `invalid literal for int() with base 10: '${pyStr(value)}'` : `could not convert string to float: '${pyStr(value)}'`;
          errors.push({ type: 'invalid_input_type', message: `Failed to convert an input value to a ${inputType} value`, details: `${name}, ${pyStr(value)}, ${detail}`, extra_info: { input_name: name, input_config: config, received_value: value, exception_message: detail } });
          continue;
        }
        const options = (config[1] ?? {}) as { min?: number; max?: number };
        const v = inputType === 'INT' ? Math.trunc(n) : n;
        if (typeof options.min === 'number' && v < options.min) {
          errors.push({ type: 'value_smaller_than_min', message: `Value ${v} smaller than min of ${options.min}`, details: name, extra_info: { input_name: name, input_config: config, received_value: v } });
          continue;
        }
        if (typeof options.max === 'number' && v > options.max) {
          errors.push({ type: 'value_bigger_than_max', message: `Value ${v} bigger than max of ${options.max}`, details: name, extra_info: { input_name: name, input_config: config, received_value: v } });
          continue;
        }
      }
      const combo = Array.isArray(spec) ? comboOf(spec) : null;
      if (combo && !combo.some((choice) => choice === value)) {
        const big = combo.length > 20;
        errors.push({
          type: 'value_not_in_list', message: 'Value not in list',
          details: `${name}: '${pyStr(value)}' not in ${big ? `(list of length ${combo.length})` : pyStr(combo)}`,
          extra_info: { input_name: name, input_config: big ? null : config, received_value: value },
        });
      }
    }
    visiting.delete(id);
    const verdict = { valid: valid && errors.length === 0, errors };
    verdicts.set(id, verdict);
    return verdict;
  };

  const good: string[] = [];
  const failures: PromptError[][] = [];
  const nodeErrors: Record<string, NodeErrors> = {};
  for (const output of outputs) {
    const verdict = validateNode(output);
    if (verdict.valid) {
      good.push(output);
      continue;
    }
    failures.push(verdict.errors);
    for (const [id, result] of verdicts) {
      if (result.valid || !result.errors.length) continue;
      nodeErrors[id] ??= { errors: result.errors, dependent_outputs: [], class_type: String(graph[id].class_type) };
      if (!nodeErrors[id].dependent_outputs.includes(output)) nodeErrors[id].dependent_outputs.push(output);
    }
  }
  if (!good.length) {
    // As ComfyUI: the details list the output nodes' own errors (those of upstream nodes are in node_errors).
    const lines = failures.flatMap((errors) => errors.map((e) => `${e.message}: ${e.details}`));
    return {
      ok: false,
      error: { type: 'prompt_outputs_failed_validation', message: 'Prompt outputs failed validation', details: lines.join('\n'), extra_info: {} },
      nodeErrors,
    };
  }
  return { ok: true, outputs: good, nodeErrors };
}
