import type { BaseModelFamily } from './models.ts';

/**
 * Civitai `baseModel` strings ("SD 1.5", "SDXL 1.0", "Pony", "Illustrious", "NoobAI",
 * "Flux.1 D", "SD 3.5 Large"…) to a family.
 */
export function familyFromCivitai(label: string | null | undefined): BaseModelFamily | null {
  if (!label) return null;
  const l = label.trim().toLowerCase();
  if (!l) return null;
  if (l.startsWith('sd 1') || l === 'sd1' || l.startsWith('sd1.')) return 'SD1';
  if (l.startsWith('sd 2') || l === 'sd2' || l.startsWith('sd2.')) return 'SD2';
  if (l.startsWith('sd 3.5') || l.startsWith('sd3.5')) return 'SD3.5';
  if (l.startsWith('sd 3') || l.startsWith('sd3')) return 'SD3';
  if (l.startsWith('sdxl')) return 'SDXL';
  if (l.startsWith('pony')) return 'Pony';
  if (l.startsWith('illustrious')) return 'Illustrious';
  if (l.startsWith('noobai')) return 'NoobAI';
  if (l.startsWith('flux')) return 'Flux';
  return 'Other';
}

/**
 * A1111/Forge `sd version` member for a LoRA's `<base>.json`: A1111 knows SD1/SD2/SDXL/SD3,
 * Forge SD1/SD2/SDXL/Flux; Pony, Illustrious and NoobAI are SDXL models.
 */
export function sdVersionFor(family: BaseModelFamily): string {
  switch (family) {
    case 'SD1': return 'SD1';
    case 'SD2': return 'SD2';
    case 'SDXL':
    case 'Pony':
    case 'Illustrious':
    case 'NoobAI': return 'SDXL';
    case 'Flux': return 'Flux';
    case 'SD3':
    case 'SD3.5': return 'SD3';
    default: return 'Unknown';
  }
}

/** Labels for families detected without Civitai's own string. */
export const FAMILY_LABELS: Record<BaseModelFamily, string | null> = {
  SD1: 'SD 1.5', SD2: 'SD 2.1', SDXL: 'SDXL 1.0', Pony: 'Pony', Illustrious: 'Illustrious', NoobAI: 'NoobAI',
  Flux: 'Flux.1', SD3: 'SD 3', 'SD3.5': 'SD 3.5', Other: null, Unknown: null,
};
