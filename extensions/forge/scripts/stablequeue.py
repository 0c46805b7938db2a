"""StableQueue for SD-WebUI Forge / AUTOMATIC1111: queue the current job in StableQueue.

How a click becomes a StableQueue job
-------------------------------------
1. ``javascript/stablequeue.js`` adds "Queue in StableQueue" below Generate. It writes a
   one-shot token into this script's hidden textbox and clicks Generate.
2. Forge builds the ``StableDiffusionProcessing`` object ``p`` exactly as for a normal
   generation, with every extension's arguments in ``p.script_args``, and hands it to
   ``processing.process_images``. At start-up we wrapped that function (as the txt2img
   and img2img tabs call it): when ``p`` carries a fresh token, the wrapper queues the job
   and returns an empty result *without* calling Forge's, so nothing is loaded here —
   Forge's own ``process_images`` would load the job's model (12-24 GB for Flux) before
   any script hook could stop it.
3. We build the A1111 API payload from ``p`` (``stablequeue_lib.capture``), including the
   ``alwayson_scripts`` of ControlNet, ADetailer and the rest, and send it to
   StableQueue's ``/api/v2/generate``.
4. Fallback: when the click goes another way (a selected script such as X/Y/Z plot calls
   ``process_images`` itself), ``before_process`` of our always-on script sees the token,
   queues the job and stops the local run as early as a script can: the state is
   interrupted (the batch loop exits before sampling), other scripts' hooks are detached
   and ``p.init`` is skipped. Forge has loaded the job's model by then.
5. The outcome is shown where Forge shows a generation's info, under the gallery (a toast
   cannot: the generation runs on Forge's own thread, outside gradio's event), and in the
   accordion's job list, which lists the jobs this extension sent with their place in
   StableQueue's queue and buttons to move one to the top, cancel or retry it
   (``stablequeue_lib.job_actions``).

All logic that does not need Forge lives in ``stablequeue_lib`` beside this folder
(tested without Forge); this file is only the glue to Forge's script API and gradio.
"""

from __future__ import annotations

import functools
import inspect
import os
import sys
import threading
import traceback

_EXTENSION_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if _EXTENSION_ROOT not in sys.path:
    # Forge puts the extension folder on sys.path only while it loads this file.
    sys.path.insert(0, _EXTENSION_ROOT)

import gradio as gr  # noqa: E402

from modules import script_callbacks, scripts, shared  # noqa: E402

from stablequeue_lib import capture  # noqa: E402
from stablequeue_lib.client import DEFAULT_URL, StableQueueClient, StableQueueError  # noqa: E402
from stablequeue_lib.job_actions import run_job_action  # noqa: E402
from stablequeue_lib.request_flag import CLICK_FLAGS  # noqa: E402
from stablequeue_lib.status_html import render_jobs, render_message  # noqa: E402

try:  # the small square button Forge uses for refresh icons
    from modules.ui_components import ToolButton  # noqa: E402
except Exception:  # noqa: BLE001
    ToolButton = None

TITLE = "StableQueue"
SETTINGS_SECTION = ("stablequeue", "StableQueue")
AUTO = "auto"
SOURCE_INFO = "forge_extension"  # the source_info of our jobs; the panel lists these
REFRESH_SYMBOL = "\U0001f504"  # 🔄

# Said when the click reached us only in before_process (a selected script such as X/Y/Z
# plot calls process_images itself): Forge has loaded the job's model by then.
LOADED_LOCALLY_NOTE = ("(Forge loaded this job's model here before it could be queued, because a selected "
                       "script ran the click; without a script nothing is loaded.)")

_flags = CLICK_FLAGS  # one set of seen tokens, kept across a reload of this file
_server_cache: dict[str, object] = {"choices": None}
_server_cache_lock = threading.Lock()


def log(message: str) -> None:
    print(f"[StableQueue] {message}", file=sys.stderr)


# --------------------------------------------------------------------------- settings


def _opt(key: str, default):
    value = getattr(shared.opts, key, None)
    if value is None:
        value = shared.opts.data.get(key, default) if hasattr(shared.opts, "data") else default
    return default if value is None else value


def settings() -> dict:
    return {
        "url": str(_opt("stablequeue_url", DEFAULT_URL) or DEFAULT_URL),
        "api_key": str(_opt("stablequeue_api_key", "") or ""),
        "api_secret": str(_opt("stablequeue_api_secret", "") or ""),
        "default_server": str(_opt("stablequeue_default_server", AUTO) or AUTO),
        "default_priority": int(_opt("stablequeue_default_priority", 5) or 5),
        "skip_scripts": str(_opt("stablequeue_skip_scripts", "") or ""),
    }


def make_client(timeout: float = 15.0) -> StableQueueClient:
    s = settings()
    return StableQueueClient(s["url"], s["api_key"], s["api_secret"], timeout=timeout)


def on_ui_settings() -> None:
    section = SETTINGS_SECTION

    def add(key, info):
        shared.opts.add_option(key, info)

    add("stablequeue_url", shared.OptionInfo(DEFAULT_URL, "StableQueue URL", section=section))
    add("stablequeue_api_key", shared.OptionInfo("", "API key (from StableQueue → Settings → API keys)", section=section))
    add(
        "stablequeue_api_secret",
        shared.OptionInfo("", "API secret", gr.Textbox, {"type": "password"}, section=section),
    )
    add(
        "stablequeue_default_server",
        shared.OptionInfo(AUTO, "Default target server (its alias, or 'auto' to let StableQueue choose)", section=section),
    )
    add(
        "stablequeue_default_priority",
        shared.OptionInfo(5, "Default priority (1-10, higher runs sooner)", gr.Slider,
                          {"minimum": 1, "maximum": 10, "step": 1}, section=section),
    )
    add(
        "stablequeue_skip_scripts",
        shared.OptionInfo("", "Never send the settings of these extensions (comma-separated titles, e.g. 'Dynamic Prompts')",
                          section=section),
    )


script_callbacks.on_ui_settings(on_ui_settings)


# --------------------------------------------------------------------------- helpers


def server_choices(refresh: bool = False, timeout: float = 3.0) -> tuple[list[str], str | None]:
    """Aliases of StableQueue's Forge servers (with 'auto' first) and an error, if any."""
    with _server_cache_lock:
        cached = _server_cache.get("choices")
        if cached is not None and not refresh:
            return list(cached), None
    error = None
    aliases: list[str] = []
    try:
        for server in make_client(timeout=timeout).list_servers(app_type="forge"):
            alias = server.get("alias")
            if isinstance(alias, str) and alias and alias not in aliases:
                aliases.append(alias)
    except StableQueueError as exc:
        error = exc.user_message
    default = settings()["default_server"]
    choices = [AUTO] + aliases
    if default and default not in choices:
        choices.append(default)
    with _server_cache_lock:
        if error is None or _server_cache.get("choices") is None:
            _server_cache["choices"] = choices
    return choices, error


def _apply_styles(prompt: str, styles: list[str], negative: bool) -> str:
    styles_db = shared.prompt_styles
    if negative:
        return styles_db.apply_negative_styles_to_prompt(prompt, styles)
    return styles_db.apply_styles_to_prompt(prompt, styles)


def _options_snapshot() -> dict:
    snapshot = {}
    for key in capture.OPTION_KEYS:
        try:
            value = getattr(shared.opts, key)
        except Exception:  # noqa: BLE001 - option not known to this UI (A1111 vs Forge)
            continue
        snapshot[key] = value
    return snapshot


def _toast(message: str, error: bool = False) -> None:
    try:
        (gr.Warning if error else gr.Info)(message)
    except Exception:  # noqa: BLE001 - outside an event, or an old gradio
        pass


def stop_local_generation(p) -> None:
    """Let Forge's pipeline run to its end without generating anything.

    ``before_process`` cannot cancel the run (Forge catches exceptions from script hooks),
    so: interrupt the state (the batch loop exits before sampling), detach the script
    runner from this ``p`` (no ControlNet preprocessing, no other postprocessing), skip
    ``p.init`` (VAE encode of img2img inputs, upscaler checks) and drop the checkpoint
    override so no model is switched for nothing.
    """
    try:
        shared.state.interrupt()
    except Exception:  # noqa: BLE001
        shared.state.interrupted = True
    try:
        p.override_settings = {}
    except Exception:  # noqa: BLE001
        pass
    try:
        p.init = lambda *args, **kwargs: None
    except Exception:  # noqa: BLE001
        pass
    try:
        p.scripts = None
    except Exception:  # noqa: BLE001
        pass


# --------------------------------------------------------------------------- the script


class StableQueueScript(scripts.Script):
    def __init__(self) -> None:
        super().__init__()
        self.last_message: str | None = None
        self.last_kind = "info"

    def title(self) -> str:
        return TITLE

    def show(self, is_img2img):
        return scripts.AlwaysVisible

    # ---- UI ----

    def ui(self, is_img2img):
        tab = "img2img" if is_img2img else "txt2img"
        s = settings()
        choices, _error = server_choices(timeout=2.0)
        default_server = s["default_server"] if s["default_server"] in choices else AUTO

        # The one-shot "queue this click" token (see request_flag.py). Hidden by CSS rather
        # than visible=False, so the browser can write into it; outside the accordion so
        # it is in the page whether the accordion was opened or not.
        request_flag = gr.Textbox(
            value="", show_label=False, elem_id=f"stablequeue_{tab}_request",
            elem_classes=["stablequeue-hidden"],
        )
        with gr.Accordion("StableQueue", open=False, elem_id=f"stablequeue_{tab}_accordion"):
            with gr.Row(elem_classes=["stablequeue-row"]):
                server = gr.Dropdown(**_supported(
                    gr.Dropdown,
                    label="Target server",
                    choices=choices,
                    value=default_server,
                    allow_custom_value=True,  # gradio >= 3.37: an alias typed by hand
                    elem_id=f"stablequeue_{tab}_server",
                ))
                if ToolButton is not None:
                    refresh_servers = ToolButton(value=REFRESH_SYMBOL, elem_id=f"stablequeue_{tab}_refresh_servers")
                else:
                    refresh_servers = gr.Button(value=REFRESH_SYMBOL, elem_id=f"stablequeue_{tab}_refresh_servers")
                priority = gr.Slider(
                    minimum=1, maximum=10, step=1, value=max(1, min(10, s["default_priority"])),
                    label="Priority (higher runs sooner)", elem_id=f"stablequeue_{tab}_priority",
                )
            status = gr.HTML(value=render_message("Recent jobs appear here."), elem_id=f"stablequeue_{tab}_status")
            refresh_status = gr.Button(**_supported(
                gr.Button, value="Refresh jobs", elem_id=f"stablequeue_{tab}_refresh_status", size="sm"))
            # The job list's buttons (cancel, retry, top) write "<action>:<job id>" here and
            # press the hidden button (javascript/stablequeue.js); hidden by CSS, see above.
            job_action = gr.Textbox(value="", show_label=False, elem_id=f"stablequeue_{tab}_job_action",
                                    elem_classes=["stablequeue-hidden"])
            run_job_action = gr.Button(value="Run job action", elem_id=f"stablequeue_{tab}_job_action_run",
                                       elem_classes=["stablequeue-hidden"])

        def on_refresh_servers(current):
            new_choices, error = server_choices(refresh=True)
            if error:
                _toast(error, error=True)
            value = current if current in new_choices else AUTO
            return gr.update(choices=new_choices, value=value)

        refresh_servers.click(fn=on_refresh_servers, inputs=[server], outputs=[server])
        refresh_status.click(fn=self.render_status, inputs=[], outputs=[status])
        run_job_action.click(fn=self.on_job_action, inputs=[job_action], outputs=[status])

        return [server, priority, request_flag]

    def render_status(self) -> str:
        """The jobs this extension sent (this API key's, when one is set), with their place
        in the queue and buttons to cancel, retry or move them."""
        s = settings()
        try:
            result = make_client(timeout=5.0).list_own_jobs(SOURCE_INFO, limit=10)
            jobs = result.get("jobs", []) if isinstance(result, dict) else []
            return render_jobs(jobs, base_url=s["url"], last_message=self.last_message, last_kind=self.last_kind,
                               actions=True)
        except StableQueueError as exc:
            return render_message(exc.user_message, "error")

    def on_job_action(self, command: str) -> str:
        message, ok = run_job_action(make_client(timeout=10.0), command)
        self.last_message, self.last_kind = message, ("ok" if ok else "error")
        log(message)
        return self.render_status()

    # ---- the capture ----

    def queue_click(self, p, server, priority, note: str = "") -> str:
        """Queues the job of this click and reports it (log, accordion, Forge's info area)."""
        try:
            message, ok = self.queue(p, server, priority)
        except Exception as exc:  # noqa: BLE001 - never let a bug here run the job locally
            traceback.print_exc()
            message, ok = f"StableQueue: could not queue this job: {exc}", False
        if note:
            message = f"{message} {note}"
        self.last_message, self.last_kind = message, ("ok" if ok else "error")
        log(message)
        try:
            p.comment(message)  # shown under the gallery with the generation's info
        except Exception:  # noqa: BLE001
            pass
        return message

    def before_process(self, p, server=AUTO, priority=5, request_flag="", *args):
        if not _flags.claim(request_flag):
            return  # a normal Generate click, or one the process_images wrapper already queued
        try:
            self.queue_click(p, server, priority, note=LOADED_LOCALLY_NOTE)
        finally:
            stop_local_generation(p)

    def queue(self, p, server, priority) -> tuple[str, bool]:
        s = settings()
        skip = [t for t in s["skip_scripts"].split(",") if t.strip()]
        result = capture.build_generation_params(
            p,
            opts=_options_snapshot(),
            own_title=self.title(),
            skip_titles=skip,
            styles_applier=_apply_styles,
        )
        target = (server or s["default_server"] or AUTO).strip() or AUTO
        try:
            priority = int(priority)
        except (TypeError, ValueError):
            priority = s["default_priority"]
        try:
            response = make_client().generate(
                app_type="forge",
                generation_params=result.generation_params,
                target_server_alias=target,
                priority=priority,
                source_info=SOURCE_INFO,
                mode=result.mode,
            )
        except StableQueueError as exc:
            return exc.user_message, False
        job_id = response.get("mobilesd_job_id")
        position = response.get("queue_position")
        message = f"Queued in StableQueue as job {job_id}"
        if isinstance(position, int):
            message += f" (position {position} in the queue)"
        if result.included_scripts:
            message += "; with the settings of " + ", ".join(result.included_scripts)
        if result.warnings:
            message += ". Note: " + "; ".join(result.warnings[:3])
        return message + ".", True


# --------------------------------------------------------------------------- interception


def _queue_click_of(p):
    """(our script, server, priority, token) when ``p`` comes from a tab with our script."""
    runner = getattr(p, "scripts", None)
    for script in list(getattr(runner, "alwayson_scripts", None) or []):
        if callable(getattr(script, "queue_click", None)) and getattr(script, "title", lambda: "")() == TITLE:
            args = list(getattr(p, "script_args", None) or [])[script.args_from:script.args_to]
            server, priority, flag = (args + [AUTO, 5, ""])[:3]
            return script, server, priority, flag
    return None


def _empty_result(p, message: str):
    """What Forge's tab shows for a queued click: no images, our message as the info."""
    from modules.processing import Processed  # noqa: PLC0415 - Forge's, at call time

    return Processed(p, [], seed=getattr(p, "seed", -1), info=message)


def intercept_process_images(original):
    """``original`` (Forge's process_images), except for a queue click: that one is sent to
    StableQueue and never processed here, so Forge loads no model for it."""
    # Scripts reloaded: wrap Forge's own function again, not the previous wrapper.
    original = getattr(original, "_stablequeue_original", None) or original

    @functools.wraps(original)
    def process_images(p, *args, **kwargs):
        found = _queue_click_of(p)
        if found is None:
            return original(p, *args, **kwargs)
        script, server, priority, flag = found
        if not _flags.claim(flag):
            return original(p, *args, **kwargs)
        message = script.queue_click(p, server, priority)
        try:
            return _empty_result(p, message)
        except Exception:  # noqa: BLE001 - an unusual fork: fall back to stopping the local run
            traceback.print_exc()
            stop_local_generation(p)
            return original(p, *args, **kwargs)

    process_images._stablequeue_original = original
    return process_images


def install_interception() -> list[str]:
    """Wraps process_images where the txt2img and img2img tabs call it; returns where."""
    installed = []
    for module_name in ("modules.processing", "modules.img2img"):
        module = sys.modules.get(module_name)
        if module is None:
            try:
                module = __import__(module_name, fromlist=["process_images"])
            except Exception:  # noqa: BLE001 - not this UI's layout
                continue
        current = getattr(module, "process_images", None)
        if callable(current):
            module.process_images = intercept_process_images(current)
            installed.append(module_name)
    return installed


install_interception()


def _supported(component, **kwargs) -> dict:
    """The kwargs this gradio version's component accepts (A1111 1.5 has gradio 3.32,
    Forge has gradio 4): newer options are dropped rather than crash the UI."""
    try:
        parameters = inspect.signature(component.__init__).parameters
    except (TypeError, ValueError):
        return kwargs
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values()):
        return kwargs
    return {k: v for k, v in kwargs.items() if k in parameters}
