"""The Forge script glue (scripts/stablequeue.py) with Forge's modules stubbed.

Forge is not installed here, so ``modules.*`` and ``gradio`` are stand-ins (forge_stubs);
StableQueue is a scripted HTTP stub on loopback. Checks the whole click: a token in the
hidden textbox -> before_process -> /api/v2/generate with the captured job -> the local
run is stopped and the user is told; and the error messages when StableQueue says no.
"""

import importlib.util
import os
import re
import sys
import unittest

import sqtest_paths
import forge_stubs
from fakes import make_p
from stub_stablequeue import StubStableQueue, closed_port_url

forge_stubs.install()

from modules import shared  # noqa: E402  (the stub, or Forge's own when present)


def load_script_module():
    path = os.path.join(sqtest_paths.FORGE_EXTENSION, "scripts", "stablequeue.py")
    spec = importlib.util.spec_from_file_location("stablequeue.py", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


sq = load_script_module()
for callback in list(forge_stubs.RECORDER.settings_callbacks):
    callback()


class ForgeScriptTest(unittest.TestCase):
    def setUp(self):
        self.stub = StubStableQueue().__enter__()
        shared.opts.data.update({
            "stablequeue_url": self.stub.url,
            "stablequeue_api_key": "key123",
            "stablequeue_api_secret": "secret456",
            "stablequeue_default_server": "auto",
            "stablequeue_default_priority": 5,
            "stablequeue_skip_scripts": "",
            "sd_model_checkpoint": "model.safetensors [abc]",
        })
        shared.state.interrupted = False
        forge_stubs.RECORDER.toasts.clear()
        self.script = sq.StableQueueScript()
        self.p = make_p("txt2img")
        placeholder = self.p.scripts.alwayson_scripts[2]  # our slot in the fake runner
        self.script.args_from, self.script.args_to = placeholder.args_from, placeholder.args_to
        self.p.scripts.alwayson_scripts[2] = self.script

    def tearDown(self):
        self.stub.__exit__(None, None, None)

    def test_settings_are_registered(self):
        for key in ("stablequeue_url", "stablequeue_api_key", "stablequeue_api_secret",
                    "stablequeue_default_server", "stablequeue_default_priority"):
            self.assertIn(key, shared.opts.data_labels)
        self.assertEqual(shared.opts.data_labels["stablequeue_api_secret"].component_args, {"type": "password"})
        self.assertEqual(shared.opts.data_labels["stablequeue_url"].section, ("stablequeue", "StableQueue"))

    def test_plain_generate_does_nothing(self):
        self.script.before_process(self.p, "auto", 5, "")
        self.assertEqual(self.stub.requests, [])
        self.assertFalse(shared.state.interrupted)
        self.assertIsNotNone(self.p.scripts)

    def test_queue_click_sends_the_job_and_stops_the_local_run(self):
        self.stub.route("POST", "/api/v2/generate", 200,
                        {"success": True, "mobilesd_job_id": "job-1", "queue_position": 3,
                         "estimated_start_time": None})
        with forge_stubs.quiet_stderr():
            self.script.before_process(self.p, "gpu-box", 8, "sq:1700000000000:tok1")
        self.assertEqual(len(self.stub.requests), 1)
        request = self.stub.requests[0]
        self.assertEqual(request["headers"]["x-api-key"], "key123")
        self.assertEqual(request["headers"]["x-api-secret"], "secret456")
        body = request["body"]
        self.assertEqual(body["app_type"], "forge")
        self.assertEqual(body["target_server_alias"], "gpu-box")
        self.assertEqual(body["priority"], 8)
        self.assertEqual(body["source_info"], "forge_extension")
        self.assertEqual(body["mode"], "txt2img")
        params = body["generation_params"]
        self.assertEqual(params["checkpoint_name"], "model.safetensors [abc]")
        self.assertEqual(sorted(params["alwayson_scripts"]), ["adetailer", "controlnet"])
        # the local run is stopped
        self.assertTrue(shared.state.interrupted)
        self.assertIsNone(self.p.scripts)
        self.assertEqual(self.p.override_settings, {})
        self.assertIsNone(self.p.init([], [], []))
        message = next(iter(self.p.comments))
        self.assertIn("Queued in StableQueue as job job-1 (position 3", message)
        self.assertIn("ControlNet, ADetailer", message)
        self.assertEqual(self.script.last_message, message)
        # no toast: the generation runs on Forge's own thread, where gradio cannot show one
        self.assertEqual(forge_stubs.RECORDER.toasts, [])
        # the same token again (textbox not cleared) is a normal local generation
        p2 = make_p("txt2img")
        self.script.before_process(p2, "gpu-box", 8, "sq:1700000000000:tok1")
        self.assertEqual(len(self.stub.requests), 1)

    def _with_token(self, token):
        args = list(self.p.script_args)
        args[self.script.args_from:self.script.args_to] = ["gpu-box", 8, token]
        self.p.script_args = tuple(args)

    def test_a_queue_click_is_sent_before_forge_processes_anything(self):
        from modules import img2img, processing
        self.stub.route("POST", "/api/v2/generate", 200, {"success": True, "mobilesd_job_id": "job-9", "queue_position": 1})
        self._with_token("sq:1700000000000:intercept1")
        forge_stubs.RECORDER.processed.clear()
        with forge_stubs.quiet_stderr():
            result = processing.process_images(self.p)
        self.assertEqual(forge_stubs.RECORDER.processed, [], "Forge's own process_images (model load) never ran")
        self.assertEqual(len(self.stub.requests), 1)
        self.assertEqual(self.stub.requests[0]["body"]["target_server_alias"], "gpu-box")
        self.assertEqual(result.images, [])
        self.assertIn("Queued in StableQueue as job job-9", result.info)  # shown under the gallery
        self.assertIn("job-9", result.comments)
        self.assertFalse(shared.state.interrupted)
        # before_process then sees a spent token: nothing is queued twice
        self.script.before_process(self.p, "gpu-box", 8, "sq:1700000000000:intercept1")
        self.assertEqual(len(self.stub.requests), 1)
        # img2img's own name for the function is wrapped too
        self.assertTrue(hasattr(img2img.process_images, "_stablequeue_original"))

    def test_a_plain_click_goes_to_forge_and_reloading_does_not_wrap_twice(self):
        from modules import processing
        self._with_token("")
        forge_stubs.RECORDER.processed.clear()
        result = processing.process_images(self.p)
        self.assertEqual(result.images, ["a local image"])
        self.assertEqual(forge_stubs.RECORDER.processed, [self.p])
        wrapped = processing.process_images
        sq.install_interception()
        self.assertIs(processing.process_images._stablequeue_original, wrapped._stablequeue_original)

    def test_refused_key_is_explained_and_nothing_runs_locally(self):
        self.stub.route("POST", "/api/v2/generate", 401, {"error": "unauthorized", "message": "Invalid API credentials"})
        with forge_stubs.quiet_stderr():
            self.script.before_process(self.p, "auto", 5, "sq:1700000000000:tok2")
        message = next(iter(self.p.comments))
        self.assertIn("refused the API key", message)
        self.assertIn("Invalid API credentials", message)
        self.assertTrue(shared.state.interrupted)
        self.assertEqual(self.script.last_kind, "error")

    def test_unreachable_is_explained(self):
        shared.opts.data["stablequeue_url"] = closed_port_url()
        with forge_stubs.quiet_stderr():
            self.script.before_process(self.p, "auto", 5, "sq:1700000000000:tok3")
        message = next(iter(self.p.comments))
        self.assertIn("not reachable", message)
        self.assertTrue(shared.state.interrupted)

    def test_ui_builds_the_controls(self):
        self.stub.route("GET", "/api/v1/servers", 200, [
            {"alias": "gpu-box", "app_type": "forge", "status": "online"},
            {"alias": "comfy", "app_type": "comfyui", "status": "online"},
        ])
        forge_stubs.RECORDER.components.clear()
        sq._server_cache["choices"] = None
        controls = self.script.ui(False)
        self.assertEqual(len(controls), 3)
        server, priority, flag = controls
        self.assertEqual(server.kwargs["choices"], ["auto", "gpu-box"])
        self.assertEqual(priority.kwargs["minimum"], 1)
        self.assertEqual(priority.kwargs["maximum"], 10)
        self.assertEqual(flag.elem_id, "stablequeue_txt2img_request")
        self.assertIn("stablequeue-hidden", flag.kwargs["elem_classes"])
        ids = {c.elem_id for c in forge_stubs.RECORDER.components}
        self.assertIn("stablequeue_txt2img_refresh_status", ids)
        self.assertIn("stablequeue_txt2img_status", ids)
        # the hidden pair the job list's buttons go through
        hidden = {c.elem_id: c for c in forge_stubs.RECORDER.components if "stablequeue-hidden" in c.kwargs.get("elem_classes", [])}
        self.assertIn("stablequeue_txt2img_job_action", hidden)
        self.assertIn("stablequeue_txt2img_job_action_run", hidden)

    def test_status_panel(self):
        self.stub.route("GET", "/api/v1/queue/jobs", 200, {"jobs": [
            {"mobilesd_job_id": "abcdef12-0000", "status": "processing", "progress": 50,
             "positive_prompt": "cat", "target_server_alias": "gpu-box"},
            {"mobilesd_job_id": "bbbbbbbb-0001", "status": "pending", "queue_position": 4, "positive_prompt": "dog"},
            {"mobilesd_job_id": "cccccccc-0002", "status": "pending", "queue_position": 1, "positive_prompt": "owl"},
            {"mobilesd_job_id": "dddddddd-0003", "status": "failed", "error_message": "CUDA out of memory"},
            {"mobilesd_job_id": "eeeeeeee-0004", "status": "completed"}], "total": 5})
        html = self.script.render_status()
        self.assertIn("running 50%", html)
        self.assertIn("waiting (#4)", html)
        self.assertIn('data-active="3"', html)
        # only the jobs this extension sent, with this key
        self.assertEqual(self.stub.requests[-1]["url"], "/api/v1/queue/jobs?limit=10&source=forge_extension&mine=true")
        buttons = re.findall(r'data-sq-action="(\w+)" data-sq-job="([\w-]+)"', html)
        self.assertEqual(buttons, [
            ("cancel", "abcdef12-0000"),
            ("top", "bbbbbbbb-0001"), ("cancel", "bbbbbbbb-0001"),
            ("cancel", "cccccccc-0002"),  # already first: no "Top"
            ("retry", "dddddddd-0003"),
        ])

    def test_job_buttons_act_through_stablequeue_and_redraw_the_list(self):
        self.stub.route("GET", "/api/v1/queue/jobs", 200, {"jobs": [], "total": 0})
        self.stub.route("POST", "/api/v1/queue/jobs/bbbbbbbb-0001/reorder", 200, {"status": "pending"})
        self.stub.route("GET", "/api/v1/queue/jobs/bbbbbbbb-0001/status", 200, {"status": "pending", "queue_position": 1})
        with forge_stubs.quiet_stderr():
            html = self.script.on_job_action("top:bbbbbbbb-0001")
        self.assertIn("Job bbbbbbbb moved to the top (#1 in the queue).", html)
        self.assertIn("stablequeue-ok", html)
        reorder = next(r for r in self.stub.requests if r["path"].endswith("/reorder"))
        self.assertEqual((reorder["body"], reorder["headers"]["x-api-key"]), ({"to": "top"}, "key123"))

        self.stub.route("POST", "/api/v1/queue/jobs/ffffffff-0009/cancel", 403,
                        {"error": "not_your_job", "message": "This API key may only cancel, retry, move or remove jobs it submitted itself."})
        with forge_stubs.quiet_stderr():
            html = self.script.on_job_action("cancel:ffffffff-0009")
        self.assertIn("sent by someone else", html)
        self.assertIn("stablequeue-error", html)

        before = len(self.stub.requests)
        with forge_stubs.quiet_stderr():
            html = self.script.on_job_action("delete:../../etc")
        self.assertIn("did not name a job", html)
        self.assertEqual([r["path"] for r in self.stub.requests[before:]], ["/api/v1/queue/jobs"])  # only the redraw


if __name__ == "__main__":
    unittest.main()
