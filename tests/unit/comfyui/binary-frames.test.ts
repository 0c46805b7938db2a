import { describe, expect, it } from 'vitest';
import { parseBinaryFrame } from '../../../electron/engine/backends/comfyui/binary-frames.ts';

const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46]);
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0]);

function u32(...values: number[]): Buffer {
  const buf = Buffer.alloc(4 * values.length);
  values.forEach((v, i) => buf.writeUInt32BE(v, 4 * i));
  return buf;
}

describe('ComfyUI binary WebSocket frames (protocol.py)', () => {
  it('type 1: [u32 1][u32 format][image]', () => {
    expect(parseBinaryFrame(Buffer.concat([u32(1, 1), JPEG]))).toEqual({ kind: 'preview', image: JPEG, mime: 'image/jpeg', promptId: null, nodeId: null });
    expect(parseBinaryFrame(Buffer.concat([u32(1, 2), PNG]))).toMatchObject({ kind: 'preview', mime: 'image/png', promptId: null });
  });

  it('type 4: [u32 4][u32 len][JSON metadata][image] carries prompt and node', () => {
    const meta = Buffer.from(JSON.stringify({ node_id: '3', prompt_id: 'p-1', display_node_id: '3', parent_node_id: null, real_node_id: '3', image_type: 'image/jpeg' }));
    const frame = parseBinaryFrame(Buffer.concat([u32(4, meta.length), meta, JPEG]));
    expect(frame).toEqual({ kind: 'preview', image: JPEG, mime: 'image/jpeg', promptId: 'p-1', nodeId: '3' });
  });

  it('type 4 trusts the bytes over the declared image_type', () => {
    const meta = Buffer.from(JSON.stringify({ prompt_id: 'p', node_id: 5, image_type: 'image/jpeg' }));
    expect(parseBinaryFrame(Buffer.concat([u32(4, meta.length), meta, PNG]))).toMatchObject({ mime: 'image/png', nodeId: '5' });
  });

  it('type 3: [u32 3][u32 len][node id][text]', () => {
    expect(parseBinaryFrame(Buffer.concat([u32(3, 2), Buffer.from('12hello')]))).toEqual({ kind: 'text', nodeId: '12', text: 'hello' });
  });

  it('rejects malformed and unknown frames', () => {
    expect(parseBinaryFrame(Buffer.alloc(3))).toBeNull();
    expect(parseBinaryFrame(u32(1, 1))).toBeNull();
    expect(parseBinaryFrame(Buffer.concat([u32(4, 999), JPEG]))).toBeNull();
    expect(parseBinaryFrame(Buffer.concat([u32(4, 3), Buffer.from('{x}'), JPEG]))).toBeNull();
    expect(parseBinaryFrame(Buffer.concat([u32(9, 1), JPEG]))).toBeNull();
  });
});
