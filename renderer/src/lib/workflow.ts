/** ComfyUI workflow checks: the API needs the "API format" graph, not the editor's UI format. */

export type WorkflowCheck =
  | { ok: true; workflow: Record<string, unknown>; nodeCount: number; classTypes: string[] }
  | { ok: false; reason: 'empty' | 'json' | 'ui_format' | 'not_api'; message: string };

export const EXPORT_API_HINT =
  'In ComfyUI, open the Workflow menu and choose "Export (API)" (older versions: enable "Dev mode options" in Settings, then use "Save (API Format)"), and use that file.';

export function checkWorkflow(text: string): WorkflowCheck {
  const trimmed = text.trim();
  if (!trimmed) return { ok: false, reason: 'empty', message: 'Paste or drop a ComfyUI workflow in API format.' };
  let data: unknown;
  try {
    data = JSON.parse(trimmed);
  } catch (err) {
    return { ok: false, reason: 'json', message: `This is not valid JSON (${(err as Error).message}).` };
  }
  if (!data || typeof data !== 'object' || Array.isArray(data)) {
    return { ok: false, reason: 'not_api', message: `A workflow must be a JSON object of nodes. ${EXPORT_API_HINT}` };
  }
  const obj = data as Record<string, unknown>;
  if (Array.isArray(obj.nodes) && (Array.isArray(obj.links) || 'last_node_id' in obj || 'version' in obj)) {
    return {
      ok: false,
      reason: 'ui_format',
      message: `This is a UI-format workflow (the one ComfyUI saves for its editor). StableQueue needs the API format. ${EXPORT_API_HINT}`,
    };
  }
  // Some tools wrap the graph as {prompt: {...}}.
  const graph = obj.prompt && typeof obj.prompt === 'object' && !Array.isArray(obj.prompt) ? (obj.prompt as Record<string, unknown>) : obj;
  const entries = Object.entries(graph);
  if (!entries.length) return { ok: false, reason: 'not_api', message: `The workflow has no nodes. ${EXPORT_API_HINT}` };
  const classTypes: string[] = [];
  for (const [id, node] of entries) {
    if (!node || typeof node !== 'object' || typeof (node as { class_type?: unknown }).class_type !== 'string') {
      return {
        ok: false,
        reason: 'not_api',
        message: `Node "${id}" has no class_type, so this is not an API-format workflow. ${EXPORT_API_HINT}`,
      };
    }
    classTypes.push((node as { class_type: string }).class_type);
  }
  return { ok: true, workflow: graph, nodeCount: entries.length, classTypes };
}
