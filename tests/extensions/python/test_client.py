"""The StableQueue API client shared by both extensions, against a scripted stub on loopback.

Covers what the user sees when things go wrong: StableQueue down, key refused (401),
key without permission (403), rate limited (429 + Retry-After), job too large (413),
job rejected (400 with StableQueue's message), a server error, a redirect (not followed,
so the key never leaves for another host).
"""

import filecmp
import os
import unittest

import sqtest_paths
from stablequeue_lib.client import StableQueueClient, StableQueueError, normalize_base_url
from stub_stablequeue import StubStableQueue, closed_port_url

JOB = {"success": True, "mobilesd_job_id": "3f0c9a1e-1111-2222-3333-444455556666", "queue_position": 1,
       "estimated_start_time": "2026-01-01T00:00:00.000Z"}


class ClientTest(unittest.TestCase):
    def setUp(self):
        self.stub = StubStableQueue().__enter__()
        self.client = StableQueueClient(self.stub.url, "sqk_abc", "sqs_def", timeout=5)

    def tearDown(self):
        self.stub.__exit__(None, None, None)

    def submit(self, **kw):
        return self.client.generate(app_type="forge", generation_params={"positive_prompt": "x"}, **kw)

    def test_generate_sends_the_seed_body_with_the_key(self):
        self.stub.route("POST", "/api/v2/generate", 200, JOB)
        result = self.submit(target_server_alias="gpu", priority=14, source_info="forge_extension", mode="txt2img")
        self.assertEqual(result["mobilesd_job_id"], JOB["mobilesd_job_id"])
        request = self.stub.requests[0]
        self.assertEqual(request["headers"]["x-api-key"], "sqk_abc")
        self.assertEqual(request["headers"]["x-api-secret"], "sqs_def")
        self.assertEqual(request["headers"]["content-type"], "application/json")
        self.assertEqual(request["body"], {
            "app_type": "forge", "target_server_alias": "gpu", "generation_params": {"positive_prompt": "x"},
            "priority": 10, "source_info": "forge_extension", "mode": "txt2img",
        })

    def test_no_key_no_headers(self):
        self.stub.route("GET", "/api/v1/health", 200, {"ok": True, "version": "1"})
        StableQueueClient(self.stub.url).health()
        self.assertNotIn("x-api-key", self.stub.requests[0]["headers"])
        self.assertNotIn("x-api-secret", self.stub.requests[0]["headers"])

    def assert_error(self, status, body, kind, *fragments, headers=None):
        self.stub.route("POST", "/api/v2/generate", status, body, headers)
        with self.assertRaises(StableQueueError) as caught:
            self.submit()
        error = caught.exception
        self.assertEqual(error.kind, kind)
        self.assertEqual(error.status, status)
        for fragment in fragments:
            self.assertIn(fragment, error.user_message)
        return error

    def test_401(self):
        self.assert_error(401, {"error": "unauthorized", "message": "Invalid API credentials"}, "auth",
                          "refused the API key", "Invalid API credentials", "secret")

    def test_403(self):
        self.assert_error(403, {"error": "forbidden", "message": "key lacks submit"}, "forbidden",
                          "not allowed", "key lacks submit", "'submit'")

    def test_429_with_retry_after(self):
        error = self.assert_error(429, {"error": "rate_limited", "message": "slow down"}, "rate_limited",
                                  "rate limiting", "Try again in 7 s", headers={"Retry-After": "7"})
        self.assertEqual(error.retry_after, 7.0)

    def test_413(self):
        self.assert_error(413, {"error": "payload_too_large", "message": "body over 8 MiB"}, "too_large",
                          "too large", "smaller input images")

    def test_400_keeps_stablequeue_message_and_details(self):
        error = self.assert_error(400, {"error": "validation_error", "message": "steps must be <= 500",
                                        "details": [{"path": "/generation_params/steps"}]},
                                  "rejected", "rejected the job", "steps must be <= 500")
        self.assertEqual(error.code, "validation_error")
        self.assertEqual(error.details, [{"path": "/generation_params/steps"}])
        self.assertEqual(error.to_dict()["error"], "validation_error")

    def test_400_in_the_v2_shape_reads_the_code_from_code(self):
        # /api/v2 answers {error: <sentence>, code: <code>, message: <sentence>}.
        sentence = "Invalid request: body.priority must be <= 10."
        error = self.assert_error(400, {"error": sentence, "code": "validation_error", "message": sentence},
                                  "rejected", "rejected the job", sentence)
        self.assertEqual(error.code, "validation_error")

    def test_500_and_non_json(self):
        self.assert_error(500, "<html>boom</html>", "server", "had an error", "boom")

    def test_redirect_is_not_followed(self):
        with StubStableQueue() as elsewhere:
            self.stub.route("POST", "/api/v2/generate", 307, {}, {"Location": elsewhere.url + "/steal"})
            with self.assertRaises(StableQueueError) as caught:
                self.submit()
            self.assertEqual(caught.exception.kind, "bad_response")
            self.assertIn("not followed", caught.exception.message)
            self.assertEqual(elsewhere.requests, [])

    def test_unreachable(self):
        client = StableQueueClient(closed_port_url(), "k", "s", timeout=3)
        with self.assertRaises(StableQueueError) as caught:
            client.health()
        self.assertEqual(caught.exception.kind, "unreachable")
        self.assertIn("not reachable at http://127.0.0.1:", caught.exception.user_message)

    def test_success_without_job_id_is_an_error(self):
        self.stub.route("POST", "/api/v2/generate", 200, {"success": True})
        with self.assertRaises(StableQueueError) as caught:
            self.submit()
        self.assertEqual(caught.exception.kind, "bad_response")

    def test_jobs_servers_status_cancel(self):
        self.stub.route("GET", "/api/v1/queue/jobs", 200, {"jobs": [{"mobilesd_job_id": "a"}], "total": 1})
        self.stub.route("GET", "/api/v1/servers", 200, [
            {"alias": "f", "app_type": "forge"}, {"alias": "c", "app_type": "comfyui"}, "junk"])
        self.stub.route("GET", "/api/v1/queue/jobs/a%2Fb/status", 200, {"status": "pending"})
        self.stub.route("POST", "/api/v1/queue/jobs/a/cancel", 200, {"success": True})
        self.assertEqual(self.client.list_jobs(app_type="forge", status=["pending", "processing"], limit=500)["total"], 1)
        self.assertEqual(self.stub.requests[-1]["url"],
                         "/api/v1/queue/jobs?limit=200&app_type=forge&status=pending%2Cprocessing")
        self.assertEqual([s["alias"] for s in self.client.list_servers(app_type="comfyui")], ["c"])
        self.assertEqual(self.client.job_status("a/b")["status"], "pending")  # id is escaped
        self.assertEqual(self.client.cancel_job("a"), {"success": True})

    def test_own_jobs_and_queue_control(self):
        self.stub.route("GET", "/api/v1/queue/jobs", 200, {"jobs": [], "total": 0})
        self.client.list_own_jobs("forge_extension", limit=10)
        self.assertEqual(self.stub.requests[-1]["url"], "/api/v1/queue/jobs?limit=10&source=forge_extension&mine=true")
        StableQueueClient(self.stub.url).list_own_jobs("forge_extension")  # no key: by source only
        self.assertEqual(self.stub.requests[-1]["url"], "/api/v1/queue/jobs?limit=20&source=forge_extension")

        for action, path, body in (("retry_job", "retry", {}), ("move_to_top", "reorder", {"to": "top"}),
                                   ("cancel_job", "cancel", {})):
            self.stub.route("POST", f"/api/v1/queue/jobs/j%2F1/{path}", 200, {"status": "pending"})
            self.assertEqual(getattr(self.client, action)("j/1"), {"status": "pending"})
            self.assertEqual((self.stub.requests[-1]["method"], self.stub.requests[-1]["body"]), ("POST", body))

    def test_another_keys_job_is_explained(self):
        self.stub.route("POST", "/api/v1/queue/jobs/j/cancel", 403,
                        {"error": "not_your_job", "message": "This API key may only cancel, retry, move or remove jobs it submitted itself."})
        with self.assertRaises(StableQueueError) as caught:
            self.client.cancel_job("j")
        self.assertEqual((caught.exception.kind, caught.exception.code), ("forbidden", "not_your_job"))
        self.assertIn("sent by someone else", caught.exception.user_message)
        self.assertNotIn("permissions", caught.exception.user_message)

    def test_download_stays_on_the_configured_host(self):
        self.stub.route("GET", "/api/v1/images/download/7", 200, b"\x89PNG....", {"Content-Type": "image/png"})
        data, ctype = self.client.download("http://some-other-host:9999/api/v1/images/download/7")
        self.assertEqual((data, ctype), (b"\x89PNG....", "image/png"))
        self.assertEqual(self.stub.requests[-1]["path"], "/api/v1/images/download/7")

    def test_wait_for_job(self):
        answers = iter(["pending", "processing", "completed"])
        self.client.job_status = lambda job_id: {"status": next(answers)}
        self.assertEqual(self.client.wait_for_job("x", sleep=lambda s: None)["status"], "completed")
        self.client.job_status = lambda job_id: {"status": "pending"}
        ticks = iter(range(100))
        with self.assertRaises(StableQueueError) as caught:
            self.client.wait_for_job("x", timeout=3, sleep=lambda s: None, clock=lambda: next(ticks))
        self.assertEqual(caught.exception.kind, "timeout")


class UrlTest(unittest.TestCase):
    def test_normalize(self):
        self.assertEqual(normalize_base_url(""), "http://localhost:3000")
        self.assertEqual(normalize_base_url("sq.lan:3000/"), "http://sq.lan:3000")
        self.assertEqual(normalize_base_url("https://x/sq/"), "https://x/sq")
        with self.assertRaises(StableQueueError):
            normalize_base_url("ftp://x")


class SameClientInBothExtensionsTest(unittest.TestCase):
    def test_the_two_copies_are_identical(self):
        forge = os.path.join(sqtest_paths.FORGE_EXTENSION, "stablequeue_lib", "client.py")
        comfy = os.path.join(sqtest_paths.COMFY_EXTENSION, "stablequeue_core", "client.py")
        self.assertTrue(filecmp.cmp(forge, comfy, shallow=False),
                        "extensions/forge/stablequeue_lib/client.py and extensions/comfyui/stablequeue_core/client.py differ")


if __name__ == "__main__":
    unittest.main()
