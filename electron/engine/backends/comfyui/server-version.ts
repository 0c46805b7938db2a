/**
 * What a ComfyUI server can do, by the version /system_stats reports. Servers older than
 * 0.3.45 assign their own prompt_id whatever the client sends; servers older than 0.3.57
 * ignore prompt_id in POST /interrupt and stop whatever runs. An unknown version is
 * treated as old: every caution costs one extra request at most.
 */
export interface ComfyCapabilities {
  version: string | null;
  /** POST /prompt keeps our prompt_id, so it can be stored before the POST. */
  clientPromptId: boolean;
  /** POST /interrupt {prompt_id} stops that prompt only. */
  targetedInterrupt: boolean;
}

/** "0.3.44" / "v0.8.0" → [0, 3, 44]; null when it is not a version. */
export function parseVersion(text: unknown): number[] | null {
  if (typeof text !== 'string') return null;
  const match = /^v?(\d+)\.(\d+)(?:\.(\d+))?/.exec(text.trim());
  return match ? [Number(match[1]), Number(match[2]), Number(match[3] ?? 0)] : null;
}

function atLeast(version: number[], minimum: number[]): boolean {
  for (let i = 0; i < minimum.length; i++) {
    if (version[i] !== minimum[i]) return version[i] > minimum[i];
  }
  return true;
}

export function capabilitiesOf(versionText: unknown): ComfyCapabilities {
  const version = parseVersion(versionText);
  return {
    version: version ? version.join('.') : null,
    clientPromptId: version !== null && atLeast(version, [0, 3, 45]),
    targetedInterrupt: version !== null && atLeast(version, [0, 3, 57]),
  };
}

export const UNKNOWN_CAPABILITIES: ComfyCapabilities = capabilitiesOf(null);
