"""The ComfyUI extension's Python side, without ComfyUI: settings store, forwarder, routes.

StableQueue is a scripted stub on loopback; aiohttp and ComfyUI's PromptServer are
stand-ins (neither is installed here) that record the routes the extension registers and
call them as aiohttp would.
"""

import asyncio
import importlib.util
import json
import os
import stat
import sys
import tempfile
import types
import unittest

import sqtest_paths

if sqtest_paths.COMFY_EXTENSION not in sys.path:
    sys.path.insert(0, sqtest_paths.COMFY_EXTENSION)

from stablequeue_core.forwarder import Forwarder, validate_workflow  # noqa: E402
from stablequeue_core.routes import register_routes  # noqa: E402
from stablequeue_core.settings import SettingsStore  # noqa: E402
from stub_stablequeue import StubStableQueue, closed_port_url  # noqa: E402

WORKFLOW = {
    "1": {"class_type": "EmptyImage", "inputs": {"width": 64, "height": 64, "batch_size": 1, "color": 255}},
    "2": {"class_type": "SaveImage", "inputs": {"images": ["1", 0], "filename_prefix": "sq"}},
}
WORKFLOW_UI = {"last_node_id": 2, "nodes": [{"id": 1, "type": "EmptyImage"}, {"id": 2, "type": "SaveImage"}], "links": []}


class SettingsStoreTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.path = os.path.join(self.dir.name, "user", "stablequeue", "settings.json")
        self.store = SettingsStore(self.path, env={})

    def tearDown(self):
        self.dir.cleanup()

    def test_defaults_and_env(self):
        self.assertEqual(self.store.load()["url"], "http://localhost:3000")
        store = SettingsStore(self.path, env={"STABLEQUEUE_URL": "http://sq:3000", "STABLEQUEUE_API_SECRET": "s"})
        self.assertEqual(store.load()["url"], "http://sq:3000")
        self.assertTrue(store.public()["api_secret_set"])

    def test_secret_is_never_public_and_file_is_private(self):
        public = self.store.update({"url": "http://sq.lan:3000", "api_key": "sqk_1234567890", "api_secret": "TOPSECRET"})
        self.assertNotIn("TOPSECRET", json.dumps(public))
        self.assertNotIn("sqk_1234567890", json.dumps(public))
        self.assertEqual((public["api_key_set"], public["api_secret_set"], public["api_key_hint"]), (True, True, "sqk_…"))
        self.assertEqual(stat.S_IMODE(os.stat(self.path).st_mode), 0o600)
        # empty fields keep what is stored
        self.store.update({"api_key": "", "api_secret": "", "default_priority": 9})
        self.assertEqual(self.store.load()["api_secret"], "TOPSECRET")
        self.assertEqual(self.store.load()["default_priority"], 9)

    def test_changing_the_url_drops_the_credentials(self):
        self.store.update({"url": "http://sq.lan:3000", "api_key": "k", "api_secret": "s"})
        self.store.update({"url": "http://evil.example:80"})
        loaded = self.store.load()
        self.assertEqual((loaded["api_key"], loaded["api_secret"]), ("", ""))
        # ...unless new ones come with it
        self.store.update({"url": "http://other:3000", "api_key": "k2", "api_secret": "s2"})
        self.assertEqual(self.store.load()["api_secret"], "s2")

    def test_validation(self):
        forwarder = Forwarder(self.store)
        for bad in ({"url": "ftp://x"}, {"default_priority": 11}, {"default_priority": "high"},
                    {"default_server": "../etc"}, {"bogus": 1}, {"api_secret": "a\nb"}, []):
            status, body = forwarder.update_settings(bad)
            self.assertEqual(status, 400, bad)
            self.assertEqual(body["error"], "invalid_settings")


class ForwarderTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.stub = StubStableQueue().__enter__()
        self.store = SettingsStore(os.path.join(self.dir.name, "settings.json"), env={})
        self.store.update({"url": self.stub.url, "api_key": "key-1", "api_secret": "secret-1",
                           "default_server": "comfy-1", "default_priority": 7})
        self.forwarder = Forwarder(self.store)

    def tearDown(self):
        self.stub.__exit__(None, None, None)
        self.dir.cleanup()

    def test_queue_forwards_with_the_key(self):
        self.stub.route("POST", "/api/v2/generate", 200, {"success": True, "mobilesd_job_id": "j1", "queue_position": 2})
        status, body = self.forwarder.queue({"workflow": WORKFLOW, "workflow_ui": WORKFLOW_UI})
        self.assertEqual((status, body["mobilesd_job_id"], body["queue_position"]), (200, "j1", 2))
        request = self.stub.requests[0]
        self.assertEqual((request["headers"]["x-api-key"], request["headers"]["x-api-secret"]), ("key-1", "secret-1"))
        self.assertEqual(request["body"], {
            "app_type": "comfyui", "target_server_alias": "comfy-1", "priority": 7,
            "source_info": "comfyui_extension",
            "generation_params": {"workflow": WORKFLOW, "workflow_ui": WORKFLOW_UI},
        })

    def test_queue_options_from_the_browser(self):
        self.stub.route("POST", "/api/v2/generate", 200, {"success": True, "mobilesd_job_id": "j2"})
        self.forwarder.queue({"workflow": WORKFLOW, "target_server_alias": "auto", "priority": 2, "randomize_seed": True})
        body = self.stub.requests[0]["body"]
        self.assertEqual((body["target_server_alias"], body["priority"]), ("auto", 2))
        self.assertEqual(body["generation_params"], {"workflow": WORKFLOW, "randomize_seed": True})

    def test_queue_validation(self):
        ui_format = {"nodes": [], "links": []}
        for bad in (None, {}, {"workflow": {}}, {"workflow": ui_format}, {"workflow": WORKFLOW, "priority": 0},
                    {"workflow": WORKFLOW, "priority": True}, {"workflow": WORKFLOW, "target_server_alias": "a/b"},
                    {"workflow": WORKFLOW, "workflow_ui": "x"}):
            status, body = self.forwarder.queue(bad)
            self.assertEqual(status, 400, bad)
            self.assertEqual(body["error"], "validation_error")
        self.assertIn("API format", validate_workflow(ui_format))
        self.assertEqual(self.stub.requests, [])

    def test_stablequeue_errors_keep_their_status_and_explain(self):
        self.stub.route("POST", "/api/v2/generate", 401, {"error": "unauthorized", "message": "bad key"})
        status, body = self.forwarder.queue({"workflow": WORKFLOW})
        self.assertEqual(status, 401)
        self.assertEqual(body["error"], "unauthorized")
        self.assertIn("refused the API key", body["message"])
        self.stub.route("POST", "/api/v2/generate", 429, {"error": "rate_limited", "message": "x"}, {"Retry-After": "3"})
        status, body = self.forwarder.queue({"workflow": WORKFLOW})
        self.assertEqual((status, body["retry_after"]), (429, 3.0))

    def test_unreachable_is_502(self):
        self.store.update({"url": closed_port_url(), "api_key": "k", "api_secret": "s"})
        status, body = self.forwarder.queue({"workflow": WORKFLOW})
        self.assertEqual(status, 502)
        self.assertIn("not reachable", body["message"])

    def test_status_jobs_servers_cancel(self):
        self.stub.route("GET", "/api/v1/queue/jobs/abc-1/status", 200, {"status": "processing", "progress": 30})
        self.stub.route("GET", "/api/v1/queue/jobs", 200, {"jobs": [], "total": 0})
        self.stub.route("GET", "/api/v1/servers", 200, [
            {"alias": "comfy-1", "app_type": "comfyui", "status": "online", "api_url": "http://10.0.0.5:8188",
             "username": "u"},
            {"alias": "forge-1", "app_type": "forge"}])
        self.stub.route("POST", "/api/v1/queue/jobs/abc-1/cancel", 200, {"success": True})
        self.assertEqual(self.forwarder.status("abc-1"), (200, {"status": "processing", "progress": 30}))
        self.assertEqual(self.forwarder.status("../x")[0], 400)
        self.assertEqual(self.forwarder.jobs({"status": "pending,processing", "limit": "5"})[0], 200)
        # only the jobs this extension sent with this key
        self.assertEqual(self.stub.requests[-1]["url"],
                         "/api/v1/queue/jobs?limit=5&status=pending%2Cprocessing&source=comfyui_extension&mine=true")
        self.assertEqual(self.forwarder.jobs({"status": "bogus"})[0], 400)
        # only what the browser needs about servers (no URLs, no usernames)
        self.assertEqual(self.forwarder.servers(), (200, [{"alias": "comfy-1", "app_type": "comfyui", "status": "online"}]))
        self.assertEqual(self.forwarder.job_action("cancel", "abc-1"), (200, {"success": True}))

    def test_job_actions(self):
        self.stub.route("POST", "/api/v1/queue/jobs/abc-1/retry", 200, {"status": "pending"})
        self.stub.route("POST", "/api/v1/queue/jobs/abc-1/reorder", 200, {"status": "pending"})
        self.assertEqual(self.forwarder.job_action("retry", "abc-1"), (200, {"status": "pending"}))
        self.assertEqual(self.forwarder.job_action("top", "abc-1"), (200, {"status": "pending"}))
        self.assertEqual(self.stub.requests[-1]["body"], {"to": "top"})
        self.assertEqual(self.forwarder.job_action("delete", "abc-1")[0], 404)
        self.assertEqual(self.forwarder.job_action("top", "../abc")[0], 400)
        self.stub.route("POST", "/api/v1/queue/jobs/other/cancel", 403,
                        {"error": "not_your_job", "message": "This API key may only cancel, retry, move or remove jobs it submitted itself."})
        status, body = self.forwarder.job_action("cancel", "other")
        self.assertEqual((status, body["error"]), (403, "not_your_job"))
        self.assertIn("sent by someone else", body["message"])
        self.assertEqual(len(self.stub.requests), 3)  # the refused ones never reached StableQueue


# ----------------------------------------------------------------- aiohttp / ComfyUI stand-ins


class FakeRoutes:
    """aiohttp.web.RouteTableDef as used by PromptServer.instance.routes."""

    def __init__(self):
        self.handlers = {}

    def _add(self, method, path):
        def decorator(fn):
            self.handlers[(method, path)] = fn
            return fn
        return decorator

    def get(self, path):
        return self._add("GET", path)

    def post(self, path):
        return self._add("POST", path)


class FakeResponse:
    def __init__(self, body, status, headers):
        self.body, self.status, self.headers = body, status, headers


fake_web = types.SimpleNamespace(json_response=lambda body, status=200, headers=None: FakeResponse(body, status, headers))


class FakeRequest:
    def __init__(self, body=None, content_type="application/json", match_info=None, query=None, raw=None):
        self._body, self._raw = body, raw
        self.content_type = content_type
        self.match_info = match_info or {}
        self.query = query or {}

    async def json(self):
        if self._raw is not None:
            return json.loads(self._raw)
        return self._body


class RoutesTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.stub = StubStableQueue().__enter__()
        store = SettingsStore(os.path.join(self.dir.name, "s.json"), env={})
        store.update({"url": self.stub.url, "api_key": "k", "api_secret": "s3cr3t"})
        self.routes = FakeRoutes()
        register_routes(self.routes, Forwarder(store), web=fake_web)

    def tearDown(self):
        self.stub.__exit__(None, None, None)
        self.dir.cleanup()

    def call(self, method, path, request):
        return asyncio.run(self.routes.handlers[(method, path)](request))

    def test_routes(self):
        self.assertEqual(sorted(self.routes.handlers), [
            ("GET", "/stablequeue/jobs"), ("GET", "/stablequeue/servers"), ("GET", "/stablequeue/settings"),
            ("GET", "/stablequeue/status/{job_id}"), ("POST", "/stablequeue/cancel/{job_id}"),
            ("POST", "/stablequeue/queue"), ("POST", "/stablequeue/retry/{job_id}"), ("POST", "/stablequeue/settings"),
            ("POST", "/stablequeue/top/{job_id}"),
        ])
        settings = self.call("GET", "/stablequeue/settings", FakeRequest())
        self.assertEqual(settings.status, 200)
        self.assertNotIn("s3cr3t", json.dumps(settings.body))
        self.assertEqual(settings.headers["Cache-Control"], "no-store")

        self.stub.route("POST", "/api/v2/generate", 200, {"success": True, "mobilesd_job_id": "j9"})
        queued = self.call("POST", "/stablequeue/queue", FakeRequest({"workflow": WORKFLOW}))
        self.assertEqual((queued.status, queued.body["mobilesd_job_id"]), (200, "j9"))

        form = self.call("POST", "/stablequeue/queue", FakeRequest(content_type="application/x-www-form-urlencoded"))
        self.assertEqual(form.status, 415)
        broken = self.call("POST", "/stablequeue/queue", FakeRequest(raw="{nope"))
        self.assertEqual(broken.status, 400)

        self.stub.route("GET", "/api/v1/queue/jobs/j9/status", 200, {"status": "completed", "images": []})
        status = self.call("GET", "/stablequeue/status/{job_id}", FakeRequest(match_info={"job_id": "j9"}))
        self.assertEqual(status.body["status"], "completed")

        # job actions take a JSON body (a cross-site form cannot send one without a preflight)
        self.stub.route("POST", "/api/v1/queue/jobs/j9/reorder", 200, {"status": "pending"})
        moved = self.call("POST", "/stablequeue/top/{job_id}", FakeRequest({}, match_info={"job_id": "j9"}))
        self.assertEqual((moved.status, moved.body["status"]), (200, "pending"))
        form = self.call("POST", "/stablequeue/cancel/{job_id}",
                         FakeRequest(content_type="application/x-www-form-urlencoded", match_info={"job_id": "j9"}))
        self.assertEqual(form.status, 415)


class PackageImportTest(unittest.TestCase):
    """ComfyUI imports custom_nodes/stablequeue/__init__.py as a package."""

    def load(self, name):
        path = sqtest_paths.COMFY_EXTENSION
        spec = importlib.util.spec_from_file_location(name, os.path.join(path, "__init__.py"),
                                                      submodule_search_locations=[path])
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
        return module

    def test_outside_comfyui(self):
        module = self.load("stablequeue_outside")
        self.assertEqual(module.NODE_CLASS_MAPPINGS, {})
        self.assertEqual(module.WEB_DIRECTORY, "./web/js")
        self.assertIsNone(module.FORWARDER)
        self.assertTrue(os.path.isfile(os.path.join(sqtest_paths.COMFY_EXTENSION, "web", "js", "stablequeue.js")))

    def test_inside_comfyui_registers_routes(self):
        routes = FakeRoutes()
        tmp = tempfile.TemporaryDirectory()
        saved = {k: sys.modules.get(k) for k in ("server", "folder_paths", "aiohttp")}
        sys.modules["server"] = types.SimpleNamespace(
            PromptServer=types.SimpleNamespace(instance=types.SimpleNamespace(routes=routes)))
        sys.modules["folder_paths"] = types.SimpleNamespace(get_user_directory=lambda: tmp.name)
        sys.modules["aiohttp"] = types.SimpleNamespace(web=fake_web)
        try:
            module = self.load("stablequeue_inside")
            self.assertIsNotNone(module.FORWARDER)
            self.assertIn(("POST", "/stablequeue/queue"), routes.handlers)
            self.assertEqual(module.FORWARDER.store.path, os.path.join(tmp.name, "stablequeue", "settings.json"))
        finally:
            for key, value in saved.items():
                if value is None:
                    sys.modules.pop(key, None)
                else:
                    sys.modules[key] = value
            tmp.cleanup()


if __name__ == "__main__":
    unittest.main()
