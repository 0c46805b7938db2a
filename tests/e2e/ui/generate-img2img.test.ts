/**
 * img2img and inpainting from the Generate page, in Chromium against the Forge emulator:
 * the init image reaches Forge byte for byte; a mask painted with pointer events (mouse on
 * desktop, touch on a phone) reaches it at the image's full size, white exactly where the
 * painter shows paint, although the painter works on a downscaled copy.
 */
import type { Browser, Page } from 'playwright-core';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { makePng } from '../../emulators/png.ts';
import { newPage, PHONE, screenshot, skipReason, waitFor, type UiEnv } from '../helpers/ui-env.ts';
import { uiSession } from '../helpers/ui-session.ts';

const reason = skipReason();
if (reason) console.warn(`[ui-e2e] skipping the img2img UI tests: ${reason}`);

// Larger than the painter's 1024 px, so the mask is painted downscaled and scaled back.
const W = 1280;
const H = 800;
const FORM = { target: 'forge-local', appType: 'forge', positive: 'a lighthouse', width: 64, height: 64, steps: 3 };

type Body = Record<string, unknown>;

async function img2imgBodies(env: UiEnv): Promise<Body[]> {
  return env.forge.requests.filter((r) => r.method === 'POST' && r.path === '/sdapi/v1/img2img').map((r) => r.body as Body);
}

function base64Of(dataUrl: unknown): Buffer {
  return Buffer.from(String(dataUrl).replace(/^data:[^,]*,/, ''), 'base64');
}

async function openGenerate(page: Page): Promise<void> {
  await page.goto('/');
  await page.evaluate((form) => localStorage.setItem('stablequeue.generate.form.v1', JSON.stringify(form)), FORM);
  await page.goto('/');
  await page.getByRole('heading', { name: 'Init image' }).waitFor();
}

/** The painter canvas's alpha at points given in full-image pixels. */
async function paintedAlpha(page: Page, points: Array<[number, number]>): Promise<number[]> {
  return page.getByTestId('mask-canvas').evaluate((el, { pts, w }) => {
    const canvas = el as HTMLCanvasElement;
    const scale = canvas.width / w;
    const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
    return pts.map(([x, y]) => data[(Math.floor(y * scale) * canvas.width + Math.floor(x * scale)) * 4 + 3]!);
  }, { pts: points, w: W });
}

describe.skipIf(!!reason)('Generate: img2img and inpainting', { timeout: 180_000 }, () => {
  let env: UiEnv;
  let browser: Browser;
  let page: Page;
  let source: Buffer;

  uiSession({ forgeStepMs: 2 }, (s) => ({ env, browser, page } = s));

  beforeAll(async () => {
    source = await makePng({ width: W, height: H, seed: 7 });
  }, 90_000);

  it('an init image from a file reaches Forge unchanged, with denoising strength and resize mode', async () => {
    await openGenerate(page);
    await page.getByTestId('init-image-file').setInputFiles({ name: 'photo.png', mimeType: 'image/png', buffer: source });
    await page.getByText(`photo.png · ${W} × ${H}`).waitFor();
    await page.getByLabel('Denoising strength', { exact: true }).fill('0.4');
    await page.getByLabel('Resize mode').selectOption({ label: 'Crop and resize' });
    await screenshot(page, 'generate-img2img-desktop');
    await page.getByRole('button', { name: 'Add to Queue' }).click();

    const body = await waitFor(async () => (await img2imgBodies(env))[0], 'the img2img request at Forge');
    expect((body.init_images as unknown[]).length).toBe(1);
    expect(base64Of((body.init_images as unknown[])[0]).equals(source)).toBe(true);
    expect(body).toMatchObject({ denoising_strength: 0.4, resize_mode: 1, prompt: 'a lighthouse' });
    expect(body.mask ?? null).toBeNull();
  });

  it('a mask painted with the mouse reaches Forge at full size, white exactly where it was painted', async () => {
    await page.getByRole('radio', { name: 'Inpaint' }).click();
    const canvas = page.getByTestId('mask-canvas');
    await canvas.waitFor();
    await page.getByLabel('Brush size', { exact: true }).fill('100');
    await page.getByLabel('Masked content').selectOption({ label: 'Latent noise' });
    await page.getByRole('radio', { name: 'Only masked' }).click();
    await page.getByLabel('Mask blur', { exact: true }).fill('0');
    await canvas.evaluate((el) => el.scrollIntoView({ block: 'center' }));
    const box = (await canvas.boundingBox())!;
    // A horizontal stroke across the middle, from 25 % to 75 % of the width.
    await page.mouse.move(box.x + box.width * 0.25, box.y + box.height * 0.5);
    await page.mouse.down();
    for (let i = 1; i <= 10; i++) await page.mouse.move(box.x + box.width * (0.25 + 0.05 * i), box.y + box.height * 0.5);
    await page.mouse.up();
    await screenshot(page, 'generate-inpaint-desktop');

    const samples: Array<[number, number]> = [];
    for (let x = 20; x < W; x += 40) for (let y = 20; y < H; y += 40) samples.push([x, y]);
    const alpha = await paintedAlpha(page, samples);
    expect(alpha.filter((a) => a > 0).length).toBeGreaterThan(10);

    const before = (await img2imgBodies(env)).length;
    await page.getByRole('button', { name: 'Add to Queue' }).click();
    const body = await waitFor(async () => (await img2imgBodies(env))[before], 'the inpaint request at Forge');
    expect(base64Of((body.init_images as unknown[])[0]).equals(source)).toBe(true);
    expect(body).toMatchObject({ inpainting_fill: 2, inpaint_full_res: true, mask_blur: 0, inpainting_mask_invert: 0 });

    const { data, info } = await sharp(base64Of(body.mask)).greyscale().raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height]).toEqual([W, H]);
    const at = (x: number, y: number) => data[y * info.width + x]!;
    // The stroke: 100 px wide around y = 400, from x = 320 to 960 (plus the round ends).
    expect(at(640, 400)).toBe(255);
    expect(at(330, 430)).toBe(255);
    expect(at(640, 100)).toBe(0);
    expect(at(100, 400)).toBe(0);
    // Everywhere the painter shows paint (or none), the mask says the same (edges aside).
    let mismatches = 0;
    samples.forEach(([x, y], i) => {
      const painted = alpha[i]! > 128;
      const value = at(x, y);
      if (value > 32 && value < 224) return; // antialiased edge
      if (painted !== value >= 224) mismatches++;
    });
    expect(mismatches).toBe(0);
  });

  it('"Send to img2img" on a gallery image makes it the init image, byte for byte', async () => {
    const res = await env.api<{ mobilesd_job_id: string }>('POST', '/api/v1/generate', {
      target_server_alias: 'forge-local', generation_params: { positive_prompt: 'a paper boat', steps: 3, width: 96, height: 64 },
    });
    const job = await waitFor(async () => {
      const st = await env.api<{ status: string; images: Array<{ id: number; download_url: string }> }>('GET', `/api/v1/queue/jobs/${res.mobilesd_job_id}/status`);
      return st.status === 'completed' ? st : null;
    }, 'the job done');
    const original = Buffer.from(await (await fetch(`${env.server.url}${job.images[0]!.download_url}`)).arrayBuffer());
    await page.goto('/gallery');
    await page.getByRole('button', { name: /Open image: a paper boat/ }).first().click();
    await page.getByRole('dialog', { name: /Image \d of/ }).getByRole('button', { name: 'Send to img2img' }).click();
    await page.waitForURL((u) => u.pathname === '/');
    await page.getByText(/· 96 × 64$/).waitFor();
    const sent = await page.getByRole('img', { name: /^Init image/ }).getAttribute('src');
    expect(base64Of(sent).equals(original)).toBe(true);
  });

  it('on a phone, a finger paints the mask (touch through Pointer Events) and the form fits', async () => {
    const phone = await newPage(browser, env.server.url, PHONE);
    try {
      const p = phone.page;
      await openGenerate(p);
      await p.getByTestId('init-image-file').setInputFiles({ name: 'photo.png', mimeType: 'image/png', buffer: source });
      await p.getByRole('radio', { name: 'Inpaint' }).click();
      const canvas = p.getByTestId('mask-canvas');
      await canvas.evaluate((el) => el.scrollIntoView({ block: 'center' }));
      const box = (await canvas.boundingBox())!;
      const cdp = await phone.context.newCDPSession(p);
      const y = box.y + box.height * 0.3;
      const touch = (type: 'touchStart' | 'touchMove' | 'touchEnd', x: number) => cdp.send('Input.dispatchTouchEvent', { type, touchPoints: type === 'touchEnd' ? [] : [{ x, y }] });
      await touch('touchStart', box.x + box.width * 0.2);
      for (let i = 1; i <= 8; i++) await touch('touchMove', box.x + box.width * (0.2 + 0.075 * i));
      await touch('touchEnd', 0);
      const [onLine, offLine] = await paintedAlpha(p, [[W * 0.5, H * 0.3], [W * 0.5, H * 0.9]]);
      expect(onLine).toBeGreaterThan(200);
      expect(offLine).toBe(0);
      const overflow = await p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow).toBeLessThanOrEqual(0);
      await screenshot(p, 'generate-inpaint-phone');
    } finally {
      await phone.context.close();
    }
  });
});
