"""What the ComfyUI extension's routes do, without ComfyUI or aiohttp.

Each method takes what the browser sent and returns ``(http_status, json_body)``. The
browser never talks to StableQueue itself: this side adds the API key and secret, so the
secret stays on the ComfyUI server. Errors keep StableQueue's shape
``{error, message, details?}`` with a message meant for people.
"""

from __future__ import annotations

import re
from typing import Any, Callable

from .client import StableQueueClient, StableQueueError
from .settings import SettingsError, SettingsStore

__all__ = ["Forwarder", "validate_workflow", "JOB_ACTIONS", "SOURCE_INFO"]

SOURCE_INFO = "comfyui_extension"  # the source_info of our jobs; the job list shows these
JOB_ACTIONS: dict[str, Callable[[StableQueueClient, str], Any]] = {
    "cancel": StableQueueClient.cancel_job,
    "retry": StableQueueClient.retry_job,
    "top": StableQueueClient.move_to_top,
}

_JOB_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_ALIAS = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 _.-]{0,63}$")
_STATUSES = {"pending", "downloading_resources", "processing", "completed", "failed", "cancelled"}
_MAX_NODES = 5000

Result = tuple[int, Any]


def _error(status: int, code: str, message: str, details: Any = None) -> Result:
    body: dict[str, Any] = {"error": code, "message": message}
    if details is not None:
        body["details"] = details
    return status, body


def _from_stablequeue(exc: StableQueueError) -> Result:
    # StableQueue's own 4xx go back with their status; being unreachable or broken is a 502.
    if exc.kind in ("unreachable", "bad_response", "server"):
        status = 502
    elif exc.kind == "timeout":
        status = 504
    elif exc.kind == "config":
        status = 400
    else:
        status = exc.status or 502
    return status, exc.to_dict()


def validate_workflow(workflow: Any) -> str | None:
    """Why ``workflow`` is not an API-format graph, or None when it looks like one."""
    if not isinstance(workflow, dict) or not workflow:
        return "workflow must be a non-empty object of nodes (ComfyUI's API format)"
    if len(workflow) > _MAX_NODES:
        return f"workflow has more than {_MAX_NODES} nodes"
    for node_id, node in workflow.items():
        if not isinstance(node, dict) or not isinstance(node.get("class_type"), str):
            return f"node {node_id!r} has no class_type: is this the UI format instead of the API format?"
        if not isinstance(node.get("inputs", {}), dict):
            return f"node {node_id!r} has inputs that are not an object"
    return None


class Forwarder:
    def __init__(
        self,
        store: SettingsStore,
        client_factory: Callable[..., StableQueueClient] = StableQueueClient,
    ) -> None:
        self.store = store
        self.client_factory = client_factory

    def client(self) -> StableQueueClient:
        s = self.store.load()
        return self.client_factory(s["url"], s["api_key"], s["api_secret"])

    # ------------------------------------------------------------------ settings

    def get_settings(self) -> Result:
        return 200, self.store.public()

    def update_settings(self, body: Any) -> Result:
        try:
            return 200, self.store.update(body)
        except SettingsError as exc:
            return _error(400, "invalid_settings", str(exc))

    # ------------------------------------------------------------------ jobs

    def queue(self, body: Any) -> Result:
        if not isinstance(body, dict):
            return _error(400, "validation_error", "send a JSON object with the workflow")
        workflow = body.get("workflow")
        problem = validate_workflow(workflow)
        if problem:
            return _error(400, "validation_error", problem)
        workflow_ui = body.get("workflow_ui")
        if workflow_ui is not None and not isinstance(workflow_ui, dict):
            return _error(400, "validation_error", "workflow_ui must be an object (ComfyUI's UI workflow)")

        s = self.store.load()
        alias = body.get("target_server_alias") or s["default_server"] or "auto"
        if not isinstance(alias, str) or (alias != "auto" and not _ALIAS.match(alias)):
            return _error(400, "validation_error", "target_server_alias must be a server alias or 'auto'")
        priority = body.get("priority", s["default_priority"])
        if isinstance(priority, bool) or not isinstance(priority, (int, float)) or not 1 <= priority <= 10:
            return _error(400, "validation_error", "priority must be a number from 1 to 10")
        randomize = body.get("randomize_seed", s["randomize_seed"])

        params: dict[str, Any] = {"workflow": workflow}
        if workflow_ui is not None:
            params["workflow_ui"] = workflow_ui
        if randomize:
            params["randomize_seed"] = True
        try:
            response = self.client().generate(
                app_type="comfyui",
                generation_params=params,
                target_server_alias=alias,
                priority=int(priority),
                source_info=SOURCE_INFO,
            )
        except StableQueueError as exc:
            return _from_stablequeue(exc)
        return 200, response

    def status(self, job_id: str) -> Result:
        if not isinstance(job_id, str) or not _JOB_ID.match(job_id):
            return _error(400, "validation_error", "not a job id")
        try:
            return 200, self.client().job_status(job_id)
        except StableQueueError as exc:
            return _from_stablequeue(exc)

    def job_action(self, action: str, job_id: str) -> Result:
        """Cancel, retry or move to the top one job. StableQueue lets the API key do this to
        the jobs it sent itself and answers 403 for any other (passed on as is)."""
        method = JOB_ACTIONS.get(action)
        if method is None:
            return _error(404, "not_found", f"unknown job action {action!r}; use one of {', '.join(JOB_ACTIONS)}")
        if not isinstance(job_id, str) or not _JOB_ID.match(job_id):
            return _error(400, "validation_error", "not a job id")
        try:
            return 200, method(self.client(), job_id) or {"success": True}
        except StableQueueError as exc:
            return _from_stablequeue(exc)

    def jobs(self, query: dict[str, str] | None = None) -> Result:
        query = query or {}
        statuses = [s for s in (query.get("status") or "").split(",") if s]
        if any(s not in _STATUSES for s in statuses):
            return _error(400, "validation_error", "unknown status in the filter")
        try:
            limit = int(query.get("limit") or 20)
        except ValueError:
            return _error(400, "validation_error", "limit must be a number")
        try:
            return 200, self.client().list_own_jobs(SOURCE_INFO, status=statuses or None, limit=limit)
        except StableQueueError as exc:
            return _from_stablequeue(exc)

    def servers(self) -> Result:
        try:
            servers = self.client().list_servers(app_type="comfyui")
        except StableQueueError as exc:
            return _from_stablequeue(exc)
        keep = ("alias", "app_type", "status", "enabled")
        return 200, [{k: s[k] for k in keep if k in s} for s in servers]
