/**
 * Checkpoint name patterns of the server rules: `*` any run of characters, `?` one,
 * case-insensitive. A pattern matches the whole name as the job gives it (`sdxl/juggernaut.safetensors
 * [abc123]`) or just its file stem (`juggernaut`), so `flux*` and `*xl*` read as people expect.
 */

const compiled = new Map<string, RegExp>();

function regexOf(pattern: string): RegExp {
  let regex = compiled.get(pattern);
  if (!regex) {
    const body = pattern.trim().split('').map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[\\^$.|+()[\]{}]/g, '\\$&'))).join('');
    regex = new RegExp(`^${body}$`, 'i');
    if (compiled.size > 1024) compiled.clear();
    compiled.set(pattern, regex);
  }
  return regex;
}

/** The name's file stem: folders, the `[hash]` suffix and the extension dropped. */
function stemOf(name: string): string {
  const file = name.replace(/\s*\[[0-9a-f]{6,}\]\s*$/i, '').split(/[\\/]/).pop() ?? name;
  return file.replace(/\.(safetensors|ckpt|pt|pth|bin|gguf|sft)$/i, '');
}

export function matchesCheckpoint(pattern: string, name: string): boolean {
  const regex = regexOf(pattern);
  return regex.test(name.trim()) || regex.test(stemOf(name));
}

/** The first of the patterns the name matches, or null. */
export function firstMatch(patterns: readonly string[], name: string): string | null {
  return patterns.find((p) => matchesCheckpoint(p, name)) ?? null;
}
