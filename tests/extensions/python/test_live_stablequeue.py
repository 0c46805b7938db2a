"""Both extensions against a live StableQueue on loopback (started by extensions-live.test.ts).

The vitest wrapper starts ``node electron/headless.ts``, registers an emulated Forge and
an emulated ComfyUI, creates an API key when StableQueue has the endpoint, and passes:

    SQ_URL, SQ_API_KEY, SQ_API_SECRET, SQ_AUTH_ENFORCED (1/0),
    SQ_FORGE_ALIAS, SQ_COMFY_ALIAS, SQ_OUT_DIR (where the submitted jobs are written
    for the wrapper to compare with what the emulators received),
    SQ_FORGE_PARKED_ALIAS, SQ_COMFY_PARKED_ALIAS (disabled servers: jobs sent there wait,
    so their place in the queue can be watched and changed),
    SQ_OTHER_KEY ("key:secret" of a second submit+read key, whose jobs are not ours)

Without SQ_URL every test here is skipped (run the vitest file instead).
"""

import importlib.util
import json
import os
import re
import sys
import tempfile
import time
import unittest

import sqtest_paths
import forge_stubs
from fakes import make_p

URL = os.environ.get("SQ_URL", "")
KEY = os.environ.get("SQ_API_KEY", "")
SECRET = os.environ.get("SQ_API_SECRET", "")
AUTH_ENFORCED = os.environ.get("SQ_AUTH_ENFORCED") == "1"
FORGE_ALIAS = os.environ.get("SQ_FORGE_ALIAS", "forge-e2e")
COMFY_ALIAS = os.environ.get("SQ_COMFY_ALIAS", "comfy-e2e")
OUT_DIR = os.environ.get("SQ_OUT_DIR", "")
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"

live = unittest.skipUnless(URL, "SQ_URL not set: run tests/extensions/extensions-live.test.ts")

if URL:
    forge_stubs.install()
    if sqtest_paths.COMFY_EXTENSION not in sys.path:
        sys.path.insert(0, sqtest_paths.COMFY_EXTENSION)

from stablequeue_lib.client import StableQueueClient, StableQueueError  # noqa: E402


def write_out(name, data):
    if OUT_DIR:
        with open(os.path.join(OUT_DIR, name), "w", encoding="utf-8") as fh:
            json.dump(data, fh)


def client():
    return StableQueueClient(URL, KEY, SECRET, timeout=20)


def assert_png(testcase, c, status):
    testcase.assertEqual(status["status"], "completed", status.get("error_message"))
    testcase.assertGreaterEqual(len(status["images"]), 1)
    data, ctype = c.download(status["images"][0]["download_url"])
    testcase.assertEqual(data[:8], PNG_MAGIC, f"download_url did not return a PNG ({ctype})")
    testcase.assertIn("image/png", ctype)
    return data


@live
class ClientLiveTest(unittest.TestCase):
    def test_health_and_servers(self):
        c = client()
        self.assertTrue(c.health().get("ok"))
        forge = [s["alias"] for s in c.list_servers(app_type="forge")]
        comfy = [s["alias"] for s in c.list_servers(app_type="comfyui")]
        self.assertIn(FORGE_ALIAS, forge)
        self.assertIn(COMFY_ALIAS, comfy)
        self.assertNotIn(COMFY_ALIAS, forge)
        self.assertNotIn(FORGE_ALIAS, comfy)

    def test_submit_poll_download(self):
        c = client()
        job = c.generate(
            app_type="forge",
            generation_params={"positive_prompt": "a red cube", "width": 64, "height": 64, "steps": 3, "seed": 7},
            target_server_alias=FORGE_ALIAS,
            priority=6,
            source_info="forge_extension",
        )
        self.assertTrue(job["success"])
        self.assertIsInstance(job["queue_position"], int)
        status = c.wait_for_job(job["mobilesd_job_id"], timeout=60, interval=0.1)
        assert_png(self, c, status)
        self.assertEqual(status["app_type"], "forge")
        self.assertEqual(status["progress"], 100)
        listed = c.list_jobs(app_type="forge", limit=50)
        self.assertIn(job["mobilesd_job_id"], [j["mobilesd_job_id"] for j in listed["jobs"]])

    def test_rejected_job_is_explained(self):
        with self.assertRaises(StableQueueError) as caught:
            client().generate(app_type="forge", generation_params={"positive_prompt": "x", "steps": 100000},
                              target_server_alias=FORGE_ALIAS)
        self.assertEqual(caught.exception.kind, "rejected")
        self.assertEqual(caught.exception.status, 400)
        self.assertIn("rejected the job", caught.exception.user_message)

    def test_unknown_job(self):
        with self.assertRaises(StableQueueError) as caught:
            client().job_status("00000000-0000-4000-8000-000000000000")
        self.assertEqual(caught.exception.kind, "not_found")

    @unittest.skipUnless(AUTH_ENFORCED, "this StableQueue does not check API keys yet")
    def test_wrong_secret_is_refused(self):
        bad = StableQueueClient(URL, KEY or "sq_nokey", "wrong-secret")
        with self.assertRaises(StableQueueError) as caught:
            bad.generate(app_type="forge", generation_params={"positive_prompt": "x"}, target_server_alias=FORGE_ALIAS)
        self.assertEqual(caught.exception.kind, "auth")
        self.assertIn("refused the API key", caught.exception.user_message)


def key_from_env(name):
    value = os.environ.get(name, "")
    return tuple(value.split(":", 1)) if ":" in value else None


READONLY_KEY = key_from_env("SQ_READONLY_KEY")
LIMITED_KEY = key_from_env("SQ_LIMITED_KEY")
OTHER_KEY = key_from_env("SQ_OTHER_KEY")
FORGE_PARKED = os.environ.get("SQ_FORGE_PARKED_ALIAS", "forge-parked")
COMFY_PARKED = os.environ.get("SQ_COMFY_PARKED_ALIAS", "comfy-parked")


@live
class KeyLimitsLiveTest(unittest.TestCase):
    @unittest.skipUnless(READONLY_KEY, "no read-only key (StableQueue does not check API keys yet)")
    def test_key_without_submit_permission(self):
        c = StableQueueClient(URL, *READONLY_KEY)
        self.assertIn(FORGE_ALIAS, [s["alias"] for s in c.list_servers()])  # reading is allowed
        with self.assertRaises(StableQueueError) as caught:
            c.generate(app_type="forge", generation_params={"positive_prompt": "x"}, target_server_alias=FORGE_ALIAS)
        self.assertEqual((caught.exception.kind, caught.exception.status), ("forbidden", 403))
        self.assertIn("not allowed", caught.exception.user_message)

    @unittest.skipUnless(LIMITED_KEY, "no rate-limited key (StableQueue does not check API keys yet)")
    def test_rate_limited_key_is_told_when_to_retry(self):
        from stablequeue_core.forwarder import Forwarder
        from stablequeue_core.settings import SettingsStore

        c = StableQueueClient(URL, *LIMITED_KEY)
        c.list_jobs(app_type="forge")  # the one request this minute
        with self.assertRaises(StableQueueError) as caught:
            c.list_jobs(app_type="forge")
        error = caught.exception
        self.assertEqual((error.kind, error.status), ("rate_limited", 429))
        self.assertGreater(error.retry_after, 0)
        self.assertIn("Try again in", error.user_message)
        # the ComfyUI side passes it on with the wait
        with tempfile.TemporaryDirectory() as tmp:
            store = SettingsStore(os.path.join(tmp, "s.json"), env={})
            store.update({"url": URL, "api_key": LIMITED_KEY[0], "api_secret": LIMITED_KEY[1]})
            status, body = Forwarder(store).jobs({})
        self.assertEqual(status, 429)
        self.assertGreater(body["retry_after"], 0)


def load_forge_script():
    path = os.path.join(sqtest_paths.FORGE_EXTENSION, "scripts", "stablequeue.py")
    spec = importlib.util.spec_from_file_location("stablequeue_live.py", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@live
class ForgeExtensionEndToEndTest(unittest.TestCase):
    """Forge extension (its script, with Forge's modules stubbed) -> StableQueue -> emulated Forge."""

    def test_queue_click_runs_on_the_emulated_forge_with_controlnet_and_adetailer(self):
        from modules import shared

        sq = load_forge_script()
        for callback in forge_stubs.RECORDER.settings_callbacks:
            callback()
        shared.opts.data.update({
            "stablequeue_url": URL, "stablequeue_api_key": KEY, "stablequeue_api_secret": SECRET,
            "stablequeue_default_server": FORGE_ALIAS, "stablequeue_default_priority": 5,
            "sd_model_checkpoint": "v1-5-pruned-emaonly.safetensors", "CLIP_stop_at_last_layers": 2,
        })
        script = sq.StableQueueScript()
        p = make_p("txt2img", width=64, height=64, steps=3, batch_size=1, hr_upscaler="Latent",
                   hr_second_pass_steps=2, seed=4242)
        for i, other in enumerate(p.scripts.alwayson_scripts):
            if other.title() == "StableQueue":
                script.args_from, script.args_to = other.args_from, other.args_to
                p.scripts.alwayson_scripts[i] = script

        # what the capture will send, to compare with what the emulated Forge receives
        expected = sq.capture.build_generation_params(p, opts=sq._options_snapshot(), own_title="StableQueue")

        with forge_stubs.quiet_stderr():
            script.before_process(p, FORGE_ALIAS, 7, f"sq:{int(time.time() * 1000)}:live1")
        message = next(iter(p.comments))
        match = re.search(r"Queued in StableQueue as job ([0-9a-f-]{36})", message)
        self.assertIsNotNone(match, message)
        job_id = match.group(1)
        self.assertTrue(shared.state.interrupted)
        self.assertIsNone(p.scripts)

        c = client()
        status = c.wait_for_job(job_id, timeout=60, interval=0.1)
        assert_png(self, c, status)
        self.assertEqual(status["target_server_alias"], FORGE_ALIAS)
        sent = status.get("generation_params") or {}
        if sent:  # StableQueue shows what it stored: the alwayson_scripts are there untouched
            self.assertEqual(sent.get("alwayson_scripts"), expected.generation_params["alwayson_scripts"])
        write_out("forge_e2e.json", {"job_id": job_id, "generation_params": expected.generation_params,
                                     "image_ids": [i["id"] for i in status["images"]]})


    def test_img2img_with_mask_reaches_the_img2img_endpoint(self):
        from fakes import FakeArray
        from stablequeue_lib.capture import build_generation_params

        p = make_p("img2img", width=64, height=64, steps=3, batch_size=1, seed=5151,
                   image_mask=FakeArray(48, 64, 1, fill=(255,)))
        result = build_generation_params(p, opts={"sd_model_checkpoint": "v1-5-pruned-emaonly.safetensors"})
        c = client()
        job = c.generate(app_type="forge", generation_params=result.generation_params, mode=result.mode,
                         target_server_alias=FORGE_ALIAS, source_info="forge_extension")
        status = c.wait_for_job(job["mobilesd_job_id"], timeout=60, interval=0.1)
        assert_png(self, c, status)
        write_out("forge_img2img_e2e.json", {"job_id": job["mobilesd_job_id"],
                                             "generation_params": result.generation_params})


WORKFLOW = {
    "1": {"class_type": "EmptyImage", "inputs": {"width": 64, "height": 64, "batch_size": 1, "color": 16711680}},
    "2": {"class_type": "SaveImage", "inputs": {"images": ["1", 0], "filename_prefix": "StableQueueE2E"}},
}
WORKFLOW_UI = {
    "last_node_id": 2, "last_link_id": 1, "version": 0.4, "links": [[1, 1, 0, 2, 0, "IMAGE"]],
    "nodes": [{"id": 1, "type": "EmptyImage", "widgets_values": [64, 64, 1, 16711680]},
              {"id": 2, "type": "SaveImage", "widgets_values": ["StableQueueE2E"]}],
}


@live
class ComfyExtensionEndToEndTest(unittest.TestCase):
    """ComfyUI extension (its forwarder) -> StableQueue -> emulated ComfyUI."""

    def test_forwarder_queues_and_follows_the_job(self):
        from stablequeue_core.forwarder import Forwarder
        from stablequeue_core.settings import SettingsStore

        with tempfile.TemporaryDirectory() as tmp:
            store = SettingsStore(os.path.join(tmp, "settings.json"), env={})
            body = {"url": URL, "default_server": COMFY_ALIAS, "default_priority": 6}
            if KEY:
                body.update(api_key=KEY, api_secret=SECRET)
            status, public = Forwarder(store).update_settings(body)
            self.assertEqual(status, 200, public)
            forwarder = Forwarder(store)

            status, servers = forwarder.servers()
            self.assertEqual(status, 200, servers)
            self.assertIn(COMFY_ALIAS, [s["alias"] for s in servers])

            status, queued = forwarder.queue({"workflow": WORKFLOW, "workflow_ui": WORKFLOW_UI})
            self.assertEqual(status, 200, queued)
            job_id = queued["mobilesd_job_id"]

            deadline = time.monotonic() + 60
            while True:
                status, job = forwarder.status(job_id)
                self.assertEqual(status, 200, job)
                if job["status"] in ("completed", "failed", "cancelled") or time.monotonic() > deadline:
                    break
                time.sleep(0.1)
            self.assertEqual(job["app_type"], "comfyui")
            assert_png(self, forwarder.client(), job)

            status, jobs = forwarder.jobs({"limit": "20"})
            self.assertEqual(status, 200, jobs)
            self.assertIn(job_id, [j["mobilesd_job_id"] for j in jobs["jobs"]])
            write_out("comfy_e2e.json", {"job_id": job_id, "workflow": WORKFLOW, "workflow_ui": WORKFLOW_UI,
                                         "image_ids": [i["id"] for i in job["images"]]})


def park(c, source, *, priority=5, app_type="forge", prompt="waiting job"):
    """A job on a disabled server: it waits in the queue until cancelled."""
    target = FORGE_PARKED if app_type == "forge" else COMFY_PARKED
    params = {"positive_prompt": prompt, "width": 64, "height": 64, "steps": 2}
    if app_type == "comfyui":
        params = {"workflow": WORKFLOW}
    return c.generate(app_type=app_type, generation_params=params, target_server_alias=target, priority=priority,
                      source_info=source)["mobilesd_job_id"]


def position(c, job_id):
    return c.job_status(job_id)["queue_position"]


def cancel_quietly(c, *job_ids):
    for job_id in job_ids:
        try:
            c.cancel_job(job_id)
        except StableQueueError:
            pass


@live
@unittest.skipUnless(OTHER_KEY, "no second API key (StableQueue does not check API keys yet)")
class QueueControlLiveTest(unittest.TestCase):
    """Queue position, move to the top, cancel and retry of the extensions' own jobs, and
    a second key refused on them (403 not_your_job), through each extension's own code."""

    def setUp(self):
        self.c = client()
        self.other = StableQueueClient(URL, *OTHER_KEY)
        self.created: list[tuple[StableQueueClient, str]] = []

    def tearDown(self):
        for c, job_id in self.created:
            cancel_quietly(c, job_id)

    def park(self, c, source, **kw):
        job_id = park(c, source, **kw)
        self.created.append((c, job_id))
        return job_id

    def test_client_position_top_cancel_retry(self):
        c = self.c
        mine = [self.park(c, "sq_live_client") for _ in range(3)]
        theirs = self.park(self.other, "sq_live_client")
        first = position(c, mine[0])
        self.assertEqual([position(c, j) for j in mine], [first, first + 1, first + 2])
        self.assertEqual(position(self.other, theirs), first + 3)

        # the list shows only this key's jobs from this source, each with its real place
        rows = c.list_own_jobs("sq_live_client", status="pending")["jobs"]
        self.assertEqual([r["mobilesd_job_id"] for r in rows], mine)
        self.assertEqual([r["queue_position"] for r in rows], [first, first + 1, first + 2])
        self.assertEqual([r["mobilesd_job_id"] for r in self.other.list_own_jobs("sq_live_client")["jobs"]], [theirs])

        # move to the top: first of its priority, everything else one down
        c.move_to_top(mine[2])
        self.assertEqual(position(c, mine[2]), 1)
        self.assertEqual(position(c, mine[0]), first + 1)

        # cancel: out of the queue, the rest move up
        cancelled = c.cancel_job(mine[1])
        self.assertEqual(cancelled["status"], "cancelled")
        self.assertIsNone(position(c, mine[1]))
        self.assertEqual(position(self.other, theirs), first + 2)

        # retry: waiting again, at the end
        retried = c.retry_job(mine[1])
        self.assertEqual(retried["status"], "pending")
        self.assertEqual(position(c, mine[1]), first + 3)
        rows = c.list_own_jobs("sq_live_client", status="pending")["jobs"]
        self.assertEqual({r["mobilesd_job_id"]: r["queue_position"] for r in rows},
                         {j: position(c, j) for j in mine})

        # another key may do none of it to these jobs
        for act in (self.other.cancel_job, self.other.retry_job, self.other.move_to_top):
            with self.assertRaises(StableQueueError) as caught:
                act(mine[0])
            self.assertEqual((caught.exception.status, caught.exception.code), (403, "not_your_job"))
            self.assertIn("sent by someone else", caught.exception.user_message)
        self.assertEqual(c.job_status(mine[0])["status"], "pending")
        with self.assertRaises(StableQueueError) as caught:
            c.retry_job(theirs)
        self.assertEqual(caught.exception.code, "not_your_job")

    def test_forge_panel_lists_own_jobs_and_its_buttons_act(self):
        from modules import shared

        sq = load_forge_script()
        for callback in forge_stubs.RECORDER.settings_callbacks:
            callback()
        shared.opts.data.update({"stablequeue_url": URL, "stablequeue_api_key": KEY, "stablequeue_api_secret": SECRET})
        script = sq.StableQueueScript()
        c = self.c
        mine = [self.park(c, "forge_extension", prompt=f"forge panel {i}") for i in range(2)]
        theirs = self.park(self.other, "forge_extension", prompt="someone else's")

        html = script.render_status()
        for job_id in mine:
            self.assertIn(f"<code>{job_id[:8]}</code>", html)
            self.assertIn(f"waiting (#{position(c, job_id)})", html)
            self.assertIn(f'data-sq-action="cancel" data-sq-job="{job_id}"', html)
        self.assertNotIn(theirs[:8], html)  # only the jobs this extension sent with this key

        with forge_stubs.quiet_stderr():
            html = script.on_job_action(f"top:{mine[1]}")
        self.assertIn(f"Job {mine[1][:8]} moved to the top (#1 in the queue).", html)
        self.assertEqual(position(c, mine[1]), 1)

        with forge_stubs.quiet_stderr():
            html = script.on_job_action(f"cancel:{mine[0]}")
        self.assertIn(f"Job {mine[0][:8]} cancelled.", html)
        self.assertIn(f'data-sq-action="retry" data-sq-job="{mine[0]}"', html)
        self.assertEqual(c.job_status(mine[0])["status"], "cancelled")

        with forge_stubs.quiet_stderr():
            html = script.on_job_action(f"retry:{mine[0]}")
        self.assertIn(f"Job {mine[0][:8]} is waiting again (#{position(c, mine[0])} in the queue).", html)

        with forge_stubs.quiet_stderr():
            html = script.on_job_action(f"cancel:{theirs}")
        self.assertIn("sent by someone else", html)
        self.assertEqual(self.other.job_status(theirs)["status"], "pending")

    def test_comfy_forwarder_priority_position_and_actions(self):
        from stablequeue_core.forwarder import Forwarder
        from stablequeue_core.settings import SettingsStore

        with tempfile.TemporaryDirectory() as tmp:
            store = SettingsStore(os.path.join(tmp, "settings.json"), env={})
            store.update({"url": URL, "api_key": KEY, "api_secret": SECRET, "default_server": COMFY_PARKED})
            forwarder = Forwarder(store)

            status, normal = forwarder.queue({"workflow": WORKFLOW, "priority": 5})
            self.assertEqual(status, 200, normal)
            self.created.append((self.c, normal["mobilesd_job_id"]))
            status, urgent = forwarder.queue({"workflow": WORKFLOW, "priority": 10})  # the per-job priority choice
            self.assertEqual(status, 200, urgent)
            self.created.append((self.c, urgent["mobilesd_job_id"]))
            theirs = self.park(self.other, "comfyui_extension", app_type="comfyui")
            self.assertEqual(urgent["queue_position"], 1)  # priority 10 goes before everything waiting
            self.assertEqual(forwarder.status(urgent["mobilesd_job_id"])[1]["priority"], 10)

            status, listed = forwarder.jobs({"status": "pending"})
            self.assertEqual(status, 200, listed)
            rows = {r["mobilesd_job_id"]: r["queue_position"] for r in listed["jobs"]}
            self.assertEqual(set(rows), {normal["mobilesd_job_id"], urgent["mobilesd_job_id"]})
            self.assertEqual(rows[urgent["mobilesd_job_id"]], 1)
            self.assertEqual(rows[normal["mobilesd_job_id"]], position(self.c, normal["mobilesd_job_id"]))

            job = normal["mobilesd_job_id"]
            self.assertEqual(forwarder.job_action("top", job)[0], 200)
            self.assertEqual(position(self.c, job), 2)  # first of priority 5, after the priority 10 one
            status, body = forwarder.job_action("cancel", job)
            self.assertEqual((status, body["status"]), (200, "cancelled"))
            status, body = forwarder.job_action("retry", job)
            self.assertEqual((status, body["status"]), (200, "pending"))

            status, body = forwarder.job_action("top", theirs)
            self.assertEqual((status, body["error"]), (403, "not_your_job"))
            self.assertIn("sent by someone else", body["message"])


if __name__ == "__main__":
    unittest.main()
