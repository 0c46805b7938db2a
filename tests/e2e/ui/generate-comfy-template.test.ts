/**
 * A ComfyUI workflow saved as a template from the Generate page and used as a normal form,
 * in Chromium against the ComfyUI emulator: the prompt, seed and size typed in the form
 * and a user-named input reach ComfyUI in the right nodes, every other node as saved.
 */
import type { Browser, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { newPage, PHONE, screenshot, skipReason, waitFor, type UiEnv } from '../helpers/ui-env.ts';
import { uiSession } from '../helpers/ui-session.ts';

const reason = skipReason();
if (reason) console.warn(`[ui-e2e] skipping the ComfyUI template UI tests: ${reason}`);

const WORKFLOW = {
  3: { class_type: 'KSampler', inputs: { seed: 5, steps: 3, cfg: 8, sampler_name: 'euler', scheduler: 'normal', denoise: 1, model: ['4', 0], positive: ['6', 0], negative: ['7', 0], latent_image: ['5', 0] } },
  4: { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'v1-5-pruned-emaonly.safetensors' } },
  5: { class_type: 'EmptyLatentImage', inputs: { width: 512, height: 512, batch_size: 1 } },
  6: { class_type: 'CLIPTextEncode', inputs: { text: 'a template cat', clip: ['4', 1] } },
  7: { class_type: 'CLIPTextEncode', inputs: { text: 'blurry, lowres', clip: ['4', 1] } },
  8: { class_type: 'VAEDecode', inputs: { samples: ['3', 0], vae: ['4', 2] } },
  9: { class_type: 'SaveImage', inputs: { filename_prefix: 'ComfyUI', images: ['8', 0] } },
};

function promptGraphs(env: UiEnv): Array<Record<string, { inputs: Record<string, unknown> }>> {
  return env.comfy!.requests.filter((r) => r.method === 'POST' && r.path.replace(/^\/api/, '') === '/prompt').map((r) => (r.body as any).prompt);
}

describe.skipIf(!!reason)('Generate: a ComfyUI template as a form', { timeout: 180_000 }, () => {
  let env: UiEnv;
  let browser: Browser;
  let page: Page;

  uiSession({ comfy: true }, (s) => ({ env, browser, page } = s));

  it('saves a pasted workflow as a template; the form sets its prompt, seed, size and a named input, and nothing else changes', async () => {
    await page.goto('/');
    await page.evaluate((wf) => localStorage.setItem('stablequeue.generate.form.v1', JSON.stringify({
      target: 'comfy-local', appType: 'comfyui', comfyMode: 'workflow', workflowText: wf, workflowName: 'basic.json',
    })), JSON.stringify(WORKFLOW));
    await page.goto('/');
    await page.getByRole('button', { name: 'Save as template' }).click();
    await page.getByLabel('Template name').fill('Basic SD');
    await page.getByRole('button', { name: 'Save', exact: true }).click();

    await page.getByRole('heading', { name: 'ComfyUI template' }).waitFor();
    const prompt = page.getByRole('textbox', { name: 'Prompt', exact: true });
    await expect.poll(() => prompt.inputValue()).toBe('a template cat');
    expect(await page.getByLabel('Width', { exact: true }).inputValue()).toBe('512');
    await prompt.fill('a lighthouse in fog');
    await page.locator('#g-seed').fill('777');
    await page.getByLabel('Width', { exact: true }).fill('64');
    await page.getByLabel('Height', { exact: true }).fill('96');

    await page.getByRole('button', { name: 'Name another input' }).click();
    await page.getByLabel('Node', { exact: true }).selectOption('9');
    await page.getByLabel('Input', { exact: true }).selectOption('filename_prefix');
    await page.getByLabel('Name in the form and the API').fill('prefix');
    await page.getByRole('button', { name: 'Add field' }).click();
    const prefix = page.getByLabel(/^prefix/);
    await prefix.waitFor();
    await prefix.fill('sq-e2e');
    await page.getByRole('heading', { name: 'ComfyUI template' }).scrollIntoViewIfNeeded();
    await screenshot(page, 'generate-comfy-template-desktop');

    const before = promptGraphs(env).length;
    await page.getByRole('button', { name: 'Add to Queue' }).click();
    const graph = await waitFor(async () => promptGraphs(env)[before], 'the prompt at ComfyUI');
    expect(graph['6']!.inputs.text).toBe('a lighthouse in fog');
    expect(graph['3']!.inputs.seed).toBe(777);
    expect(graph['5']!.inputs).toMatchObject({ width: 64, height: 96 });
    expect(graph['9']!.inputs.filename_prefix).toBe('sq-e2e');
    // Nodes the form did not touch are exactly as saved.
    for (const id of ['4', '7', '8']) expect(JSON.stringify(graph[id]), `node ${id}`).toBe(JSON.stringify(WORKFLOW[id as unknown as keyof typeof WORKFLOW]));
  });

  it('on a phone the template form fits the screen', async () => {
    const phone = await newPage(browser, env.server.url, PHONE);
    try {
      const p = phone.page;
      await p.goto('/');
      await p.evaluate(() => localStorage.setItem('stablequeue.generate.form.v1', JSON.stringify({ target: 'comfy-local', appType: 'comfyui', comfyMode: 'template', template: 'Basic SD' })));
      await p.goto('/');
      await p.getByText('The form sets:').waitFor();
      await p.getByText('The form sets:').scrollIntoViewIfNeeded();
      const overflow = await p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow).toBeLessThanOrEqual(0);
      await screenshot(p, 'generate-comfy-template-phone');
    } finally {
      await phone.context.close();
    }
  });
});
