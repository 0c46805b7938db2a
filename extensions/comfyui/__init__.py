"""StableQueue for ComfyUI: "Queue in StableQueue" in ComfyUI's menu.

The browser part (web/js) turns the current graph into ComfyUI's API format and posts it
to this extension's own routes on the ComfyUI server; this side adds the StableQueue API
key and secret (kept in a settings file on the server, never sent to the browser) and
forwards the job to StableQueue's /api/v2/generate with app_type "comfyui".

It adds no nodes. Install: copy or symlink this folder to ComfyUI/custom_nodes/stablequeue.
"""

import logging
import os

from .stablequeue_core.forwarder import Forwarder
from .stablequeue_core.settings import SettingsStore, default_settings_path

NODE_CLASS_MAPPINGS = {}
NODE_DISPLAY_NAME_MAPPINGS = {}
WEB_DIRECTORY = "./web/js"

__all__ = ["NODE_CLASS_MAPPINGS", "NODE_DISPLAY_NAME_MAPPINGS", "WEB_DIRECTORY"]

_log = logging.getLogger("stablequeue")
_EXTENSION_DIR = os.path.dirname(os.path.abspath(__file__))


def _user_dir():
    try:
        import folder_paths  # ComfyUI's own module

        return folder_paths.get_user_directory()
    except Exception:  # noqa: BLE001 - outside ComfyUI, or an old one
        return None


def _register():
    try:
        from server import PromptServer  # ComfyUI's own module
    except Exception:  # noqa: BLE001 - imported outside ComfyUI (tests, tools)
        return None
    instance = getattr(PromptServer, "instance", None)
    if instance is None:
        return None
    from .stablequeue_core.routes import register_routes

    store = SettingsStore(default_settings_path(_EXTENSION_DIR, _user_dir()))
    forwarder = Forwarder(store)
    register_routes(instance.routes, forwarder)
    _log.info("StableQueue: routes registered; settings in %s", store.path)
    return forwarder


FORWARDER = _register()
