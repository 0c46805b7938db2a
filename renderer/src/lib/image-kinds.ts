/**
 * How each kind of saved image is labelled. Results carry no label; the extras a job asked
 * to keep (the batch grid, ControlNet's detected maps) are named so they are never taken
 * for results.
 */
import type { ImageKind } from '../../../shared/images.ts';

export const IMAGE_KIND_LABELS: Record<ImageKind, string | null> = {
  result: null,
  grid: 'Grid',
  control_map: 'Detected map',
};
