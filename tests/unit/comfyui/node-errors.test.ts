import { describe, expect, it } from 'vitest';
import { describeRejection, executionError, rejectionError } from '../../../electron/engine/backends/comfyui/node-errors.ts';
import type { ComfyGraph } from '../../../electron/engine/backends/comfyui/workflow.ts';

// The shapes of ComfyUI's POST /prompt 400 answer (execution.py validate_prompt / validate_inputs).
const notInList = {
  error: { type: 'prompt_outputs_failed_validation', message: 'Prompt outputs failed validation', details: '', extra_info: {} },
  node_errors: {
    4: {
      errors: [{
        type: 'value_not_in_list', message: 'Value not in list',
        details: "ckpt_name: 'nope.safetensors' not in ['a.safetensors', 'b.safetensors']",
        extra_info: { input_name: 'ckpt_name', input_config: [['a.safetensors', 'b.safetensors'], {}], received_value: 'nope.safetensors' },
      }],
      dependent_outputs: ['9'],
      class_type: 'CheckpointLoaderSimple',
    },
  },
};

describe('ComfyUI validation errors', () => {
  it('names the node, its class and the input', () => {
    expect(describeRejection(notInList)).toBe(
      "Node 4 (CheckpointLoaderSimple): input 'ckpt_name' — Value not in list: 'nope.safetensors' not in ['a.safetensors', 'b.safetensors']",
    );
  });

  it('adds the node title from the graph when it has its own', () => {
    const graph: ComfyGraph = { 4: { class_type: 'CheckpointLoaderSimple', inputs: {}, _meta: { title: 'Base model' } } };
    expect(describeRejection(notInList, graph)).toMatch(/^Node 4 "Base model" \(CheckpointLoaderSimple\): input 'ckpt_name'/);
  });

  it('lists every error of every node', () => {
    const body = {
      error: { type: 'prompt_outputs_failed_validation', message: 'Prompt outputs failed validation', details: '' },
      node_errors: {
        3: {
          class_type: 'KSampler',
          errors: [
            { type: 'required_input_missing', message: 'Required input is missing', details: 'model', extra_info: { input_name: 'model' } },
            { type: 'value_bigger_than_max', message: 'Value 200 bigger than max of 100', details: 'cfg', extra_info: { input_name: 'cfg' } },
          ],
        },
      },
    };
    expect(describeRejection(body)).toBe(
      "Node 3 (KSampler): input 'model' — Required input is missing; Node 3 (KSampler): input 'cfg' — Value 200 bigger than max of 100",
    );
  });

  it('falls back to the top-level error when no node is named', () => {
    expect(describeRejection({
      error: { type: 'invalid_prompt', message: 'Cannot execute because node Foo does not exist.', details: "Node ID '#1'", extra_info: {} },
      node_errors: {},
    })).toBe("Cannot execute because node Foo does not exist. (Node ID '#1')");
    expect(describeRejection({ error: { type: 'prompt_no_outputs', message: 'Prompt has no outputs', details: '' }, node_errors: [] })).toBe('Prompt has no outputs');
  });

  it('shortens huge details (a list of 500 checkpoints)', () => {
    const long = { node_errors: { 1: { class_type: 'X', errors: [{ message: 'Value not in list', details: `x: 'y' not in [${"'m', ".repeat(500)}]`, extra_info: { input_name: 'x' } }] } } };
    expect(describeRejection(long).length).toBeLessThan(300);
  });

  it('is a permanent BackendError (never retried)', () => {
    const error = rejectionError(400, notInList, null);
    expect(error.kind).toBe('permanent');
    expect(error.status).toBe(400);
    expect(error.message).toMatch(/^ComfyUI rejected the workflow: Node 4 \(CheckpointLoaderSimple\)/);
  });

  it('execution errors name the node; out-of-memory is its own kind, others are permanent', () => {
    const oom = executionError({ node_id: '3', node_type: 'KSampler', exception_type: 'torch.OutOfMemoryError', exception_message: 'CUDA out of memory.\n' }, null);
    expect(oom.kind).toBe('out_of_memory');
    expect(oom.message).toBe('ComfyUI failed: Node 3 (KSampler) raised torch.OutOfMemoryError: CUDA out of memory. The server ran out of GPU memory; try a smaller size or batch, or a server with a bigger GPU.');
    expect(executionError({ node_id: '8', node_type: 'VAEDecode', exception_type: 'RuntimeError', exception_message: 'bad shape' }, null).kind).toBe('permanent');
  });
});
