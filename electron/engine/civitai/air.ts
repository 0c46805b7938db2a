/**
 * Civitai's AI Resource Name: `urn:air:{ecosystem}:{type}:{source}:{id}[@{version}][.{format}]`,
 * e.g. `urn:air:sdxl:checkpoint:civitai:101055@128078`. The `urn:` and `air:` prefixes are
 * optional in practice.
 */
export interface Air {
  ecosystem: string;
  type: string;
  source: string;
  modelId: number;
  versionId: number | null;
  format: string | null;
}

const AIR_RE = /^(?:urn:)?(?:air:)?([a-z0-9_.-]+):([a-z0-9_-]+):([a-z0-9_-]+):(\d+)(?:@(\d+))?(?:\.([a-z0-9]+))?$/i;

export function parseAir(value: string): Air | null {
  const m = AIR_RE.exec(value.trim());
  if (!m) return null;
  return {
    ecosystem: m[1].toLowerCase(),
    type: m[2].toLowerCase(),
    source: m[3].toLowerCase(),
    modelId: Number(m[4]),
    versionId: m[5] ? Number(m[5]) : null,
    format: m[6]?.toLowerCase() ?? null,
  };
}
