// StableQueue for ComfyUI: the logic of the browser part, as an ES module with no
// side effects and no import, so it also runs (and is tested) outside the browser.
// stablequeue.js beside it hands it ComfyUI's `app` and `api`.
//
// "Queue in StableQueue" turns the current graph into ComfyUI's API format
// (app.graphToPrompt) and posts it, with the UI workflow for the PNG metadata, to this
// extension's Python routes on the ComfyUI server (/stablequeue/...), which add the API
// key and secret and forward it to StableQueue. The secret never reaches the browser.
//
// It is reachable from the top menu (Extensions → StableQueue) and from the canvas's
// right-click menu, whose "Queue in StableQueue" entry offers a priority for this one job.
// "My StableQueue jobs" lists the jobs this extension sent, with each waiting job's place
// in StableQueue's queue and buttons to move it to the top, cancel or retry it.

export const EXTENSION_NAME = "StableQueue.Queue";
export const COMMANDS = {
    queue: "StableQueue.QueueWorkflow",
    queueWithPriority: "StableQueue.QueueWorkflowWithPriority",
    settings: "StableQueue.Settings",
    jobs: "StableQueue.RecentJobs",
};
export const MENU_PATH = ["Extensions", "StableQueue"];
export const CANVAS_MENU_ENTRY = "Queue in StableQueue";

/** The canvas menu's quick choices besides the default (priority 1-10, higher runs sooner). */
export const PRIORITY_PRESETS = [
    { label: "Low", priority: 2 },
    { label: "High", priority: 8 },
    { label: "Urgent", priority: 10 },
];

/** What can be done to a job in each state (the server side checks it is ours). */
export const JOB_ACTIONS = {
    pending: ["top", "cancel"],
    downloading_resources: ["cancel"],
    processing: ["cancel"],
    completed: [],
    failed: ["retry"],
    cancelled: ["retry"],
};
const ACTION_LABELS = { top: "Top", cancel: "Cancel", retry: "Retry" };
const ACTION_DONE = { top: "moved to the top", cancel: "cancelled", retry: "queued again" };

const TERMINAL = new Set(["completed", "failed", "cancelled"]);
const MAX_TRACK_MS = 6 * 60 * 60 * 1000;

function shortId(id) {
    return String(id || "").slice(0, 8);
}

function messageOf(body, fallback) {
    if (body && typeof body === "object" && typeof body.message === "string" && body.message) {
        return body.message;
    }
    return fallback;
}

/**
 * Everything the extension does, bound to ComfyUI's objects.
 * deps: { app, api?, fetch?, document?, setTimeout?, clearTimeout?, console?, now? }
 */
export function createStableQueue(deps) {
    const app = deps.app;
    const api = deps.api;
    const doc = deps.document !== undefined ? deps.document : globalThis.document;
    const schedule = deps.setTimeout || globalThis.setTimeout.bind(globalThis);
    const unschedule = deps.clearTimeout || globalThis.clearTimeout.bind(globalThis);
    const log = deps.console || globalThis.console;
    const now = deps.now || (() => Date.now());
    const tracked = new Map(); // job id -> {timer, started, last}
    let busy = false;
    let pollSeconds = 2;
    let defaultPriority = 5;

    // ------------------------------------------------------------------ plumbing

    async function request(method, path, body) {
        const init = { method, headers: { Accept: "application/json" } };
        if (body !== undefined) {
            init.headers["Content-Type"] = "application/json";
            init.body = JSON.stringify(body);
        }
        let response;
        try {
            // api.fetchApi adds ComfyUI's base path and user header (routes live under /api too).
            response = api && typeof api.fetchApi === "function"
                ? await api.fetchApi(path, init)
                : await (deps.fetch || globalThis.fetch)(path, init);
        } catch (error) {
            return { ok: false, status: 0, body: { error: "network", message: `ComfyUI did not answer: ${error.message || error}` } };
        }
        let parsed = null;
        try {
            parsed = await response.json();
        } catch (_ignored) {
            parsed = null;
        }
        return { ok: response.ok, status: response.status, body: parsed };
    }

    function toast(severity, summary, detail, life) {
        const manager = app && app.extensionManager;
        if (manager && manager.toast && typeof manager.toast.add === "function") {
            manager.toast.add({ severity, summary, detail, life: life ?? (severity === "error" ? 10000 : 5000) });
            return;
        }
        if (doc && doc.body && typeof doc.createElement === "function") {
            const box = doc.createElement("div");
            box.className = `stablequeue-toast stablequeue-toast-${severity}`;
            box.textContent = detail ? `${summary}: ${detail}` : summary;
            box.style.cssText =
                "position:fixed;right:16px;bottom:16px;z-index:10000;max-width:420px;padding:10px 14px;" +
                "border-radius:6px;color:#fff;font:14px sans-serif;box-shadow:0 2px 8px rgba(0,0,0,.4);" +
                `background:${severity === "error" ? "#b91c1c" : severity === "success" ? "#15803d" : "#1e40af"}`;
            doc.body.appendChild(box);
            schedule(() => box.remove && box.remove(), life ?? 6000);
            return;
        }
        (severity === "error" ? log.error : log.info).call(log, `[StableQueue] ${summary}${detail ? ": " + detail : ""}`);
    }

    function graphNodes() {
        const graph = app && app.graph;
        if (!graph) return [];
        return graph.nodes || graph._nodes || [];
    }

    // Seeds set to "randomize"/"increment" change after a queue, as with ComfyUI's own Queue.
    function runWidgetCallbacks(name) {
        for (const node of graphNodes()) {
            for (const widget of (node && node.widgets) || []) {
                try {
                    if (typeof widget[name] === "function") widget[name]();
                } catch (error) {
                    log.warn(`[StableQueue] ${name} failed on a widget`, error);
                }
            }
        }
    }

    // ------------------------------------------------------------------ queue

    async function queueCurrentWorkflow(options = {}) {
        if (busy) {
            toast("warn", "StableQueue", "Still sending the previous workflow…");
            return null;
        }
        busy = true;
        try {
            runWidgetCallbacks("beforeQueued");
            let prompt;
            try {
                prompt = await app.graphToPrompt();
            } catch (error) {
                toast("error", "StableQueue", `Could not read the workflow: ${error.message || error}`);
                return null;
            }
            const output = prompt && prompt.output;
            if (!output || typeof output !== "object" || Object.keys(output).length === 0) {
                toast("error", "StableQueue", "Nothing to queue: the workflow has no nodes to run.");
                return null;
            }
            const body = { workflow: output, workflow_ui: prompt.workflow || undefined };
            if (options.target_server_alias) body.target_server_alias = options.target_server_alias;
            if (options.priority !== undefined) body.priority = options.priority;
            if (options.randomize_seed !== undefined) body.randomize_seed = options.randomize_seed;

            const result = await request("POST", "/stablequeue/queue", body);
            if (!result.ok) {
                toast("error", "StableQueue did not take the workflow",
                    messageOf(result.body, `HTTP ${result.status}`));
                return null;
            }
            runWidgetCallbacks("afterQueued");
            const job = result.body || {};
            const position = Number.isInteger(job.queue_position) ? ` — position ${job.queue_position} in the queue` : "";
            toast("success", "Queued in StableQueue", `Job ${shortId(job.mobilesd_job_id)}${position}`);
            if (job.mobilesd_job_id && options.track !== false) track(job.mobilesd_job_id);
            return job;
        } finally {
            busy = false;
        }
    }

    // ------------------------------------------------------------------ status

    async function pollOnce(jobId) {
        const result = await request("GET", `/stablequeue/status/${encodeURIComponent(jobId)}`);
        const entry = tracked.get(jobId);
        if (!entry) return result;
        if (!result.ok) {
            if (result.status === 404 || result.status === 401 || result.status === 403) {
                stopTracking(jobId);
                toast("error", `StableQueue job ${shortId(jobId)}`, messageOf(result.body, `HTTP ${result.status}`));
            }
            return result;
        }
        const status = result.body || {};
        entry.last = status;
        if (TERMINAL.has(status.status)) {
            stopTracking(jobId);
            if (status.status === "completed") {
                const count = Array.isArray(status.images) ? status.images.length : 0;
                toast("success", `StableQueue job ${shortId(jobId)} is done`,
                    `${count} image${count === 1 ? "" : "s"} in StableQueue's gallery`);
            } else if (status.status === "failed") {
                toast("error", `StableQueue job ${shortId(jobId)} failed`, status.error_message || "no reason given");
            } else {
                toast("info", `StableQueue job ${shortId(jobId)}`, "cancelled");
            }
        }
        return result;
    }

    function track(jobId) {
        if (tracked.has(jobId)) return;
        const entry = { timer: null, started: now(), last: null };
        tracked.set(jobId, entry);
        const tick = async () => {
            if (!tracked.has(jobId)) return;
            if (now() - entry.started > MAX_TRACK_MS) {
                stopTracking(jobId);
                return;
            }
            try {
                await pollOnce(jobId);
            } catch (error) {
                log.warn("[StableQueue] status check failed", error);
            }
            if (tracked.has(jobId)) entry.timer = schedule(tick, pollSeconds * 1000);
        };
        entry.timer = schedule(tick, pollSeconds * 1000);
    }

    function stopTracking(jobId) {
        const entry = tracked.get(jobId);
        if (entry && entry.timer !== null) unschedule(entry.timer);
        tracked.delete(jobId);
    }

    function stopAll() {
        for (const id of [...tracked.keys()]) stopTracking(id);
    }

    function describeJob(j) {
        const progress = j.status === "processing" && typeof j.progress === "number" ? ` ${Math.round(j.progress)}%` : "";
        const place = j.status === "pending" && Number.isInteger(j.queue_position) ? ` #${j.queue_position} in the queue` : "";
        return `${shortId(j.mobilesd_job_id)} ${j.status}${progress}${place}${j.target_server_alias ? " on " + j.target_server_alias : ""}`;
    }

    /** Cancel, retry or move to the top one of this extension's jobs; says how it went. */
    async function jobAction(action, jobId) {
        const result = await request("POST", `/stablequeue/${action}/${encodeURIComponent(jobId)}`, {});
        if (result.ok) toast("success", "StableQueue", `Job ${shortId(jobId)} ${ACTION_DONE[action] || action}`);
        else toast("error", `StableQueue could not ${action === "top" ? "move" : action} job ${shortId(jobId)}`, messageOf(result.body, `HTTP ${result.status}`));
        return result;
    }

    let jobsPanel = null;

    function closeJobsPanel() {
        if (jobsPanel && jobsPanel.remove) jobsPanel.remove();
        jobsPanel = null;
    }

    function renderJobsPanel(jobs) {
        const rows = jobs.map((j) => {
            const buttons = (JOB_ACTIONS[j.status] || [])
                .filter((action) => !(action === "top" && j.queue_position === 1))
                .map((action) => {
                    const button = el("button", { textContent: ACTION_LABELS[action], style: "margin-left:6px" });
                    button.setAttribute("data-sq-action", action);
                    button.setAttribute("data-sq-job", j.mobilesd_job_id);
                    button.addEventListener("click", async () => {
                        button.disabled = true;
                        await jobAction(action, j.mobilesd_job_id);
                        await showRecentJobs(); // redraw with the new order and states
                    });
                    return button;
                });
            return el("div", { style: "display:flex;align-items:center;gap:8px;padding:4px 0;border-bottom:1px solid rgba(128,128,128,.3)" }, [
                el("span", { textContent: describeJob(j), style: "flex:1;min-width:0;font-family:monospace;font-size:12px" }),
                el("span", { style: "flex:none;white-space:nowrap" }, buttons),
            ]);
        });
        const refresh = el("button", { textContent: "Refresh", style: "margin-right:8px" });
        refresh.addEventListener("click", () => showRecentJobs());
        const close = el("button", { textContent: "Close" });
        close.addEventListener("click", closeJobsPanel);
        return el("div", { style: "position:fixed;right:16px;top:64px;z-index:10000;box-sizing:border-box;width:min(480px,calc(100vw - 32px));max-height:70vh;overflow:auto;background:var(--comfy-menu-bg,#222);color:var(--fg-color,#eee);padding:12px 16px;border-radius:8px;box-shadow:0 2px 12px rgba(0,0,0,.5)" }, [
            el("h3", { textContent: "My StableQueue jobs", style: "margin:0 0 8px" }),
            ...(rows.length ? rows : [el("div", { textContent: "No jobs sent from this ComfyUI yet." })]),
            el("div", { style: "margin-top:10px;text-align:right" }, [refresh, close]),
        ]);
    }

    /** The jobs this extension sent (this API key's), in a panel with their buttons, or a toast. */
    async function showRecentJobs() {
        const result = await request("GET", "/stablequeue/jobs?limit=10");
        if (!result.ok) {
            toast("error", "StableQueue", messageOf(result.body, `HTTP ${result.status}`));
            return null;
        }
        const jobs = (result.body && result.body.jobs) || [];
        if (doc && doc.body && typeof doc.createElement === "function") {
            closeJobsPanel();
            jobsPanel = renderJobsPanel(jobs);
            doc.body.appendChild(jobsPanel);
            return jobs;
        }
        toast("info", "StableQueue: my jobs", jobs.length ? jobs.map(describeJob).join("\n") : "none yet", 10000);
        return jobs;
    }

    // ------------------------------------------------------------------ priority

    /** A small dialog to pick this job's priority, then queue; resolves to the job or null. */
    function choosePriority() {
        if (!doc || typeof doc.createElement !== "function" || !doc.body) {
            return queueCurrentWorkflow();
        }
        return new Promise((resolve) => {
            const select = el("select", { style: "width:100%;padding:4px" });
            for (let p = 10; p >= 1; p--) {
                const hint = p === 10 ? " (runs first)" : p === 1 ? " (runs last)" : p === defaultPriority ? " (default)" : "";
                select.appendChild(el("option", { value: String(p), textContent: `${p}${hint}` }));
            }
            select.value = String(defaultPriority);
            const overlay = el("div", { style: "position:fixed;inset:0;background:rgba(0,0,0,.5);z-index:10000;display:flex;align-items:center;justify-content:center" });
            const done = (value) => {
                overlay.remove();
                resolve(value);
            };
            const queue = el("button", { textContent: "Queue", style: "margin-right:8px" });
            const cancel = el("button", { textContent: "Cancel" });
            queue.addEventListener("click", async () => {
                overlay.remove();
                resolve(await queueCurrentWorkflow({ priority: parseInt(select.value, 10) }));
            });
            cancel.addEventListener("click", () => done(null));
            overlay.appendChild(el("div", { style: "background:var(--comfy-menu-bg,#222);color:var(--fg-color,#eee);padding:16px 20px;border-radius:8px;min-width:300px" }, [
                el("h3", { textContent: "Queue in StableQueue", style: "margin:0 0 8px" }),
                el("label", { style: "display:block;margin:8px 0" }, [
                    el("div", { textContent: "Priority of this job (higher runs sooner)", style: "font-size:12px;opacity:.8" }), select]),
                el("div", { style: "margin-top:12px;text-align:right" }, [queue, cancel]),
            ]));
            doc.body.appendChild(overlay);
        });
    }

    /** The canvas right-click menu's entry: queue with the default or a chosen priority. */
    function canvasMenuItems() {
        const option = (content, run) => ({ content, callback: () => { run(); } });
        return [
            null,
            {
                content: CANVAS_MENU_ENTRY,
                has_submenu: true,
                submenu: {
                    title: "Priority of this job",
                    options: [
                        option(`Default priority (${defaultPriority})`, () => queueCurrentWorkflow()),
                        ...PRIORITY_PRESETS.map((p) => option(`${p.label} priority (${p.priority})`, () => queueCurrentWorkflow({ priority: p.priority }))),
                        option("Choose priority…", () => choosePriority()),
                        null,
                        option("My StableQueue jobs…", () => showRecentJobs()),
                    ],
                },
            },
        ];
    }

    // ------------------------------------------------------------------ settings

    async function loadSettings() {
        const result = await request("GET", "/stablequeue/settings");
        if (result.ok && result.body && Number.isInteger(result.body.poll_seconds)) {
            pollSeconds = result.body.poll_seconds;
        }
        if (result.ok && result.body && Number.isInteger(result.body.default_priority)) {
            defaultPriority = result.body.default_priority;
        }
        return result;
    }

    async function saveSettings(values) {
        const result = await request("POST", "/stablequeue/settings", values);
        if (result.ok) {
            if (Number.isInteger(result.body && result.body.poll_seconds)) pollSeconds = result.body.poll_seconds;
            if (Number.isInteger(result.body && result.body.default_priority)) defaultPriority = result.body.default_priority;
            toast("success", "StableQueue", "Settings saved");
        } else {
            toast("error", "StableQueue settings not saved", messageOf(result.body, `HTTP ${result.status}`));
        }
        return result;
    }

    function el(tag, props = {}, children = []) {
        const node = doc.createElement(tag);
        for (const [key, value] of Object.entries(props)) {
            if (key === "style") node.style.cssText = value;
            else if (key in node) node[key] = value;
            else node.setAttribute(key, value);
        }
        for (const child of children) node.appendChild(child);
        return node;
    }

    async function openSettings() {
        if (!doc || typeof doc.createElement !== "function") return null;
        const current = await loadSettings();
        if (!current.ok) {
            toast("error", "StableQueue", messageOf(current.body, "could not read the settings"));
            return null;
        }
        const s = current.body;
        const servers = await request("GET", "/stablequeue/servers");
        const aliases = servers.ok && Array.isArray(servers.body) ? servers.body.map((x) => x.alias).filter(Boolean) : [];
        if (!servers.ok) toast("warn", "StableQueue", messageOf(servers.body, "could not list servers"));

        const row = (label, input) => el("label", { style: "display:block;margin:8px 0" }, [
            el("div", { textContent: label, style: "font-size:12px;opacity:.8" }), input]);
        const inputStyle = "width:100%;box-sizing:border-box;padding:4px";
        const url = el("input", { type: "text", value: s.url || "", style: inputStyle });
        const key = el("input", { type: "text", value: "", placeholder: s.api_key_set ? `set (${s.api_key_hint}); leave empty to keep` : "API key", style: inputStyle });
        const secret = el("input", { type: "password", value: "", placeholder: s.api_secret_set ? "set; leave empty to keep" : "API secret", style: inputStyle });
        const server = el("select", { style: inputStyle });
        for (const alias of ["auto", ...aliases.filter((a) => a !== "auto")]) {
            server.appendChild(el("option", { value: alias, textContent: alias === "auto" ? "auto (StableQueue chooses)" : alias }));
        }
        if (s.default_server && ![...server.options].some((o) => o.value === s.default_server)) {
            server.appendChild(el("option", { value: s.default_server, textContent: s.default_server }));
        }
        server.value = s.default_server || "auto";
        const priority = el("input", { type: "number", min: "1", max: "10", step: "1", value: String(s.default_priority || 5), style: inputStyle });
        const randomize = el("input", { type: "checkbox", checked: !!s.randomize_seed });

        const overlay = el("div", { style: "position:fixed;inset:0;background:rgba(0,0,0,.5);z-index:10000;display:flex;align-items:center;justify-content:center" });
        const close = () => overlay.remove();
        const save = el("button", { textContent: "Save", style: "margin-right:8px" });
        const cancel = el("button", { textContent: "Cancel" });
        save.addEventListener("click", async () => {
            const values = {
                url: url.value.trim(),
                default_server: server.value,
                default_priority: parseInt(priority.value, 10),
                randomize_seed: randomize.checked,
            };
            if (key.value.trim()) values.api_key = key.value.trim();
            if (secret.value) values.api_secret = secret.value;
            const saved = await saveSettings(values);
            if (!saved.ok) return;
            if ((s.api_key_set || s.api_secret_set) && saved.body && !saved.body.api_secret_set) {
                toast("warn", "StableQueue", "The URL changed, so the stored API key and secret were forgotten: enter them again.");
            }
            close();
        });
        cancel.addEventListener("click", close);
        const panel = el("div", { style: "background:var(--comfy-menu-bg,#222);color:var(--fg-color,#eee);padding:16px 20px;border-radius:8px;min-width:360px;max-width:90vw" }, [
            el("h3", { textContent: "StableQueue", style: "margin:0 0 8px" }),
            row("StableQueue URL", url),
            row("API key", key),
            row("API secret (stored on the ComfyUI server only)", secret),
            row("Default target server", server),
            row("Default priority (1-10, higher runs sooner)", priority),
            el("label", { style: "display:block;margin:8px 0" }, [randomize, el("span", { textContent: " New random seed for every queued job" })]),
            el("div", { style: "margin-top:12px;text-align:right" }, [save, cancel]),
        ]);
        overlay.appendChild(panel);
        overlay.addEventListener("click", (event) => { if (event.target === overlay) close(); });
        doc.body.appendChild(overlay);
        return overlay;
    }

    // ------------------------------------------------------------------ wiring

    function addLegacyButton() {
        const container = app && app.ui && app.ui.menuContainer;
        if (!container || !doc || typeof doc.createElement !== "function") return null;
        if (container.querySelector && container.querySelector("#stablequeue-queue-button")) return null;
        const button = doc.createElement("button");
        button.id = "stablequeue-queue-button";
        button.textContent = "Queue in StableQueue";
        button.title = "Send this workflow to StableQueue (right-click: settings)";
        button.addEventListener("click", () => { queueCurrentWorkflow(); });
        button.addEventListener("contextmenu", (event) => {
            if (event.preventDefault) event.preventDefault();
            openSettings();
        });
        container.appendChild(button);
        return button;
    }

    const extension = {
        name: EXTENSION_NAME,
        commands: [
            { id: COMMANDS.queue, label: "Queue in StableQueue", icon: "pi pi-send", function: () => queueCurrentWorkflow() },
            { id: COMMANDS.queueWithPriority, label: "Queue in StableQueue with priority…", icon: "pi pi-sort-amount-up", function: () => choosePriority() },
            { id: COMMANDS.jobs, label: "My StableQueue jobs", icon: "pi pi-list", function: () => showRecentJobs() },
            { id: COMMANDS.settings, label: "StableQueue settings…", icon: "pi pi-cog", function: () => openSettings() },
        ],
        menuCommands: [{ path: MENU_PATH, commands: [COMMANDS.queue, COMMANDS.queueWithPriority, COMMANDS.jobs, COMMANDS.settings] }],
        getCanvasMenuItems: () => canvasMenuItems(),
        async setup() {
            addLegacyButton();
            try {
                await loadSettings();
            } catch (_ignored) {
                /* the defaults will do */
            }
        },
    };

    return {
        extension,
        queueCurrentWorkflow,
        pollOnce,
        track,
        stopTracking,
        stopAll,
        tracked,
        showRecentJobs,
        jobAction,
        choosePriority,
        canvasMenuItems,
        loadSettings,
        saveSettings,
        openSettings,
        addLegacyButton,
        request,
    };
}

/** Register with ComfyUI; returns the StableQueue object (for tests and other code). */
export function registerStableQueue(app, api, extraDeps = {}) {
    const sq = createStableQueue({ app, api, ...extraDeps });
    app.registerExtension(sq.extension);
    return sq;
}
