import { imageMime } from '../image-bytes.ts';

/** protocol.py BinaryEventTypes. */
export const PREVIEW_IMAGE = 1;
export const UNENCODED_PREVIEW_IMAGE = 2;
export const TEXT = 3;
export const PREVIEW_IMAGE_WITH_METADATA = 4;

export interface PreviewFrame {
  kind: 'preview';
  image: Buffer;
  mime: string;
  /** Only type 4 frames say which prompt and node the preview belongs to. */
  promptId: string | null;
  nodeId: string | null;
}

export interface TextFrame {
  kind: 'text';
  nodeId: string;
  text: string;
}

export type BinaryFrame = PreviewFrame | TextFrame;

/**
 * Parses a binary WebSocket frame (big-endian u32 event type first):
 * 1 = `[u32 format: 1 JPEG, 2 PNG][image]`;
 * 4 = `[u32 json length][JSON {node_id, prompt_id, display_node_id, …, image_type}][image]`;
 * 3 = `[u32 node id length][node id][utf-8 text]`.
 * Returns null for unknown types and malformed frames.
 */
export function parseBinaryFrame(frame: Buffer): BinaryFrame | null {
  if (frame.length < 8) return null;
  const type = frame.readUInt32BE(0);
  if (type === PREVIEW_IMAGE) {
    const format = frame.readUInt32BE(4);
    const image = frame.subarray(8);
    const mime = imageMime(image) ?? (format === 2 ? 'image/png' : 'image/jpeg');
    return image.length ? { kind: 'preview', image, mime, promptId: null, nodeId: null } : null;
  }
  if (type === PREVIEW_IMAGE_WITH_METADATA) {
    const length = frame.readUInt32BE(4);
    if (8 + length > frame.length) return null;
    let metadata: Record<string, unknown>;
    try {
      metadata = JSON.parse(frame.toString('utf8', 8, 8 + length)) as Record<string, unknown>;
    } catch {
      return null;
    }
    const image = frame.subarray(8 + length);
    if (!image.length) return null;
    const declared = typeof metadata.image_type === 'string' ? metadata.image_type : null;
    return {
      kind: 'preview',
      image,
      mime: imageMime(image) ?? declared ?? 'image/jpeg',
      promptId: typeof metadata.prompt_id === 'string' ? metadata.prompt_id : null,
      nodeId: metadata.node_id != null ? String(metadata.node_id) : null,
    };
  }
  if (type === TEXT) {
    const length = frame.readUInt32BE(4);
    if (8 + length > frame.length) return null;
    return { kind: 'text', nodeId: frame.toString('utf8', 8, 8 + length), text: frame.toString('utf8', 8 + length) };
  }
  return null;
}
