"""Queue control from the Forge panel: cancel, retry or move one of this extension's jobs.

Each row of the panel's job list has buttons (``status_html``) that, through the page
script, put ``"<action>:<job id>"`` into a hidden textbox and press a hidden button; the
script hands that command here. StableQueue decides what the API key may do: a key with
the 'submit' permission may act on the jobs it sent itself, any other job answers 403.
"""

from __future__ import annotations

import re
from typing import Any, Callable

from .client import StableQueueClient, StableQueueError

__all__ = ["ACTIONS", "parse_command", "run_job_action"]

ACTIONS: dict[str, Callable[[StableQueueClient, str], Any]] = {
    "cancel": StableQueueClient.cancel_job,
    "retry": StableQueueClient.retry_job,
    "top": StableQueueClient.move_to_top,
}
_COMMAND = re.compile(r"^(%s):([A-Za-z0-9-]{1,64})$" % "|".join(ACTIONS))


def parse_command(command: Any) -> tuple[str, str] | None:
    """``(action, job_id)`` from ``"top:<uuid>"``, or None for anything else."""
    if not isinstance(command, str):
        return None
    match = _COMMAND.match(command.strip())
    return (match.group(1), match.group(2)) if match else None


def _place(client: StableQueueClient, job_id: str) -> str:
    try:
        position = client.job_status(job_id).get("queue_position")
    except StableQueueError:
        return ""
    return f" (#{position} in the queue)" if isinstance(position, int) and position > 0 else ""


def run_job_action(client: StableQueueClient, command: Any) -> tuple[str, bool]:
    """Does what the button asked; returns the sentence to show and whether it worked."""
    parsed = parse_command(command)
    if parsed is None:
        return "StableQueue: that button did not name a job; refresh the job list.", False
    action, job_id = parsed
    method = ACTIONS[action]
    short = job_id[:8]
    try:
        job = method(client, job_id)
    except StableQueueError as exc:
        return f"Job {short}: {exc.user_message}", False
    status = job.get("status") if isinstance(job, dict) else None
    if action == "cancel":
        return (f"Job {short} cancelled." if status in (None, "cancelled") else f"Job {short} is being cancelled."), True
    if action == "retry":
        return f"Job {short} is waiting again{_place(client, job_id)}.", True
    return f"Job {short} moved to the top{_place(client, job_id)}.", True
