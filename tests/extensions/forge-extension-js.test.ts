// The Forge extension's page script (extensions/forge/javascript/stablequeue.js) in a
// small fake of Forge's page: it adds "Queue in StableQueue" below Generate in both tabs,
// and a click writes a one-shot token the Python side accepts into the hidden textbox,
// then clicks Generate; the token is cleared again afterwards. The job list's Top /
// Cancel / Retry buttons hand "<action>:<job id>" to the hidden action textbox and press
// the hidden button the Python side listens on.
import fs from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const source = fs.readFileSync(path.join(root, 'extensions/forge/javascript/stablequeue.js'), 'utf8');
// stablequeue_lib/request_flag.py TOKEN_PATTERN
const TOKEN = /^sq:\d{1,16}:[A-Za-z0-9]{4,32}$/;

class FakeElement {
  id = '';
  className = '';
  textContent = '';
  title = '';
  type = '';
  value = '';
  tag: string;
  parentNode: FakeElement | null = null;
  children: FakeElement[] = [];
  attributes: Record<string, string> = {};
  listeners: Record<string, ((e: any) => void)[]> = {};
  clicks = 0;
  disabled = false;
  constructor(tag: string, id = '') {
    this.tag = tag;
    this.id = id;
  }
  append(child: FakeElement) {
    child.parentNode = this;
    this.children.push(child);
    return child;
  }
  insertBefore(child: FakeElement, before: FakeElement | null) {
    child.parentNode = this;
    const i = before ? this.children.indexOf(before) : -1;
    if (i < 0) this.children.push(child);
    else this.children.splice(i, 0, child);
    return child;
  }
  get nextSibling(): FakeElement | null {
    const siblings = this.parentNode?.children ?? [];
    return siblings[siblings.indexOf(this) + 1] ?? null;
  }
  addEventListener(type: string, fn: (e: any) => void) {
    (this.listeners[type] ??= []).push(fn);
  }
  dispatchEvent(event: { type: string }) {
    for (const fn of this.listeners[event.type] ?? []) fn(event);
    return true;
  }
  click() {
    this.clicks += 1;
    this.dispatchEvent({ type: 'click', preventDefault() {} } as any);
  }
  getAttribute(name: string) {
    return this.attributes[name] ?? null;
  }
  setAttribute(name: string, value: string) {
    this.attributes[name] = value;
  }
  contains(other: FakeElement | null): boolean {
    for (let e = other; e; e = e.parentNode) if (e === this) return true;
    return false;
  }
  closest(selector: string): FakeElement | null {
    const attribute = /^\[([\w-]+)\]$/.exec(selector)?.[1];
    for (let e: FakeElement | null = this; e; e = e.parentNode) if (attribute && attribute in e.attributes) return e;
    return null;
  }
  *walk(): Generator<FakeElement> {
    for (const child of this.children) {
      yield child;
      yield* child.walk();
    }
  }
  querySelector(selector: string): FakeElement | null {
    for (const part of selector.split(',').map((s) => s.trim())) {
      const [first, second] = part.split(/\s+/);
      const id = first.replace(/^#/, '');
      const found = [...this.walk()].find((e) => e.id === id);
      if (!found) continue;
      if (!second) return found;
      const inner = [...found.walk()].find((e) =>
        second === '[data-active]' ? 'data-active' in e.attributes : e.tag === second);
      if (inner) return inner;
    }
    return null;
  }
}

function forgePage() {
  const body = new FakeElement('body');
  const tabs: Record<string, Record<'generate' | 'flag' | 'column' | 'box' | 'status' | 'action' | 'run', FakeElement>> = {};
  for (const tab of ['txt2img', 'img2img']) {
    const column = body.append(new FakeElement('div', `${tab}_actions_column`));
    const box = column.append(new FakeElement('div', `${tab}_generate_box`));
    box.append(new FakeElement('button', `${tab}_interrupt`));
    const generate = box.append(new FakeElement('button', `${tab}_generate`));
    generate.className = 'lg primary gradio-button';
    column.append(new FakeElement('div', `${tab}_tools`));
    const holder = body.append(new FakeElement('div', `stablequeue_${tab}_request`));
    const flag = holder.append(new FakeElement('textarea'));
    const status = body.append(new FakeElement('div', `stablequeue_${tab}_status`));
    const action = body.append(new FakeElement('div', `stablequeue_${tab}_job_action`)).append(new FakeElement('textarea'));
    const run = body.append(new FakeElement('button', `stablequeue_${tab}_job_action_run`));
    tabs[tab] = { generate, flag, column, box, status, action, run };
  }
  return { body, tabs };
}

function load() {
  const page = forgePage();
  const uiLoaded: (() => void)[] = [];
  const updates: string[] = [];
  const timers: { fn: () => void; ms: number }[] = [];
  const context = {
    document: {
      createElement: (tag: string) => new FakeElement(tag),
      addEventListener() {},
    },
    gradioApp: () => page.body,
    onUiLoaded: (fn: () => void) => uiLoaded.push(fn),
    updateInput: (el: FakeElement) => updates.push(el.value),
    setTimeout: (fn: () => void, ms: number) => timers.push({ fn, ms }),
    setInterval: vi.fn(() => 1),
    clearInterval: vi.fn(),
    alert: vi.fn(),
    Event: class { type: string; constructor(type: string) { this.type = type; } },
    Date,
    Math,
    parseInt,
  };
  vm.runInNewContext(source, context, { filename: 'stablequeue.js' });
  return { page, uiLoaded, updates, timers, context };
}

describe('Forge extension page script', () => {
  it('adds the button below Generate in txt2img and img2img once the UI is loaded', () => {
    const { page, uiLoaded } = load();
    expect(uiLoaded).toHaveLength(1);
    uiLoaded[0]();
    uiLoaded[0](); // idempotent
    for (const tab of ['txt2img', 'img2img']) {
      const { column, box } = page.tabs[tab];
      const button = page.body.querySelector(`#stablequeue_${tab}_queue`)!;
      expect(button).not.toBeNull();
      expect(button.textContent).toBe('Queue in StableQueue');
      expect(button.parentNode).toBe(column);
      expect(box.nextSibling).toBe(button); // right below the Generate box
      expect(button.className).toContain('secondary');
      expect(column.children.filter((c) => c.id === `stablequeue_${tab}_queue`)).toHaveLength(1);
    }
  });

  it('a click sets a one-shot token, clicks Generate, then clears the token', () => {
    const { page, uiLoaded, updates, timers, context } = load();
    uiLoaded[0]();
    const { generate, flag } = page.tabs.img2img;
    const seen: string[] = [];
    generate.addEventListener('click', () => seen.push(flag.value));
    page.body.querySelector('#stablequeue_img2img_queue')!.click();

    expect(generate.clicks).toBe(1);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatch(TOKEN); // Generate saw the token
    expect(updates).toEqual([seen[0]]); // gradio was told the textbox changed
    expect(page.tabs.txt2img.generate.clicks).toBe(0);
    expect(context.setInterval).toHaveBeenCalled(); // the job list refreshes

    const reset = timers.find((t) => t.ms === 1500)!;
    reset.fn();
    expect(flag.value).toBe('');
    expect(updates.at(-1)).toBe('');
  });

  it('two clicks carry two different tokens', () => {
    const { page, uiLoaded } = load();
    uiLoaded[0]();
    const { generate, flag } = page.tabs.txt2img;
    const seen: string[] = [];
    generate.addEventListener('click', () => seen.push(flag.value));
    const button = page.body.querySelector('#stablequeue_txt2img_queue')!;
    button.click();
    button.click();
    expect(new Set(seen).size).toBe(2);
  });

  it('a job button in the list sends its action and job id through the hidden textbox and button', () => {
    const { page, uiLoaded, updates } = load();
    uiLoaded[0]();
    uiLoaded[0](); // one click listener, however often the UI loads
    const { status, action, run } = page.tabs.img2img;
    const row = status.append(new FakeElement('td'));
    const top = row.append(new FakeElement('button'));
    top.setAttribute('data-sq-action', 'top');
    top.setAttribute('data-sq-job', '3f0c9a1e-1111-2222-3333-444455556666');
    const label = top.append(new FakeElement('span')); // a click may land on the button's text
    const seen: string[] = [];
    run.addEventListener('click', () => seen.push(action.value));

    page.body.dispatchEvent({ type: 'click', target: label, preventDefault() {} } as any);
    expect(seen).toEqual(['top:3f0c9a1e-1111-2222-3333-444455556666']);
    expect(updates.at(-1)).toBe('top:3f0c9a1e-1111-2222-3333-444455556666');
    expect(top.disabled).toBe(true);
    expect(page.tabs.txt2img.run.clicks).toBe(0);

    page.body.dispatchEvent({ type: 'click', target: top, preventDefault() {} } as any); // a second click is ignored
    expect(run.clicks).toBe(1);
  });

  it('clicks elsewhere, or on buttons outside the job list, do nothing', () => {
    const { page, uiLoaded } = load();
    uiLoaded[0]();
    const stray = page.body.append(new FakeElement('button'));
    stray.setAttribute('data-sq-action', 'cancel');
    stray.setAttribute('data-sq-job', 'abc');
    page.body.dispatchEvent({ type: 'click', target: stray, preventDefault() {} } as any);
    page.body.dispatchEvent({ type: 'click', target: page.tabs.txt2img.status, preventDefault() {} } as any);
    expect(page.tabs.txt2img.run.clicks + page.tabs.img2img.run.clicks).toBe(0);
    expect(stray.disabled).toBe(false);
  });
});
