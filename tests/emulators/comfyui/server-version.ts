// What a given ComfyUI version does differently, for the emulator's old-version mode.
// Servers older than 0.3.45 assign their own prompt_id whatever the client sends and
// (in this emulator's model) do not answer the feature_flags handshake; servers older
// than 0.3.57 ignore prompt_id in POST /interrupt and stop whatever runs.

export const DEFAULT_VERSION = '0.3.64';

export interface VersionBehaviour {
  version: string;
  /** POST /prompt keeps a client-given prompt_id. */
  honoursClientPromptId: boolean;
  /** POST /interrupt {prompt_id} stops only that prompt. */
  targetedInterrupt: boolean;
  /** The socket answers a first `feature_flags` frame with the server's flags. */
  featureFlags: boolean;
}

/** "0.3.44" → [0, 3, 44]; missing parts count as 0. */
function parts(version: string): number[] {
  return version.replace(/^v/, '').split('.').map((p) => Number.parseInt(p, 10) || 0);
}

export function atLeast(version: string, minimum: string): boolean {
  const a = parts(version);
  const b = parts(minimum);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d > 0;
  }
  return true;
}

export function behaviourOf(version: string = DEFAULT_VERSION): VersionBehaviour {
  return {
    version,
    honoursClientPromptId: atLeast(version, '0.3.45'),
    targetedInterrupt: atLeast(version, '0.3.57'),
    featureFlags: atLeast(version, '0.3.45'),
  };
}
