/**
 * The choices of a combo input in an /object_info answer. Classic nodes give
 * `[[...choices], {options}]`; nodes on the newer schema give `["COMBO", {options: [...]}]`.
 * Returns null when the class or input is not there.
 */
export function comboChoices(objectInfo: unknown, nodeClass: string, input: string): string[] | null {
  const node = (objectInfo as Record<string, { input?: Record<string, Record<string, unknown>> }> | null)?.[nodeClass];
  const spec = node?.input?.required?.[input] ?? node?.input?.optional?.[input];
  if (!Array.isArray(spec)) return null;
  if (Array.isArray(spec[0])) return spec[0].map(String);
  const options = (spec[1] as { options?: unknown } | undefined)?.options;
  if (spec[0] === 'COMBO' && Array.isArray(options)) return options.map(String);
  return null;
}
