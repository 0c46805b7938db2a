"""Minimal stand-ins for Forge's ``modules.*`` and ``gradio``, installed only when the real
ones are not importable (this test runs outside Forge). They record what the script does:
the settings it adds, the components it builds, the interrupt it sends.
"""

from __future__ import annotations

import contextlib
import importlib.util
import sys
import types


def _missing(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is None
    except (ImportError, ValueError):
        return True


class Recorder:
    """Everything the stubs saw, for the test to check."""

    def __init__(self):
        self.components: list = []
        self.events: list = []
        self.toasts: list = []
        self.settings_callbacks: list = []
        self.processed: list = []  # every p that Forge's own process_images got


RECORDER = Recorder()


def _make_gradio():
    gr = types.ModuleType("gradio")

    class Component:
        def __init__(self, *args, **kwargs):
            self.args, self.kwargs = args, kwargs
            self.elem_id = kwargs.get("elem_id")
            self.value = kwargs.get("value")
            RECORDER.components.append(self)

        def click(self, fn=None, inputs=None, outputs=None, **kw):
            RECORDER.events.append((self, fn, inputs, outputs))

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

    for name in ("Accordion", "Row", "Column", "Group", "Dropdown", "Slider", "Textbox", "HTML", "Checkbox"):
        setattr(gr, name, type(name, (Component,), {}))

    class Button(Component):
        def __init__(self, value=None, *args, size=None, **kwargs):
            super().__init__(value, *args, size=size, **kwargs)

    gr.Button = Button
    gr.update = lambda **kw: {"__type__": "update", **kw}
    gr.Info = lambda message: RECORDER.toasts.append(("info", message))
    gr.Warning = lambda message: RECORDER.toasts.append(("warning", message))
    return gr


def _make_modules():
    modules = types.ModuleType("modules")
    modules.__path__ = []

    scripts = types.ModuleType("modules.scripts")
    scripts.AlwaysVisible = object()

    class Script:
        args_from = 0
        args_to = 0
        alwayson = False
        is_img2img = False

        def title(self):
            return "Script"

    class ScriptBuiltinUI(Script):
        pass

    scripts.Script = Script
    scripts.ScriptBuiltinUI = ScriptBuiltinUI

    shared = types.ModuleType("modules.shared")

    class OptionInfo:
        def __init__(self, default=None, label="", component=None, component_args=None, section=None, **kw):
            self.default, self.label, self.component = default, label, component
            self.component_args, self.section = component_args, section

    class Options:
        def __init__(self):
            self.data = {}
            self.data_labels = {}

        def add_option(self, key, info):
            self.data_labels[key] = info
            self.data.setdefault(key, info.default)

        def __getattr__(self, key):
            data = self.__dict__.get("data", {})
            if key in data:
                return data[key]
            raise AttributeError(key)

    class State:
        def __init__(self):
            self.interrupted = False
            self.interrupts = 0

        def interrupt(self):
            self.interrupted = True
            self.interrupts += 1

    class PromptStyles:
        def apply_styles_to_prompt(self, prompt, styles):
            return prompt + "".join(f", <{s}>" for s in styles)

        def apply_negative_styles_to_prompt(self, prompt, styles):
            return prompt

    shared.OptionInfo = OptionInfo
    shared.opts = Options()
    shared.state = State()
    shared.prompt_styles = PromptStyles()

    script_callbacks = types.ModuleType("modules.script_callbacks")
    script_callbacks.on_ui_settings = RECORDER.settings_callbacks.append

    ui_components = types.ModuleType("modules.ui_components")

    processing = types.ModuleType("modules.processing")

    class Processed:
        def __init__(self, p, images_list, seed=-1, info="", **kw):
            self.images, self.seed, self.info = images_list, seed, info
            self.comments = "".join(f"{c}\n" for c in (getattr(p, "comments", None) or []))

    def process_images(p):
        """Forge's: loads the model and generates (here: records the call)."""
        RECORDER.processed.append(p)
        return Processed(p, ["a local image"], info="generated locally")

    processing.Processed = Processed
    processing.process_images = process_images
    img2img = types.ModuleType("modules.img2img")
    img2img.process_images = process_images  # bound by name, as Forge's img2img.py does

    modules.scripts, modules.shared = scripts, shared
    modules.script_callbacks, modules.ui_components = script_callbacks, ui_components
    modules.processing, modules.img2img = processing, img2img
    return {
        "modules.processing": processing,
        "modules.img2img": img2img,
        "modules": modules,
        "modules.scripts": scripts,
        "modules.shared": shared,
        "modules.script_callbacks": script_callbacks,
        "modules.ui_components": ui_components,
    }


def install() -> bool:
    """Install the stubs where Forge is absent. True when they were installed."""
    installed = False
    if _missing("gradio"):
        sys.modules["gradio"] = _make_gradio()
        installed = True
    if _missing("modules") or _missing("modules.scripts"):
        sys.modules.update(_make_modules())
        installed = True
    return installed


@contextlib.contextmanager
def quiet_stderr():
    import io

    old, sys.stderr = sys.stderr, io.StringIO()
    try:
        yield
    finally:
        sys.stderr = old
