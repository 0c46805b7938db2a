"""A small client for StableQueue's HTTP API, on the standard library only.

The same file ships in the Forge extension (``stablequeue_lib/client.py``) and the
ComfyUI extension (``stablequeue_core/client.py``); a test keeps the two identical.

Every failure is a ``StableQueueError`` whose ``user_message`` says what happened and
what to do: StableQueue not reachable, key refused (401), key not allowed (403), rate
limited (429, with the wait), job rejected (4xx with StableQueue's own message), …
The API key and secret go in ``X-API-Key`` / ``X-API-Secret`` and are never followed
to another host: redirects are refused rather than followed.
"""

from __future__ import annotations

import json
import math
import socket
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

__all__ = ["StableQueueClient", "StableQueueError", "DEFAULT_URL", "normalize_base_url"]

DEFAULT_URL = "http://localhost:3000"
USER_AGENT = "StableQueue-extension/1.0"
_TERMINAL = ("completed", "failed", "cancelled")


class StableQueueError(Exception):
    """A failed call. ``kind`` is one of: config, unreachable, timeout, auth, forbidden,
    rate_limited, too_large, not_found, rejected, server, bad_response."""

    def __init__(
        self,
        kind: str,
        message: str,
        *,
        status: int | None = None,
        code: str | None = None,
        details: Any = None,
        retry_after: float | None = None,
        base_url: str = "",
    ) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.status = status
        self.code = code
        self.details = details
        self.retry_after = retry_after
        self.base_url = base_url

    @property
    def user_message(self) -> str:
        where = self.base_url or "the configured URL"
        if self.kind == "config":
            return f"StableQueue is not set up: {self.message}"
        if self.kind == "unreachable":
            return (
                f"StableQueue is not reachable at {where} ({self.message}). "
                "Is it running, and is the URL in the StableQueue settings right?"
            )
        if self.kind == "timeout":
            return f"StableQueue at {where} did not answer in time ({self.message})."
        if self.kind == "auth":
            return (
                f"StableQueue refused the API key (401: {self.message}). "
                "Check the API key and secret in the StableQueue settings."
            )
        if self.kind == "forbidden" and self.code == "not_your_job":
            return (
                "That job was sent by someone else (another API key or StableQueue's own page); "
                "this API key may only cancel, retry or move its own jobs."
            )
        if self.kind == "forbidden":
            return (
                f"This API key is not allowed to do that (403: {self.message}). "
                "Give the key the 'submit' and 'read' permissions in StableQueue."
            )
        if self.kind == "rate_limited":
            wait = f" Try again in {math.ceil(self.retry_after)} s." if self.retry_after else " Try again shortly."
            return f"StableQueue is rate limiting this key (429: {self.message}).{wait}"
        if self.kind == "too_large":
            return f"The job is too large for StableQueue (413: {self.message}). Use smaller input images."
        if self.kind == "not_found":
            return f"Not found in StableQueue (404: {self.message})."
        if self.kind == "rejected":
            return f"StableQueue rejected the job ({self.status} {self.code or ''}: {self.message})".replace(" :", ":")
        if self.kind == "server":
            return f"StableQueue had an error ({self.status}: {self.message})."
        return f"Unexpected answer from StableQueue at {where}: {self.message}"

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "error": self.code or self.kind,
            "message": self.user_message,
            "kind": self.kind,
        }
        if self.status is not None:
            body["status"] = self.status
        if self.retry_after is not None:
            body["retry_after"] = self.retry_after
        if self.details is not None:
            body["details"] = self.details
        return body


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: D401, ANN001
        return None  # the 3xx surfaces as an HTTPError; credentials never follow it


def normalize_base_url(url: str | None) -> str:
    url = (url or "").strip() or DEFAULT_URL
    if "://" not in url:
        url = "http://" + url
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise StableQueueError("config", f"the URL {url!r} is not an http(s) URL")
    path = parts.path.rstrip("/")
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


class StableQueueClient:
    def __init__(
        self,
        base_url: str | None = DEFAULT_URL,
        api_key: str = "",
        api_secret: str = "",
        *,
        timeout: float = 15.0,
        submit_timeout: float = 60.0,
        use_env_proxy: bool = False,
    ) -> None:
        self.base_url = normalize_base_url(base_url)
        self.api_key = (api_key or "").strip()
        self.api_secret = (api_secret or "").strip()
        self.timeout = timeout
        self.submit_timeout = submit_timeout
        handlers: list[Any] = [_NoRedirect()]
        if not use_env_proxy:
            handlers.append(urllib.request.ProxyHandler({}))
        self._opener = urllib.request.build_opener(*handlers)

    # ------------------------------------------------------------------ plumbing

    def url(self, path: str) -> str:
        """Absolute URL for an API path, or a URL StableQueue returned (kept on its host)."""
        if path.startswith(("http://", "https://")):
            return path
        return self.base_url + "/" + path.lstrip("/")

    def _headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        headers = {"Accept": "application/json", "User-Agent": USER_AGENT}
        if self.api_key:
            headers["X-API-Key"] = self.api_key
        if self.api_secret:
            headers["X-API-Secret"] = self.api_secret
        headers.update(extra or {})
        return headers

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        timeout: float | None = None,
        raw: bool = False,
    ) -> Any:
        data = None
        extra = {}
        if body is not None:
            try:
                data = json.dumps(body, allow_nan=False, separators=(",", ":")).encode("utf-8")
            except (TypeError, ValueError) as exc:
                raise StableQueueError("bad_response", f"the request is not valid JSON: {exc}") from exc
            extra["Content-Type"] = "application/json"
        req = urllib.request.Request(self.url(path), data=data, method=method, headers=self._headers(extra))
        try:
            with self._opener.open(req, timeout=timeout or self.timeout) as resp:
                payload = resp.read()
                if raw:
                    return payload, resp.headers.get("Content-Type", "")
                return self._parse_json(payload, resp.status)
        except urllib.error.HTTPError as exc:
            raise self._http_error(exc) from None
        except urllib.error.URLError as exc:
            reason = exc.reason
            if isinstance(reason, (socket.timeout, TimeoutError)):
                raise StableQueueError("timeout", str(reason) or "timed out", base_url=self.base_url) from None
            raise StableQueueError("unreachable", str(reason), base_url=self.base_url) from None
        except (socket.timeout, TimeoutError) as exc:
            raise StableQueueError("timeout", str(exc) or "timed out", base_url=self.base_url) from None
        except (ConnectionError, OSError) as exc:
            raise StableQueueError("unreachable", str(exc), base_url=self.base_url) from None

    def _parse_json(self, payload: bytes, status: int) -> Any:
        if not payload:
            return None
        try:
            return json.loads(payload.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            snippet = payload[:200].decode("utf-8", "replace")
            raise StableQueueError(
                "bad_response", f"HTTP {status} with a body that is not JSON: {snippet!r}", status=status,
                base_url=self.base_url,
            ) from None

    def _http_error(self, exc: urllib.error.HTTPError) -> StableQueueError:
        status = exc.code
        try:
            text = exc.read().decode("utf-8", "replace")
        except Exception:  # noqa: BLE001
            text = ""
        code, message, details = None, "", None
        try:
            body = json.loads(text) if text else None
        except ValueError:
            body = None
        if isinstance(body, dict):
            # /api/v2 puts the stable code in "code" and the sentence in "error"; /api/v1 the code in "error".
            raw_code = body.get("code") if isinstance(body.get("code"), str) else body.get("error")
            code = raw_code if isinstance(raw_code, str) else None
            message = body.get("message") or body.get("detail") or code or ""
            details = body.get("details")
        if not isinstance(message, str):
            message = json.dumps(message)
        message = message or (text[:200].strip() or exc.reason or f"HTTP {status}")
        kind = {
            401: "auth",
            403: "forbidden",
            404: "not_found",
            413: "too_large",
            429: "rate_limited",
        }.get(status)
        if kind is None:
            if 300 <= status < 400:
                kind, message = "bad_response", f"redirected to {exc.headers.get('Location', '?')}; not followed"
            elif status >= 500:
                kind = "server"
            else:
                kind = "rejected"
        return StableQueueError(
            kind,
            message,
            status=status,
            code=code,
            details=details,
            retry_after=_retry_after(exc.headers.get("Retry-After") if exc.headers else None),
            base_url=self.base_url,
        )

    # ------------------------------------------------------------------ API

    def health(self) -> Any:
        return self.request("GET", "/api/v1/health")

    def list_servers(self, app_type: str | None = None) -> list[dict[str, Any]]:
        servers = self.request("GET", "/api/v1/servers")
        if isinstance(servers, dict):  # tolerate {servers: [...]}
            servers = servers.get("servers", [])
        servers = [s for s in servers or [] if isinstance(s, dict)]
        if app_type:
            servers = [s for s in servers if s.get("app_type") in (None, app_type)]
        return servers

    def generate(
        self,
        *,
        app_type: str,
        generation_params: dict[str, Any],
        target_server_alias: str | None = "auto",
        priority: int | None = None,
        source_info: str | None = None,
        mode: str | None = None,
    ) -> dict[str, Any]:
        body: dict[str, Any] = {
            "app_type": app_type,
            "target_server_alias": (target_server_alias or "auto").strip() or "auto",
            "generation_params": generation_params,
        }
        if priority is not None:
            body["priority"] = max(1, min(10, int(priority)))
        if source_info:
            body["source_info"] = source_info
        if mode:
            body["mode"] = mode
        result = self.request("POST", "/api/v2/generate", body, timeout=self.submit_timeout)
        if not isinstance(result, dict) or not result.get("mobilesd_job_id"):
            raise StableQueueError("bad_response", f"no job id in {str(result)[:200]}", base_url=self.base_url)
        return result

    @staticmethod
    def _job_path(job_id: str, action: str) -> str:
        return f"/api/v1/queue/jobs/{urllib.parse.quote(str(job_id), safe='')}/{action}"

    def job_status(self, job_id: str) -> dict[str, Any]:
        """The job as StableQueue sees it; ``queue_position`` is its place while it waits."""
        return self.request("GET", self._job_path(job_id, "status"))

    def list_jobs(
        self,
        *,
        app_type: str | None = None,
        status: str | list[str] | None = None,
        limit: int = 20,
        source: str | None = None,
        mine: bool = False,
    ) -> dict[str, Any]:
        """Recent jobs, newest activity first; waiting ones carry their ``queue_position``.

        ``source`` keeps the jobs one extension sent (its ``source_info``); ``mine`` keeps the
        jobs of this client's API key (StableQueue answers 400 when no key is set).
        """
        query: dict[str, Any] = {"limit": max(1, min(200, int(limit)))}
        if app_type:
            query["app_type"] = app_type
        if status:
            query["status"] = status if isinstance(status, str) else ",".join(status)
        if source:
            query["source"] = source
        if mine:
            query["mine"] = "true"
        result = self.request("GET", "/api/v1/queue/jobs?" + urllib.parse.urlencode(query))
        if isinstance(result, list):  # tolerate a bare list
            result = {"jobs": result, "total": len(result)}
        return result or {"jobs": [], "total": 0}

    def list_own_jobs(
        self, source: str, *, status: str | list[str] | None = None, limit: int = 20
    ) -> dict[str, Any]:
        """The jobs this extension sent: with an API key, this key's jobs from ``source``;
        without one (a StableQueue that does not check keys), every job from ``source``."""
        return self.list_jobs(source=source, mine=bool(self.api_key), status=status, limit=limit)

    # An API key with the 'submit' permission may do these to the jobs it submitted itself;
    # another key's job answers 403 (kind "forbidden", code "not_your_job").

    def cancel_job(self, job_id: str) -> Any:
        return self.request("POST", self._job_path(job_id, "cancel"), {})

    def retry_job(self, job_id: str) -> Any:
        """A failed or cancelled job waits again, at the end of the queue."""
        return self.request("POST", self._job_path(job_id, "retry"), {})

    def move_to_top(self, job_id: str) -> Any:
        """A waiting job goes first among the jobs of its priority."""
        return self.request("POST", self._job_path(job_id, "reorder"), {"to": "top"})

    def download(self, url: str) -> tuple[bytes, str]:
        """Bytes and content type of an image URL StableQueue returned."""
        # Only the path is taken from the URL: the request (and the key) always goes to
        # the configured StableQueue, whatever host name the URL was built with.
        parts = urllib.parse.urlsplit(url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        base_path = urllib.parse.urlsplit(self.base_url).path
        if base_path and path.startswith(base_path + "/"):
            path = path[len(base_path):]
        return self.request("GET", path, raw=True)

    def wait_for_job(self, job_id: str, *, timeout: float = 300.0, interval: float = 0.5, sleep=None, clock=None) -> dict[str, Any]:
        """Poll the status until the job is completed, failed or cancelled."""
        import time  # noqa: PLC0415

        sleep = sleep or time.sleep
        clock = clock or time.monotonic
        deadline = clock() + timeout
        while True:
            status = self.job_status(job_id)
            if status.get("status") in _TERMINAL:
                return status
            if clock() >= deadline:
                raise StableQueueError(
                    "timeout", f"job {job_id} still {status.get('status')} after {timeout:.0f} s", base_url=self.base_url
                )
            sleep(interval)
