"""Where the ComfyUI extension keeps its StableQueue settings, secret included.

A JSON file on the ComfyUI server (ComfyUI's user folder when known, else beside the
extension), written atomically and readable by its owner only. The browser only ever
gets ``public()``: the URL, defaults, and whether a key and a secret are set, never the
secret. Environment variables (STABLEQUEUE_URL, STABLEQUEUE_API_KEY,
STABLEQUEUE_API_SECRET) fill what the file leaves empty, for containers.

Changing the URL drops the stored key and secret unless new ones come in the same
update, so a page that can reach ComfyUI cannot point it at another host and collect
the secret with the next queued job.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import threading
from typing import Any, Mapping

from .client import DEFAULT_URL, StableQueueError, normalize_base_url

__all__ = ["SettingsStore", "SettingsError", "default_settings_path"]

_ALIAS = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 _.-]{0,63}$")
_FIELDS = ("url", "api_key", "api_secret", "default_server", "default_priority", "randomize_seed", "poll_seconds")


class SettingsError(ValueError):
    """A bad value in a settings update (shown to the user as is)."""


def default_settings_path(extension_dir: str, user_dir: str | None = None) -> str:
    if user_dir:
        return os.path.join(user_dir, "stablequeue", "settings.json")
    return os.path.join(extension_dir, "stablequeue.settings.json")


class SettingsStore:
    def __init__(self, path: str, env: Mapping[str, str] | None = None) -> None:
        self.path = path
        self.env = os.environ if env is None else env
        self._lock = threading.Lock()

    # ------------------------------------------------------------------ read

    def _read_file(self) -> dict[str, Any]:
        try:
            with open(self.path, encoding="utf-8") as fh:
                data = json.load(fh)
            return data if isinstance(data, dict) else {}
        except FileNotFoundError:
            return {}
        except (OSError, ValueError):
            return {}

    def load(self) -> dict[str, Any]:
        data = self._read_file()
        env = self.env
        return {
            "url": data.get("url") or env.get("STABLEQUEUE_URL") or DEFAULT_URL,
            "api_key": data.get("api_key") or env.get("STABLEQUEUE_API_KEY") or "",
            "api_secret": data.get("api_secret") or env.get("STABLEQUEUE_API_SECRET") or "",
            "default_server": data.get("default_server") or "auto",
            "default_priority": _int(data.get("default_priority"), 5, 1, 10),
            "randomize_seed": bool(data.get("randomize_seed", False)),
            "poll_seconds": _int(data.get("poll_seconds"), 2, 1, 60),
        }

    def public(self) -> dict[str, Any]:
        s = self.load()
        key = s["api_key"]
        return {
            "url": s["url"],
            "api_key_set": bool(key),
            "api_key_hint": (key[:4] + "…") if len(key) > 6 else ("set" if key else ""),
            "api_secret_set": bool(s["api_secret"]),
            "default_server": s["default_server"],
            "default_priority": s["default_priority"],
            "randomize_seed": s["randomize_seed"],
            "poll_seconds": s["poll_seconds"],
        }

    # ------------------------------------------------------------------ write

    def update(self, patch: Any) -> dict[str, Any]:
        """Apply a partial update from the browser; returns ``public()``.

        Empty or missing ``api_key`` / ``api_secret`` keep the stored ones;
        ``clear_credentials: true`` removes them.
        """
        if not isinstance(patch, dict):
            raise SettingsError("settings must be a JSON object")
        unknown = set(patch) - set(_FIELDS) - {"clear_credentials"}
        if unknown:
            raise SettingsError(f"unknown settings: {', '.join(sorted(unknown))}")
        with self._lock:
            data = self._read_file()
            current_url = data.get("url") or self.env.get("STABLEQUEUE_URL") or DEFAULT_URL
            if "url" in patch:
                try:
                    url = normalize_base_url(str(patch["url"] or ""))
                except StableQueueError as exc:
                    raise SettingsError(exc.message) from None
                if url != normalize_base_url(current_url) and not (patch.get("api_key") or patch.get("api_secret")):
                    data.pop("api_key", None)
                    data.pop("api_secret", None)
                data["url"] = url
            for name in ("api_key", "api_secret"):
                value = patch.get(name)
                if value is None or value == "":
                    continue
                if not isinstance(value, str) or len(value) > 512 or any(c in value for c in "\r\n"):
                    raise SettingsError(f"{name} is not valid")
                data[name] = value.strip()
            if patch.get("clear_credentials") is True:
                data.pop("api_key", None)
                data.pop("api_secret", None)
            if "default_server" in patch:
                alias = str(patch["default_server"] or "auto").strip() or "auto"
                if alias != "auto" and not _ALIAS.match(alias):
                    raise SettingsError("default_server must be a server alias or 'auto'")
                data["default_server"] = alias
            if "default_priority" in patch:
                data["default_priority"] = _int(patch["default_priority"], None, 1, 10, strict=True)
            if "poll_seconds" in patch:
                data["poll_seconds"] = _int(patch["poll_seconds"], None, 1, 60, strict=True)
            if "randomize_seed" in patch:
                data["randomize_seed"] = bool(patch["randomize_seed"])
            self._write(data)
        return self.public()

    def _write(self, data: dict[str, Any]) -> None:
        folder = os.path.dirname(self.path) or "."
        os.makedirs(folder, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".stablequeue-", suffix=".json", dir=folder)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(data, fh, indent=2)
                fh.flush()
                os.fsync(fh.fileno())
            try:
                os.chmod(tmp, 0o600)
            except OSError:
                pass
            os.replace(tmp, self.path)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise


def _int(value: Any, default: int | None, low: int, high: int, *, strict: bool = False) -> int:
    try:
        number = int(value)
        if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
            raise ValueError
    except (TypeError, ValueError):
        if strict or default is None:
            raise SettingsError(f"expected a whole number from {low} to {high}") from None
        return default
    if strict and not low <= number <= high:
        raise SettingsError(f"expected a whole number from {low} to {high}")
    return max(low, min(high, number))
