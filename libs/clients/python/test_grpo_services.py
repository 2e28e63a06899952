"""Tests for grpo_services (stdlib unittest).

    GRPO_ROLLOUT_URL=... GRPO_ROLLOUT_API_KEY=... GRPO_TRAINER_URL=... GRPO_TRAINER_API_KEY=... \\
    GRPO_REWARD_URL=... GRPO_TEST_POLICY_DIR=... python3 -m unittest -v test_grpo_services

The Live* tests need running rollout, trainer and reward services (test/python-clients.test.ts
starts them, with API keys, and a tiny policy in GRPO_TEST_POLICY_DIR); they fail, not skip,
without them. StubTests run against a loopback server made here that records requests.
"""

import json
import os
import threading
import unittest
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import grpo_services as s


def env(name):
    value = os.environ.get(name)
    if not value:
        raise AssertionError(f"{name} must be set (see the module docstring)")
    return value


class Recorder:
    """A loopback server that answers every request with `answer(method, path, body)` -> (status, json)."""

    def __init__(self, answer):
        self.requests = []
        rec = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def handle_any(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"null")
                rec.requests.append({"method": self.command, "path": self.path, "body": body, "headers": dict(self.headers)})
                status, payload = answer(self.command, self.path, body)
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = handle_any

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class StubTests(unittest.TestCase):
    def serve(self, answer):
        rec = Recorder(answer)
        self.addCleanup(rec.close)
        return rec

    def test_rollouts_sends_camel_case_fields_and_every_prompt_form(self):
        rec = self.serve(lambda m, p, b: (200, {"groups": []}))
        client = s.RolloutClient(rec.url, api_key="k" * 16)
        client.rollouts(["hi", [5, 6], {"messages": [{"role": "user", "content": "x"}]}], 3, top_p=0.9, max_tokens=8, seed=1, stop=("\n",))
        req = rec.requests[0]
        self.assertEqual((req["method"], req["path"]), ("POST", "/v1/rollouts"))
        self.assertEqual(
            req["body"],
            {
                "prompts": [{"text": "hi"}, {"tokenIds": [5, 6]}, {"messages": [{"role": "user", "content": "x"}]}],
                "groupSize": 3,
                "topP": 0.9,
                "maxTokens": 8,
                "seed": 1,
                "stop": ["\n"],
            },
        )
        self.assertEqual(req["headers"]["Authorization"], "Bearer " + "k" * 16)

    def test_bad_rollout_input_names_the_field_before_any_request(self):
        rec = self.serve(lambda m, p, b: (200, {}))
        client = s.RolloutClient(rec.url)
        cases = [
            (lambda: client.rollouts([]), "prompts"),
            (lambda: client.rollouts([3.5]), "prompts[0]"),
            (lambda: client.rollouts(["x"], 0), "groupSize"),
            (lambda: client.rollouts(["x"], temprature=1), "temprature"),
            (lambda: client.update_policy(""), "path"),
        ]
        for call, field in cases:
            with self.assertRaises(s.ServiceError) as caught:
                call()
            self.assertEqual((caught.exception.code, caught.exception.field), ("GRPO_CLIENT_BAD_INPUT", field))
        self.assertEqual(rec.requests, [])

    def test_trainer_calls_use_their_routes_with_the_id_escaped_and_the_query(self):
        rec = self.serve(lambda m, p, b: (200, {"runs": [], "state": "completed", "rows": []}))
        client = s.TrainerClient(rec.url)
        client.run_status("a/b c")
        client.metrics("r1", since=2, limit=10)
        client.stop_run("r1")
        client.resume_run("/runs/r1")
        self.assertEqual(client.list_runs(), [])
        got = [(r["method"], r["path"], r["body"]) for r in rec.requests]
        self.assertEqual(
            got,
            [
                ("GET", "/v1/runs/a%2Fb%20c", None),
                ("GET", "/v1/runs/r1/metrics?since=2&limit=10", None),
                ("POST", "/v1/runs/r1/stop", None),
                ("POST", "/v1/runs", {"resume": "/runs/r1"}),
                ("GET", "/v1/runs", None),
            ],
        )

    def test_a_409_surfaces_the_service_code_without_a_retry(self):
        body = {"error": {"code": "GRPO_TRAINER_BUSY", "message": "a run is training", "statusCode": 409}}
        rec = self.serve(lambda m, p, b: (409, body))
        client = s.TrainerClient(rec.url, max_retries=3)
        sleeps = []
        client._sleep = sleeps.append
        with self.assertRaises(s.ServiceError) as caught:
            client.submit_run({"model": {"tiny": {}}})
        self.assertEqual((caught.exception.code, caught.exception.status), ("GRPO_TRAINER_BUSY", 409))
        self.assertEqual((len(rec.requests), sleeps), (1, []))

    def test_wait_for_run_gives_up_with_a_timeout_error(self):
        rec = self.serve(lambda m, p, b: (200, {"state": "running", "step": 4}))
        client = s.TrainerClient(rec.url)
        client._sleep = lambda _s: None
        with self.assertRaises(s.ServiceError) as caught:
            client.wait_for_run("r1", timeout_s=0.05, poll_s=0.01)
        self.assertEqual(caught.exception.code, "GRPO_CLIENT_TIMEOUT")
        self.assertIn("step 4", caught.exception.message)

    def test_urls_and_keys_come_from_the_environment(self):
        old = {k: os.environ.get(k) for k in ("GRPO_TRAINER_URL", "GRPO_TRAINER_API_KEY")}
        os.environ["GRPO_TRAINER_URL"] = "http://127.0.0.1:9/"
        os.environ["GRPO_TRAINER_API_KEY"] = "from-env-key-0123"
        try:
            client = s.TrainerClient()
            self.assertEqual((client.base_url, client._http.api_key), ("http://127.0.0.1:9", "from-env-key-0123"))
            self.assertEqual(s.RolloutClient(api_key="").base_url, os.environ.get("GRPO_ROLLOUT_URL", "http://127.0.0.1:8002").rstrip("/"))
        finally:
            for k, v in old.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v


class LiveRolloutTests(unittest.TestCase):
    def setUp(self):
        self.client = s.RolloutClient(env("GRPO_ROLLOUT_URL"), env("GRPO_ROLLOUT_API_KEY"), timeout_s=120, max_retries=0)

    def test_rollouts_return_group_size_completions_with_one_logprob_per_token(self):
        res = self.client.rollouts(["What is 2 + 3?", [5, 17, 42]], 3, max_tokens=8, temperature=1.0, seed=11)
        self.assertEqual(len(res["groups"]), 2)
        self.assertEqual([g["seed"] for g in res["groups"]], [11, 12])
        self.assertEqual(res["groups"][1]["promptTokenIds"], [5, 17, 42])
        for group in res["groups"]:
            self.assertEqual(len(group["completions"]), 3)
            for c in group["completions"]:
                self.assertTrue(1 <= len(c["tokenIds"]) <= 8)
                self.assertEqual(len(c["logprobs"]), len(c["tokenIds"]))
                self.assertTrue(all(lp <= 0 for lp in c["logprobs"]))
        again = self.client.rollouts(["What is 2 + 3?", [5, 17, 42]], 3, max_tokens=8, temperature=1.0, seed=11)
        self.assertEqual(again["groups"], res["groups"])

    def test_a_policy_update_bumps_the_version(self):
        before = self.client.policy()
        swapped = self.client.update_policy(env("GRPO_TEST_POLICY_DIR"))
        self.assertEqual((swapped["previousVersion"], swapped["version"]), (before["version"], before["version"] + 1))
        self.assertEqual(self.client.policy()["version"], swapped["version"])

    def test_a_missing_checkpoint_is_a_400_naming_path(self):
        with self.assertRaises(s.ServiceError) as caught:
            self.client.update_policy(env("GRPO_TEST_POLICY_DIR") + "-missing")
        self.assertEqual((caught.exception.status, caught.exception.field), (400, "path"))

    def test_a_call_without_the_key_is_a_401(self):
        anonymous = s.RolloutClient(env("GRPO_ROLLOUT_URL"), api_key="", max_retries=2)
        sleeps = []
        anonymous._sleep = sleeps.append
        with self.assertRaises(s.ServiceError) as caught:
            anonymous.policy()
        self.assertEqual((caught.exception.code, caught.exception.status, sleeps), ("GRPO_UNAUTHORIZED", 401, []))
        self.assertEqual(anonymous.health()["status"], "ok")


class LiveTrainerTests(unittest.TestCase):
    def test_a_submitted_run_trains_through_rollout_and_reward_and_reports_its_metrics(self):
        client = s.TrainerClient(env("GRPO_TRAINER_URL"), env("GRPO_TRAINER_API_KEY"), timeout_s=60, max_retries=0)
        created = client.submit_run(
            {
                "name": "python-client",
                "model": {"tiny": {"hiddenSize": 16, "layers": 1, "heads": 2, "kvHeads": 1}},
                "data": {"builtin": "arithmetic", "train": {"count": 16, "maxDigits": 2, "zhFraction": 0}},
                "stages": [
                    {"type": "sft", "steps": 2, "batch": 4},
                    {"type": "grpo", "steps": 1, "batch": 2, "groupSize": 2, "sampling": {"maxTokens": 8}},
                ],
                "rolloutUrl": env("GRPO_ROLLOUT_URL"),
                "rewardUrl": env("GRPO_REWARD_URL"),
            }
        )
        self.assertIn(created["state"], ("queued", "running"))
        done = client.wait_for_run(created["id"], timeout_s=120, poll_s=0.1)
        self.assertEqual((done["state"], done["step"], done["totalSteps"]), ("completed", 3, 3), done.get("error"))
        self.assertIn(created["id"], [r["id"] for r in client.list_runs()])
        rows = client.metrics(created["id"], since=1)["rows"]
        self.assertEqual([(r["step"], r["stageType"]) for r in rows], [(2, "sft"), (3, "grpo")])
        self.assertIsInstance(rows[1]["rewardMean"], (int, float))
        with self.assertRaises(s.ServiceError) as caught:
            client.run_status("no-such-run")
        self.assertEqual(caught.exception.status, 404)


if __name__ == "__main__":
    unittest.main()
