import { describe, expect, it } from 'vitest';
import { parseApiWorkflow } from '../../../electron/engine/backends/comfyui/workflow.ts';
import { BackendError } from '../../../electron/engine/backends/types.ts';

function failure(value: unknown): BackendError {
  try {
    parseApiWorkflow(value);
  } catch (error) {
    return error as BackendError;
  }
  throw new Error('expected a failure');
}

describe('parseApiWorkflow', () => {
  const graph = {
    1: { class_type: 'EmptyImage', inputs: { width: 64, height: 64, batch_size: 1, color: 255 } },
    2: { class_type: 'SaveImage', inputs: { images: ['1', 0], filename_prefix: 'x' } },
  };

  it('accepts an API-format graph and returns a copy we may edit', () => {
    const parsed = parseApiWorkflow(graph);
    expect(parsed).toEqual(graph);
    parsed[1].inputs.width = 8;
    expect(graph[1].inputs.width).toBe(64);
  });

  it.each([
    ['not an object', [1, 2], /must be an object/],
    ['empty', {}, /no nodes/],
    ['UI format', { nodes: [], links: [], version: 0.4 }, /UI workflow format/],
    ['no class_type', { 1: { inputs: {} } }, /node 1 has no class_type/],
    ['no inputs', { 7: { class_type: 'KSampler' } }, /node 7 \(KSampler\) has no inputs/],
    ['dangling link', { 2: { class_type: 'SaveImage', inputs: { images: ['9', 0] } } }, /input 'images' links to node 9/],
  ])('rejects %s as a permanent error', (_name, value, message) => {
    const error = failure(value);
    expect(error).toBeInstanceOf(BackendError);
    expect(error.kind).toBe('permanent');
    expect(error.message).toMatch(message);
  });
});
