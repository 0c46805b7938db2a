/**
 * A tab stays responsive while a script fills the queue: 5,000 jobs are submitted while
 * the Queue page is open. Each job is a job.created event on the live stream; the page
 * must keep answering input: its main thread never blocks for a second (the browser's own
 * long-task record), and a click on a row's checkbox shows within 1 s in the median where the
 * machine itself is not overloaded. The slowest click is printed, not judged: on two cores
 * shared with the engine taking 5,000 submissions and another test file, one click can wait
 * for the CPU whatever the tab does. Afterwards the list still says how much of the queue it shows.
 */
import type { Browser, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { screenshot, skipReason, type UiEnv } from '../helpers/ui-env.ts';
import { uiSession } from '../helpers/ui-session.ts';

const reason = skipReason();
if (reason) console.warn(`[ui-e2e] skipping the event-flood UI test: ${reason}`);

const JOBS = 5000;

describe.skipIf(!!reason)('UI under an event flood', { timeout: 400_000 }, () => {
  let env: UiEnv;
  let browser: Browser;
  let page: Page;

  uiSession({}, (s) => ({ env, browser, page } = s));

  beforeAll(async () => {
    await env.api('POST', '/api/v1/queue/pause');
  }, 90_000);

  async function submitAll(): Promise<void> {
    let next = 1;
    await Promise.all(Array.from({ length: 16 }, async () => {
      while (next <= JOBS) {
        const n = next++;
        await env.api('POST', '/api/v1/generate', { target_server_alias: 'forge-local', generation_params: { positive_prompt: `flood ${n}`, steps: 3, width: 64, height: 64 } });
      }
    }));
  }

  it(`${JOBS} jobs submitted while the Queue is open: the tab never blocks for 1 s and answers clicks`, async () => {
    await page.addInitScript(() => {
      const w = window as unknown as { __longTasks: number[] };
      w.__longTasks = [];
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) w.__longTasks.push(e.duration);
      }).observe({ type: 'longtask', buffered: true });
    });
    await page.goto('/queue');
    await page.getByRole('heading', { level: 1, name: /^Queue/ }).waitFor();
    await page.waitForTimeout(500);
    await page.evaluate(() => ((window as unknown as { __longTasks: number[] }).__longTasks = []));

    // A click on the first row's checkbox, on and off: a purely local answer (no request),
    // so what is measured is the tab, not the busy server.
    await env.api('POST', '/api/v1/generate', { target_server_alias: 'forge-local', generation_params: { positive_prompt: 'flood 0', steps: 3, width: 64, height: 64 } });
    const box = page.locator('li[data-job-id]').first().getByRole('checkbox');
    await box.waitFor({ timeout: 30_000 });
    async function clickTwice(into: number[]): Promise<void> {
      for (const checked of [true, false]) {
        const started = Date.now();
        await box.click({ timeout: 30_000 });
        await expect.poll(() => box.isChecked(), { timeout: 30_000 }).toBe(checked);
        into.push(Date.now() - started);
      }
    }
    // The same clicks with nothing happening: on a machine that is itself overloaded the
    // browser answers slowly anyway, and the flood is judged against that floor.
    const idle: number[] = [];
    for (let i = 0; i < 3; i++) await clickTwice(idle);
    await page.evaluate(() => ((window as unknown as { __longTasks: number[] }).__longTasks = []));

    let done = false;
    const submitted = submitAll().finally(() => (done = true));
    const answers: number[] = [];
    while (!done) {
      await clickTwice(answers);
      await page.waitForTimeout(250);
    }
    await submitted;
    const longTasks = await page.evaluate(() => (window as unknown as { __longTasks: number[] }).__longTasks);
    const worst = Math.max(0, ...longTasks);
    const blocked = longTasks.reduce((a, b) => a + b, 0);
    const floor = Math.max(...idle);
    const median = [...answers].sort((x, y) => x - y)[answers.length >> 1];
    console.log(`[event-flood] clicks while idle: slowest ${floor} ms; during the flood ${answers.length} clicks, slowest ${Math.max(...answers)} ms, median ${median} ms; long tasks: ${longTasks.length}, longest ${worst.toFixed(0)} ms, ${blocked.toFixed(0)} ms blocked in all`);
    expect(answers.length).toBeGreaterThan(2);
    // The targets hold the tab to account only where an idle click is quick (under 150 ms):
    // on a machine so loaded that the browser is slow doing nothing, the numbers above are
    // printed and every click still had to be answered (30 s each at most).
    if (floor < 150) {
      expect(worst).toBeLessThan(1000);
      expect(median).toBeLessThan(1000);
    } else console.warn(`[event-flood] idle clicks take ${floor} ms here: the click target is not judged on this machine`);

    // Afterwards the list is a window on the queue that knows its size.
    await page.getByText(new RegExp(`Showing \\d+ of ${JOBS + 1}$`)).waitFor({ timeout: 30_000 });
    expect(await page.locator('li[data-job-id]').count()).toBeLessThanOrEqual(200);
    await screenshot(page, 'queue-after-flood-desktop');
  });
});
