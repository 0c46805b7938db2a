"""aiohttp routes on ComfyUI's PromptServer, each a thin shell around ``Forwarder``.

    GET  /stablequeue/settings          public settings (never the secret)
    POST /stablequeue/settings          update them
    POST /stablequeue/queue             {workflow, workflow_ui?, target_server_alias?, priority?, randomize_seed?}
    GET  /stablequeue/status/{job_id}   the job's status from StableQueue
    POST /stablequeue/cancel/{job_id}   {}   cancel one of our jobs
    POST /stablequeue/retry/{job_id}    {}   queue a failed or cancelled one again
    POST /stablequeue/top/{job_id}      {}   move a waiting one to the top
    GET  /stablequeue/jobs?status=&limit=   the jobs this extension sent (this key's), with queue_position
    GET  /stablequeue/servers           StableQueue's ComfyUI servers

ComfyUI serves every route under /api too. The blocking HTTP call to StableQueue runs in
a thread so ComfyUI's event loop never waits on it. Writes must be JSON: a cross-site
form cannot post here without a CORS preflight, and ComfyUI itself rejects foreign
Origins on loopback.
"""

from __future__ import annotations

import asyncio
from typing import Any

from .forwarder import JOB_ACTIONS, Forwarder

__all__ = ["register_routes", "PREFIX"]

PREFIX = "/stablequeue"


def register_routes(routes: Any, forwarder: Forwarder, web: Any = None) -> None:
    if web is None:
        from aiohttp import web  # noqa: PLC0415 - only inside ComfyUI

    async def run(fn, *args):
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(None, fn, *args)

    def respond(result):
        status, body = result
        return web.json_response(body, status=status, headers={"Cache-Control": "no-store"})

    async def json_body(request):
        if request.content_type != "application/json":
            return None, respond((415, {"error": "unsupported_media_type", "message": "send JSON"}))
        try:
            return await request.json(), None
        except Exception:  # noqa: BLE001 - any parse error is the client's
            return None, respond((400, {"error": "invalid_json", "message": "the body is not valid JSON"}))

    @routes.get(PREFIX + "/settings")
    async def get_settings(request):
        return respond(await run(forwarder.get_settings))

    @routes.post(PREFIX + "/settings")
    async def post_settings(request):
        body, error = await json_body(request)
        if error is not None:
            return error
        return respond(await run(forwarder.update_settings, body))

    @routes.post(PREFIX + "/queue")
    async def post_queue(request):
        body, error = await json_body(request)
        if error is not None:
            return error
        return respond(await run(forwarder.queue, body))

    @routes.get(PREFIX + "/status/{job_id}")
    async def get_status(request):
        return respond(await run(forwarder.status, request.match_info.get("job_id", "")))

    def job_action_route(action):
        async def post_job_action(request):
            _body, error = await json_body(request)
            if error is not None:
                return error
            return respond(await run(forwarder.job_action, action, request.match_info.get("job_id", "")))

        routes.post(f"{PREFIX}/{action}/{{job_id}}")(post_job_action)

    for action in JOB_ACTIONS:
        job_action_route(action)

    @routes.get(PREFIX + "/jobs")
    async def get_jobs(request):
        return respond(await run(forwarder.jobs, dict(request.query)))

    @routes.get(PREFIX + "/servers")
    async def get_servers(request):
        return respond(await run(forwarder.servers))
