import type { FastifyInstance } from 'fastify';
import { deny } from './deny.ts';

/** Input caps beyond the schemas (OWASP API4): nesting depth of any JSON body, and raw ComfyUI workflows. */
export const INPUT_LIMITS = {
  /** Deeper bodies are refused before anything walks them (JSON.stringify recursion, schema checks). */
  maxJsonDepth: 64,
  /** A raw ComfyUI workflow (API format): nodes and serialized size. */
  maxWorkflowNodes: 2_000,
  maxWorkflowBytes: 4 * 1024 * 1024,
} as const;

/** Depth of a parsed JSON value, walked without recursion; stops counting once past `limit`. */
export function jsonDepthExceeds(value: unknown, limit: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length) {
    const [node, depth] = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    if (depth > limit) return true;
    for (const child of Object.values(node as Record<string, unknown>)) {
      if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
    }
  }
  return false;
}

function workflowProblem(workflow: unknown, label: string): string | null {
  if (workflow === null || typeof workflow !== 'object') return null;
  const nodes = Object.keys(workflow).length;
  if (nodes > INPUT_LIMITS.maxWorkflowNodes) return `${label} has ${nodes} nodes; at most ${INPUT_LIMITS.maxWorkflowNodes} are accepted.`;
  const bytes = Buffer.byteLength(JSON.stringify(workflow));
  if (bytes > INPUT_LIMITS.maxWorkflowBytes) return `${label} is ${bytes} bytes of JSON; at most ${INPUT_LIMITS.maxWorkflowBytes} are accepted.`;
  return null;
}

/** A preValidation hook: runs on every parsed body, before the route's schema. */
export function installInputLimits(app: FastifyInstance): void {
  app.addHook('preValidation', async (request, reply) => {
    const body = request.body;
    if (body === null || typeof body !== 'object') return undefined;
    if (jsonDepthExceeds(body, INPUT_LIMITS.maxJsonDepth)) {
      return deny(reply, 400, 'body_too_deep', `The JSON body is nested more than ${INPUT_LIMITS.maxJsonDepth} levels deep.`);
    }
    const params = (body as { generation_params?: unknown }).generation_params;
    if (params && typeof params === 'object') {
      const p = params as { workflow?: unknown; workflow_ui?: unknown };
      const problem = workflowProblem(p.workflow, 'generation_params.workflow') ?? workflowProblem(p.workflow_ui, 'generation_params.workflow_ui');
      if (problem) return deny(reply, 413, 'workflow_too_large', problem);
    }
    return undefined;
  });
}
