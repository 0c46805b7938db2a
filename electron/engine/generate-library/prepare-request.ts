import type { GenerateRequest, GenerationParams } from '../../../shared/jobs.ts';
import { applyStyles } from '../../../shared/prompt-styles.ts';
import { LibraryError } from './library-error.ts';
import type { StyleStore } from './style-store.ts';
import type { TemplateStore } from './template-store.ts';
import { injectIntoWorkflow } from './template-inject.ts';

/**
 * A generate request as it is stored, from what the client sent: a named ComfyUI
 * template becomes its workflow, flat fields go into a workflow's nodes, and the styles
 * StableQueue keeps are applied to the prompts. Runs at submit, so every client (the UI,
 * the API, the A1111 facade) gets the same. Style names StableQueue does not know stay in
 * `styles` for a Forge / A1111 server to apply from its own styles.csv; the ones applied
 * here move to `applied_styles`, so a retried job is not styled twice.
 */
export function prepareRequest(request: GenerateRequest, deps: { styles: StyleStore; templates: TemplateStore }): GenerateRequest {
  let params: GenerationParams = { ...request.generation_params };
  let appType = request.app_type;

  const templateRef = params.workflow_template;
  let extras: Parameters<typeof injectIntoWorkflow>[2] = [];
  if (templateRef !== undefined && templateRef !== null && templateRef !== '') {
    if (typeof templateRef !== 'string' && typeof templateRef !== 'number') {
      throw new LibraryError(400, 'validation_error', 'workflow_template must be a template id or name.');
    }
    const template = deps.templates.find(templateRef);
    if (appType && appType !== 'comfyui') throw new LibraryError(400, 'app_type_mismatch', `Template "${template.name}" is a ComfyUI workflow, but the job is for ${appType}.`);
    appType = 'comfyui';
    extras = template.extra_inputs;
    // A stored job (retry, requeue) already carries its filled-in workflow.
    if (params.workflow === undefined || params.workflow === null) params.workflow = template.workflow;
    params.workflow_template = template.name;
  }

  if (Array.isArray(params.styles) && params.styles.length) {
    const names = params.styles.filter((s): s is string => typeof s === 'string' && s.trim() !== '');
    const ours = names.map((n) => deps.styles.byName(n));
    const unknown = names.filter((_, i) => !ours[i]);
    if (unknown.length && (appType === 'comfyui' || params.workflow)) {
      const known = deps.styles.list().map((s) => s.name);
      throw new LibraryError(400, 'unknown_style', `No style named ${unknown.map((n) => `"${n}"`).join(', ')}.${known.length ? ` Styles: ${known.slice(0, 30).join(', ')}.` : ''}`);
    }
    const applied = ours.filter((s) => s !== null);
    if (applied.length) {
      const base = typeof params.positive_prompt === 'string' ? params.positive_prompt : typeof params.prompt === 'string' ? params.prompt : '';
      const styled = applyStyles(base, typeof params.negative_prompt === 'string' ? params.negative_prompt : '', applied);
      params = { ...params, positive_prompt: styled.prompt, negative_prompt: styled.negative_prompt };
      if (typeof params.prompt === 'string') params.prompt = styled.prompt;
      params.applied_styles = [...(Array.isArray(params.applied_styles) ? params.applied_styles : []), ...applied.map((s) => s.name)];
    }
    if (unknown.length) params.styles = unknown;
    else delete params.styles;
  }

  if (params.workflow !== undefined && params.workflow !== null && typeof params.workflow === 'object') {
    const injection = injectIntoWorkflow(params.workflow, params, extras);
    params.workflow = injection.workflow;
  }
  return { ...request, ...(appType ? { app_type: appType } : {}), generation_params: params };
}
