/**
 * Where a job came from, in words: its source_info ("a1111_api") as a label, and for a job
 * that came through the A1111 / ComfyUI facades also the client that sent it, read from its
 * User-Agent ("A1111 API · SillyTavern"), so a user can tell which tool queued what.
 */

/** Labels of the sources StableQueue itself writes; a client's own source_info is shown as sent. */
const SOURCE_LABELS: Readonly<Record<string, string>> = {
  a1111_api: 'A1111 API',
  comfyui_api: 'ComfyUI API',
  web_ui: 'StableQueue',
  api: 'API',
  api_v2: 'API',
  forge_extension: 'Forge extension',
  comfyui_extension: 'ComfyUI extension',
};

/** The client name a facade stored with the job (`metadata.compat.client_name`), if any. */
export function facadeClientName(metadata: Record<string, unknown> | null | undefined): string | null {
  const compat = metadata?.compat;
  if (!compat || typeof compat !== 'object') return null;
  const name = (compat as { client_name?: unknown }).client_name;
  return typeof name === 'string' && name.trim() ? name.trim() : null;
}

/** "SillyTavern/1.12.6 (Linux)" → "SillyTavern": the product token of a User-Agent. */
function productOf(clientName: string): string {
  return clientName.split(/[/\s]/)[0] || clientName;
}

export interface JobSource {
  /** Short, for a list row: "A1111 API · SillyTavern". */
  label: string;
  /** Everything known, for a title or the detail view: "A1111 API · SillyTavern/1.12.6". */
  full: string;
}

export function jobSource(sourceInfo: string | null | undefined, metadata: Record<string, unknown> | null | undefined): JobSource | null {
  if (!sourceInfo) return null;
  const base = SOURCE_LABELS[sourceInfo] ?? sourceInfo;
  const client = facadeClientName(metadata);
  if (!client) return { label: base, full: base };
  return { label: `${base} · ${productOf(client)}`, full: `${base} · ${client}` };
}
