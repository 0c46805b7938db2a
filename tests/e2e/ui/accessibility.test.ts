/**
 * axe-core inside the real UI: no serious or critical violation on any tab, in the light
 * and the dark theme, at desktop and phone size (with a server and a job so the pages are
 * not empty). A failure lists each violation with axe's own summary (colours and ratio for
 * contrast), so it says what to fix. Every tab has an h1, on phones too (visually hidden
 * there: the top bar shows the title).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { DESKTOP, newPage, PHONE, ROOT, skipReason, type UiEnv } from '../helpers/ui-env.ts';
import { uiSession } from '../helpers/ui-session.ts';

const reason = skipReason();
if (reason) console.warn(`[ui-e2e] skipping the accessibility tests: ${reason}`);

const AXE = fs.readFileSync(path.join(ROOT, 'node_modules/axe-core/axe.min.js'), 'utf8');
const TABS: Array<[path: string, heading: RegExp]> = [
  ['/', /^Generate/], ['/queue', /^Queue/], ['/gallery', /^Gallery/], ['/models', /^Models/],
  ['/civitai', /^Civitai/], ['/servers', /^Servers/], ['/settings', /^Settings/],
];

interface Violation { id: string; impact: string | null; help: string; nodes: { target: string[]; failureSummary?: string }[] }

describe('accessibility (axe-core)', { timeout: 300_000 }, () => {
  let env: UiEnv;
  let browser: Browser;

  uiSession({ size: null }, (s) => ({ env, browser } = s));

  beforeAll(async () => {
    await env.api('POST', '/api/v1/queue/pause');
    await env.api('POST', '/api/v1/generate', { target_server_alias: 'forge-local', generation_params: { positive_prompt: 'a quiet harbour at dawn' } });
  }, 90_000);

  for (const scheme of ['light', 'dark'] as const) {
    for (const [size, name] of [[DESKTOP, 'desktop'], [PHONE, 'phone']] as const) {
      it(`0 serious, 0 critical on every tab (${scheme}, ${name})`, async () => {
        const { context, page } = await newPage(browser, env.server.url, size, { colorScheme: scheme });
        const found: string[] = [];
        try {
          for (const [p, heading] of TABS) {
            await page.goto(p);
            await page.getByRole('heading', { level: 1, name: heading }).waitFor({ state: 'attached', timeout: 30_000 });
            await page.waitForTimeout(300);
            await page.evaluate(AXE);
            const violations = await page.evaluate(async () => {
              const axe = (window as unknown as { axe: { run(ctx: Document, opts: unknown): Promise<{ violations: Violation[] }> } }).axe;
              const result = await axe.run(document, { resultTypes: ['violations'] });
              return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => ({ target: n.target, failureSummary: n.failureSummary })) }));
            });
            for (const v of violations.filter((x) => x.impact === 'serious' || x.impact === 'critical')) {
              found.push(`${p} ${v.impact} ${v.id}: ${v.help} — ${v.nodes.map((n) => `${n.target.join(' ')} (${(n.failureSummary ?? '').split('\n').slice(1).join(' ').trim()})`).join(' | ')}`);
            }
          }
        } finally {
          await context.close();
        }
        expect(found).toEqual([]);
      });
    }
  }
});
