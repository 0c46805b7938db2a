/** Fields of the A1111 `info` JSON string that StableQueue records per image. */
export interface ForgeInfo {
  seed?: number;
  all_seeds?: number[];
  infotexts?: string[];
  sd_model_name?: string;
  sd_model_hash?: string;
  [key: string]: unknown;
}

export function parseForgeInfo(info: unknown): ForgeInfo {
  if (typeof info !== 'string') return typeof info === 'object' && info ? (info as ForgeInfo) : {};
  try {
    const parsed = JSON.parse(info) as unknown;
    return typeof parsed === 'object' && parsed ? (parsed as ForgeInfo) : {};
  } catch {
    return {};
  }
}
