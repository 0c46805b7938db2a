import { readA1111Infotext } from './a1111-infotext.ts';
import { comfyGraphOf, readComfyGraph } from './comfyui-graph.ts';
import { EMPTY_METADATA, type ImageMetadata } from './image-metadata.ts';
import { readInvokeAiMetadata } from './invokeai-metadata.ts';
import { readSwarmUiParams } from './swarmui-params.ts';

/**
 * The generation fields of an image from its metadata text (PNG chunks by keyword; JPEG
 * and WebP EXIF text as `parameters`), whichever tool wrote it. The size from the file's
 * header wins over the one the metadata claims (a hires pass or an upscale changes it).
 */
export function readMetadata(text: Record<string, string>, size: { width: number | null; height: number | null }): ImageMetadata {
  const meta = fromText(text);
  return { ...meta, width: size.width ?? meta.width, height: size.height ?? meta.height };
}

function fromText(text: Record<string, string>): ImageMetadata {
  const parameters = text.parameters;
  if (parameters) {
    const swarm = readSwarmUiParams(parameters);
    if (swarm) return swarm;
    if (parameters.trim()) return readA1111Infotext(parameters);
  }
  if (text.invokeai_metadata) {
    const invoke = readInvokeAiMetadata(text.invokeai_metadata);
    if (invoke) return invoke;
  }
  if (text.prompt) {
    const graph = comfyGraphOf(text.prompt);
    if (graph) return readComfyGraph(graph);
  }
  return { ...EMPTY_METADATA, loras: [], extra: {} };
}
