// The ComfyUI extension's browser code (extensions/comfyui/web/js) with a fake ComfyUI
// `app` and `api`: the command and menu entry are registered, running the command
// serialises the graph with app.graphToPrompt and posts it to the extension's own route,
// and StableQueue's answers become toasts. The canvas's right-click menu offers "Queue in
// StableQueue" with a priority for this one job, and "My StableQueue jobs" lists the
// extension's jobs with their place in the queue and Top / Cancel / Retry buttons.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import {
  CANVAS_MENU_ENTRY,
  COMMANDS,
  EXTENSION_NAME,
  MENU_PATH,
  createStableQueue,
  registerStableQueue,
} from '../../extensions/comfyui/web/js/stablequeue_core.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

const OUTPUT = {
  '3': { class_type: 'KSampler', inputs: { seed: 42, steps: 20, model: ['4', 0] } },
  '4': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'sd_xl_base_1.0.safetensors' } },
  '9': { class_type: 'SaveImage', inputs: { images: ['8', 0], filename_prefix: 'ComfyUI' } },
};
const WORKFLOW = { last_node_id: 9, nodes: [{ id: 3, type: 'KSampler' }], links: [], version: 0.4 };

type Reply = { status: number; body: unknown } | Error;

function fakeApi(replies: Record<string, Reply | Reply[]>) {
  const calls: { path: string; method: string; headers: Record<string, string>; body: any }[] = [];
  const fetchApi = vi.fn(async (route: string, init: any = {}) => {
    calls.push({ path: route, method: init.method, headers: init.headers, body: init.body ? JSON.parse(init.body) : undefined });
    const key = `${init.method} ${route}`;
    const entry = replies[key];
    const reply = Array.isArray(entry) ? entry.shift() : entry;
    if (!reply) return { ok: false, status: 404, json: async () => ({ error: 'not_found', message: `no fake for ${key}` }) };
    if (reply instanceof Error) throw reply;
    return { ok: reply.status < 400, status: reply.status, json: async () => reply.body };
  });
  return { api: { fetchApi }, calls };
}

function fakeApp(output: unknown = OUTPUT) {
  const widget = { beforeQueued: vi.fn(), afterQueued: vi.fn() };
  const extensions: any[] = [];
  const toasts: any[] = [];
  const app = {
    extensions,
    toasts,
    widget,
    registerExtension: vi.fn((ext: any) => extensions.push(ext)),
    graphToPrompt: vi.fn(async () => ({ output, workflow: WORKFLOW })),
    extensionManager: { toast: { add: vi.fn((t: any) => toasts.push(t)) } },
    graph: { nodes: [{ widgets: [widget] }] },
  };
  return app;
}

function manualTimers() {
  const pending: { fn: () => void; ms: number; id: number }[] = [];
  let next = 1;
  return {
    pending,
    setTimeout: (fn: () => void, ms: number) => {
      const id = next++;
      pending.push({ fn, ms, id });
      return id;
    },
    clearTimeout: (id: unknown) => {
      const i = pending.findIndex((p) => p.id === id);
      if (i >= 0) pending.splice(i, 1);
    },
    async runAll() {
      while (pending.length) {
        const { fn } = pending.shift()!;
        await fn();
      }
    },
  };
}

const quiet = { info: vi.fn(), warn: vi.fn(), error: vi.fn() };

/** Just enough of the DOM for the extension's panels: elements, children, clicks, attributes. */
class FakeNode {
  tag: string;
  style = { cssText: '' };
  textContent = '';
  value = '';
  type = '';
  placeholder = '';
  checked = false;
  disabled = false;
  parent: FakeNode | null = null;
  children: FakeNode[] = [];
  attributes: Record<string, string> = {};
  listeners: Record<string, ((e: any) => unknown)[]> = {};
  constructor(tag: string) {
    this.tag = tag;
  }
  appendChild(child: FakeNode) {
    child.parent = this;
    this.children.push(child);
    return child;
  }
  remove() {
    if (this.parent) this.parent.children = this.parent.children.filter((c) => c !== this);
    this.parent = null;
  }
  setAttribute(name: string, value: string) {
    this.attributes[name] = value;
  }
  addEventListener(type: string, fn: (e: any) => unknown) {
    (this.listeners[type] ??= []).push(fn);
  }
  async click() {
    for (const fn of this.listeners.click ?? []) await fn({ target: this });
  }
  *all(): Generator<FakeNode> {
    for (const c of this.children) {
      yield c;
      yield* c.all();
    }
  }
  find(test: (n: FakeNode) => boolean): FakeNode | undefined {
    return [...this.all()].find(test);
  }
}

function fakeDocument() {
  const body = new FakeNode('body');
  return { body, createElement: (tag: string) => new FakeNode(tag) };
}

describe('ComfyUI extension (browser side)', () => {
  it('registers the command, the menu entry and the legacy fallback', async () => {
    const app = fakeApp();
    const { api } = fakeApi({ 'GET /stablequeue/settings': { status: 200, body: { poll_seconds: 3 } } });
    registerStableQueue(app, api, { document: null, console: quiet });
    expect(app.registerExtension).toHaveBeenCalledTimes(1);
    const ext = app.extensions[0];
    expect(ext.name).toBe(EXTENSION_NAME);
    const ids = ext.commands.map((c: any) => c.id);
    expect(ids).toContain(COMMANDS.queue);
    expect(ext.commands.find((c: any) => c.id === COMMANDS.queue).label).toBe('Queue in StableQueue');
    expect(ext.menuCommands).toEqual([{ path: MENU_PATH, commands: [COMMANDS.queue, COMMANDS.queueWithPriority, COMMANDS.jobs, COMMANDS.settings] }]);
    expect(MENU_PATH).toEqual(['Extensions', 'StableQueue']);
    for (const command of ext.commands) expect(typeof command.function).toBe('function');
    await ext.setup(); // no legacy menu on this app: nothing to add, no error
  });

  it('clicking the command serialises the graph and posts it to its own route', async () => {
    const app = fakeApp();
    const timers = manualTimers();
    const { api, calls } = fakeApi({
      'POST /stablequeue/queue': { status: 200, body: { success: true, mobilesd_job_id: '0123456789abcdef', queue_position: 3 } },
      'GET /stablequeue/status/0123456789abcdef': [
        { status: 200, body: { status: 'processing', progress: 40 } },
        { status: 200, body: { status: 'completed', progress: 100, images: [{ id: 1 }, { id: 2 }] } },
      ],
    });
    registerStableQueue(app, api, { document: null, console: quiet, ...timers });
    const command = app.extensions[0].commands.find((c: any) => c.id === COMMANDS.queue);
    await command.function();

    expect(app.graphToPrompt).toHaveBeenCalledTimes(1);
    expect(app.widget.beforeQueued).toHaveBeenCalledTimes(1);
    expect(app.widget.afterQueued).toHaveBeenCalledTimes(1); // seeds move on, as with ComfyUI's own Queue
    expect(calls).toHaveLength(1);
    expect(calls[0].path).toBe('/stablequeue/queue');
    expect(calls[0].method).toBe('POST');
    expect(calls[0].headers['Content-Type']).toBe('application/json');
    expect(calls[0].body).toEqual({ workflow: OUTPUT, workflow_ui: WORKFLOW });
    expect(app.toasts.at(-1)).toMatchObject({ severity: 'success', summary: 'Queued in StableQueue' });
    expect(app.toasts.at(-1).detail).toContain('position 3');

    // then it follows the job until it is done
    await timers.runAll();
    expect(calls.map((c) => c.path)).toEqual([
      '/stablequeue/queue', '/stablequeue/status/0123456789abcdef', '/stablequeue/status/0123456789abcdef',
    ]);
    expect(app.toasts.at(-1)).toMatchObject({ severity: 'success', detail: "2 images in StableQueue's gallery" });
  });

  it('passes the chosen server and priority through', async () => {
    const app = fakeApp();
    const { api, calls } = fakeApi({ 'POST /stablequeue/queue': { status: 200, body: { mobilesd_job_id: 'j' } } });
    const sq = createStableQueue({ app, api, document: null, console: quiet });
    await sq.queueCurrentWorkflow({ target_server_alias: 'comfy-2', priority: 9, track: false });
    expect(calls[0].body).toMatchObject({ target_server_alias: 'comfy-2', priority: 9 });
  });

  it('an error response shows an error toast with StableQueue\'s message', async () => {
    const app = fakeApp();
    const { api } = fakeApi({
      'POST /stablequeue/queue': {
        status: 401,
        body: { error: 'unauthorized', message: 'StableQueue refused the API key (401: Invalid API credentials).' },
      },
    });
    const sq = createStableQueue({ app, api, document: null, console: quiet });
    const result = await sq.queueCurrentWorkflow();
    expect(result).toBeNull();
    expect(app.toasts).toHaveLength(1);
    expect(app.toasts[0]).toMatchObject({ severity: 'error', summary: 'StableQueue did not take the workflow' });
    expect(app.toasts[0].detail).toContain('refused the API key');
    expect(app.widget.afterQueued).not.toHaveBeenCalled();
    expect(sq.tracked.size).toBe(0);
  });

  it('ComfyUI not answering is an error toast too', async () => {
    const app = fakeApp();
    const { api } = fakeApi({ 'POST /stablequeue/queue': new TypeError('Failed to fetch') });
    const sq = createStableQueue({ app, api, document: null, console: quiet });
    await sq.queueCurrentWorkflow();
    expect(app.toasts[0].severity).toBe('error');
    expect(app.toasts[0].detail).toContain('Failed to fetch');
  });

  it('an empty graph is not sent', async () => {
    const app = fakeApp({});
    const { api, calls } = fakeApi({});
    const sq = createStableQueue({ app, api, document: null, console: quiet });
    await sq.queueCurrentWorkflow();
    expect(calls).toHaveLength(0);
    expect(app.toasts[0]).toMatchObject({ severity: 'error' });
  });

  it('a failed job ends with an error toast giving the reason', async () => {
    const app = fakeApp();
    const timers = manualTimers();
    const { api } = fakeApi({
      'GET /stablequeue/status/j1': { status: 200, body: { status: 'failed', error_message: 'CUDA out of memory' } },
    });
    const sq = createStableQueue({ app, api, document: null, console: quiet, ...timers });
    sq.track('j1');
    await timers.runAll();
    expect(app.toasts.at(-1)).toMatchObject({ severity: 'error', detail: 'CUDA out of memory' });
    expect(sq.tracked.size).toBe(0);
  });

  it('adds a button to the legacy menu that queues', async () => {
    const app: any = fakeApp();
    const listeners: Record<string, (e: any) => void> = {};
    const button: any = { addEventListener: (type: string, fn: any) => { listeners[type] = fn; } };
    const children: any[] = [];
    app.ui = { menuContainer: { appendChild: (c: any) => children.push(c), querySelector: () => null } };
    const doc = { createElement: vi.fn(() => button), body: null };
    const { api, calls } = fakeApi({ 'POST /stablequeue/queue': { status: 200, body: { mobilesd_job_id: 'j' } } });
    const sq = createStableQueue({ app, api, document: doc, console: quiet });
    sq.addLegacyButton();
    expect(children).toEqual([button]);
    expect(button.textContent).toBe('Queue in StableQueue');
    listeners.click({});
    await vi.waitFor(() => expect(calls).toHaveLength(1));
    sq.stopAll();
  });

  it('without the toast API it still tells the user', async () => {
    const app: any = fakeApp();
    delete app.extensionManager;
    const log = { info: vi.fn(), warn: vi.fn(), error: vi.fn() };
    const { api } = fakeApi({ 'POST /stablequeue/queue': { status: 503, body: { message: 'down' } } });
    const sq = createStableQueue({ app, api, document: null, console: log });
    await sq.queueCurrentWorkflow();
    expect(log.error).toHaveBeenCalledWith('[StableQueue] StableQueue did not take the workflow: down');
  });

  it('the entry module registers with ComfyUI\'s own app and api', () => {
    const entry = fs.readFileSync(path.join(root, 'extensions/comfyui/web/js/stablequeue.js'), 'utf8');
    expect(entry).toContain('from "../../scripts/app.js"');
    expect(entry).toContain('from "../../scripts/api.js"');
    expect(entry).toContain('registerStableQueue(app, api)');
  });

  it('the canvas right-click menu has "Queue in StableQueue" with a priority for this one job', async () => {
    const app = fakeApp();
    const { api, calls } = fakeApi({
      'GET /stablequeue/settings': { status: 200, body: { poll_seconds: 2, default_priority: 6 } },
      'POST /stablequeue/queue': [
        { status: 200, body: { mobilesd_job_id: 'j-high', queue_position: 1 } },
        { status: 200, body: { mobilesd_job_id: 'j-default', queue_position: 2 } },
      ],
    });
    const sq = registerStableQueue(app, api, { document: null, console: quiet });
    const ext = app.extensions[0];
    await ext.setup(); // reads the default priority from the settings
    const items = ext.getCanvasMenuItems({});
    expect(items[0]).toBeNull(); // a separator before our entry
    const entry = items[1];
    expect(entry).toMatchObject({ content: CANVAS_MENU_ENTRY, has_submenu: true });
    expect(CANVAS_MENU_ENTRY).toBe('Queue in StableQueue');
    expect(entry.callback).toBeUndefined(); // the entry only opens its submenu
    const options = entry.submenu.options;
    expect(options.map((o: any) => o?.content ?? null)).toEqual([
      'Default priority (6)', 'Low priority (2)', 'High priority (8)', 'Urgent priority (10)', 'Choose priority…', null,
      'My StableQueue jobs…',
    ]);

    options.find((o: any) => o?.content === 'High priority (8)').callback();
    await vi.waitFor(() => expect(calls.filter((c) => c.path === '/stablequeue/queue')).toHaveLength(1));
    expect(calls.at(-1)!.body).toEqual({ workflow: OUTPUT, workflow_ui: WORKFLOW, priority: 8 });
    await vi.waitFor(() => expect(app.toasts.at(-1)?.detail).toContain('position 1'));

    options[0].callback(); // the default: no priority sent, the extension's stored default applies
    await vi.waitFor(() => expect(calls.filter((c) => c.path === '/stablequeue/queue')).toHaveLength(2));
    expect(calls.at(-1)!.body).not.toHaveProperty('priority');
    sq.stopAll();
  });

  it('"Choose priority…" asks for the priority, then queues with it (or nothing on Cancel)', async () => {
    const app = fakeApp();
    const doc = fakeDocument();
    const { api, calls } = fakeApi({ 'POST /stablequeue/queue': { status: 200, body: { mobilesd_job_id: 'j3', queue_position: 4 } } });
    const sq = createStableQueue({ app, api, document: doc, console: quiet });
    const choose = sq.canvasMenuItems()[1]!.submenu!.options.find((o) => o?.content === 'Choose priority…')!;

    choose.callback!();
    const select = doc.body.find((n) => n.tag === 'select')!;
    expect(select.children.map((o) => o.value)).toEqual(['10', '9', '8', '7', '6', '5', '4', '3', '2', '1']);
    expect(select.value).toBe('5'); // the default until the settings say otherwise
    select.value = '9';
    await doc.body.find((n) => n.tag === 'button' && n.textContent === 'Queue')!.click();
    expect(calls).toHaveLength(1);
    expect(calls[0].body.priority).toBe(9);
    expect(doc.body.children.filter((n) => n.tag === 'div' && n.find((c) => c.tag === 'select'))).toHaveLength(0); // dialog closed

    const pending = sq.choosePriority();
    await doc.body.find((n) => n.tag === 'button' && n.textContent === 'Cancel')!.click();
    expect(await pending).toBeNull();
    expect(calls).toHaveLength(1);
    sq.stopAll();
  });

  it('"My StableQueue jobs" shows each job\'s place in the queue and the buttons its state allows', async () => {
    const app = fakeApp();
    const doc = fakeDocument();
    const jobs = [
      { mobilesd_job_id: 'aaaaaaaa-1', status: 'processing', progress: 40, target_server_alias: 'comfy-1' },
      { mobilesd_job_id: 'bbbbbbbb-2', status: 'pending', queue_position: 1 },
      { mobilesd_job_id: 'cccccccc-3', status: 'pending', queue_position: 3 },
      { mobilesd_job_id: 'dddddddd-4', status: 'failed' },
      { mobilesd_job_id: 'eeeeeeee-5', status: 'completed' },
    ];
    const { api, calls } = fakeApi({
      'GET /stablequeue/jobs?limit=10': [
        { status: 200, body: { jobs } },
        { status: 200, body: { jobs: [{ ...jobs[2], queue_position: 1 }] } },
      ],
      'POST /stablequeue/top/cccccccc-3': { status: 200, body: { status: 'pending' } },
    });
    const sq = createStableQueue({ app, api, document: doc, console: quiet });
    await sq.showRecentJobs();

    const text = [...doc.body.all()].map((n) => n.textContent).join('\n');
    expect(text).toContain('aaaaaaaa processing 40% on comfy-1');
    expect(text).toContain('cccccccc pending #3 in the queue');
    const buttons = [...doc.body.all()].filter((n) => n.attributes['data-sq-action'])
      .map((n) => `${n.attributes['data-sq-action']}:${n.attributes['data-sq-job']}`);
    expect(buttons).toEqual([
      'cancel:aaaaaaaa-1', 'cancel:bbbbbbbb-2', // already first: no Top
      'top:cccccccc-3', 'cancel:cccccccc-3', 'retry:dddddddd-4',
    ]);

    await doc.body.find((n) => n.attributes['data-sq-action'] === 'top' && n.attributes['data-sq-job'] === 'cccccccc-3')!.click();
    expect(calls.map((c) => `${c.method} ${c.path}`)).toEqual([
      'GET /stablequeue/jobs?limit=10', 'POST /stablequeue/top/cccccccc-3', 'GET /stablequeue/jobs?limit=10',
    ]);
    expect(calls[1].body).toEqual({}); // JSON, as the route requires
    expect(app.toasts.at(-1)).toMatchObject({ severity: 'success', detail: 'Job cccccccc moved to the top' });
    // redrawn: one panel, now saying #1
    const panels = doc.body.children;
    expect(panels).toHaveLength(1);
    expect([...panels[0].all()].map((n) => n.textContent).join('\n')).toContain('cccccccc pending #1 in the queue');
    await panels[0].find((n) => n.tag === 'button' && n.textContent === 'Close')!.click();
    expect(doc.body.children).toHaveLength(0);
  });

  it('a job of someone else is refused with StableQueue\'s explanation', async () => {
    const app = fakeApp();
    const { api } = fakeApi({
      'POST /stablequeue/cancel/ffffffff-9': {
        status: 403, body: { error: 'not_your_job', message: 'That job was sent by someone else (another API key or StableQueue\'s own page).' },
      },
    });
    const sq = createStableQueue({ app, api, document: null, console: quiet });
    const result = await sq.jobAction('cancel', 'ffffffff-9');
    expect(result.status).toBe(403);
    expect(app.toasts.at(-1)).toMatchObject({ severity: 'error', summary: 'StableQueue could not cancel job ffffffff' });
    expect(app.toasts.at(-1).detail).toContain('sent by someone else');
  });
});
