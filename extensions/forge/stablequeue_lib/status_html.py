"""HTML for the "recent jobs" panel of the Forge extension (pure, escaped).

Waiting jobs show their place in StableQueue's whole queue (``#3``). With ``actions``,
each row gets the buttons that make sense for its state (move to the top, cancel, retry);
a button carries ``data-sq-action`` and ``data-sq-job`` for the page script, which sends
them back to ``job_actions``.
"""

from __future__ import annotations

import html
from typing import Any, Iterable

__all__ = ["render_jobs", "render_message", "ACTIVE_STATUSES", "ACTIONS_BY_STATUS"]

ACTIVE_STATUSES = ("pending", "downloading_resources", "processing")

ACTIONS_BY_STATUS: dict[str, tuple[str, ...]] = {
    "pending": ("top", "cancel"),
    "downloading_resources": ("cancel",),
    "processing": ("cancel",),
    "completed": (),
    "failed": ("retry",),
    "cancelled": ("retry",),
}

# action -> (button text, tooltip)
_BUTTONS = {
    "top": ("Top", "Run this job next (first among the jobs of its priority)"),
    "cancel": ("Cancel", "Cancel this job"),
    "retry": ("Retry", "Queue this job again"),
}

_LABELS = {
    "pending": "waiting",
    "downloading_resources": "downloading models",
    "processing": "running",
    "completed": "done",
    "failed": "failed",
    "cancelled": "cancelled",
}


def render_message(text: str, kind: str = "info") -> str:
    kind = kind if kind in ("info", "ok", "error") else "info"
    return f'<div class="stablequeue-message stablequeue-{kind}">{html.escape(text)}</div>'


def _short(text: Any, limit: int = 80) -> str:
    text = "" if text is None else str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _buttons(job_id: str, status: str, position: Any) -> str:
    parts = []
    for action in ACTIONS_BY_STATUS.get(status, ()):
        if action == "top" and position == 1:
            continue  # already next
        text, tip = _BUTTONS[action]
        parts.append(
            f'<button type="button" class="stablequeue-action" data-sq-action="{action}" '
            f'data-sq-job="{html.escape(job_id, quote=True)}" title="{html.escape(tip, quote=True)}">{text}</button>'
        )
    return "".join(parts)


def render_jobs(jobs: Iterable[dict[str, Any]], *, base_url: str = "", last_message: str | None = None,
                last_kind: str = "info", actions: bool = False) -> str:
    jobs = [j for j in jobs if isinstance(j, dict)]
    active = sum(1 for j in jobs if j.get("status") in ACTIVE_STATUSES)
    parts = [f'<div class="stablequeue-status" data-active="{active}">']
    if last_message:
        parts.append(render_message(last_message, last_kind))
    if not jobs:
        parts.append('<div class="stablequeue-empty">No recent StableQueue jobs from Forge.</div>')
    else:
        columns = 5 if actions else 4
        parts.append('<table class="stablequeue-jobs"><thead><tr>'
                     "<th>Job</th><th>Status</th><th>Server</th><th>Prompt</th>"
                     + ("<th></th>" if actions else "") + "</tr></thead><tbody>")
        for job in jobs:
            job_id = str(job.get("mobilesd_job_id") or job.get("id") or "")
            status = str(job.get("status") or "")
            label = _LABELS.get(status, status)
            progress = job.get("progress")
            if status == "processing" and isinstance(progress, (int, float)):
                label += f" {int(progress)}%"
            position = job.get("queue_position")
            if status == "pending" and isinstance(position, int) and position > 0:
                label += f" (#{position})"
            error = job.get("error_message")
            title = f' title="{html.escape(str(error))}"' if error else ""
            parts.append(
                "<tr>"
                f"<td><code>{html.escape(job_id[:8])}</code></td>"
                f'<td class="stablequeue-state stablequeue-{html.escape(status)}"{title}>{html.escape(label)}</td>'
                f"<td>{html.escape(str(job.get('target_server_alias') or ''))}</td>"
                f"<td>{html.escape(_short(job.get('positive_prompt')))}</td>"
                + (f'<td class="stablequeue-actions">{_buttons(job_id, status, position)}</td>' if actions else "")
                + "</tr>"
            )
            # Extension arguments the server's version did not take (they were ignored there).
            warnings = job.get("script_warnings")
            for warning in warnings if isinstance(warnings, list) else []:
                parts.append(
                    f'<tr class="stablequeue-warning"><td></td><td colspan="{columns - 1}">'
                    f"⚠ {html.escape(str(warning))}</td></tr>"
                )
        parts.append("</tbody></table>")
    if base_url:
        safe = html.escape(base_url, quote=True)
        parts.append(f'<div class="stablequeue-link"><a href="{safe}" target="_blank" rel="noopener">Open StableQueue</a></div>')
    parts.append("</div>")
    return "".join(parts)
