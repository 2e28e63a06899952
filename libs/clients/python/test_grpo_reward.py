"""Tests for grpo_reward (stdlib unittest).

    GRPO_REWARD_URL=http://127.0.0.1:8001 python3 -m unittest -v test_grpo_reward

LiveServiceTests need a running reward service at GRPO_REWARD_URL (test/python-clients.test.ts
starts one); they fail, not skip, without it. The other tests run against tiny loopback
servers made here that fail, stall or echo on purpose.
"""

import asyncio
import json
import os
import socket
import threading
import time
import unittest
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import grpo_reward as g

RIGHT = "<think>\n6 * 7 = 42\n</think>\n<answer>\n42\n</answer>"
WRONG = "<think>\n6 * 7 = 41\n</think>\n<answer>\n41\n</answer>"


def ok_body(batch):
    return {
        "results": [
            {"id": it["id"], "total": 1.0, "components": [{"name": "x", "weight": 1, "score": 1, "weighted": 1, "status": "ok"}]}
            for it in batch["items"]
        ],
        "stats": {},
    }


class Stub:
    """A loopback HTTP server; `plan(n, body, headers)` decides the n-th answer as
    (status, json_body, extra_headers), or None to never answer."""

    def __init__(self, plan):
        self.requests = []
        self.release = threading.Event()
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"null")
                stub.requests.append({"body": body, "headers": dict(self.headers), "path": self.path})
                answer = plan(len(stub.requests), body)
                if answer is None:
                    stub.release.wait(10)
                    return
                status, payload, headers = answer
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for k, v in headers.items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def close(self):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


class RecordingClient(g.RewardClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.sleeps = []
        self._sleep = self.sleeps.append


def service_url():
    url = os.environ.get("GRPO_REWARD_URL")
    if not url:
        raise AssertionError("GRPO_REWARD_URL must point at a running reward service")
    return url


class LiveServiceTests(unittest.TestCase):
    def setUp(self):
        self.client = RecordingClient(service_url(), timeout_s=30, max_retries=0)

    def test_right_and_wrong_answers_get_exact_totals(self):
        res = self.client.score(
            [{"completion": RIGHT, "reference": "42"}, {"completion": WRONG, "reference": "42"}], g.MATH_SPEC
        )
        self.assertEqual([r["total"] for r in res], [2.0, 1.0])
        self.assertEqual([c["status"] for c in res[1]["components"]], ["wrong", "ok"])
        self.assertEqual(res[0]["id"], "0")

    def test_batches_keep_the_input_order(self):
        client = RecordingClient(service_url(), batch_size=2, max_retries=0)
        answers = ["1", "2", "3", "4", "5"]
        items = [{"id": f"q{i}", "completion": f"the answer is {a}", "reference": "3"} for i, a in enumerate(answers)]
        res = client.score(items, [{"name": "accuracy"}])
        self.assertEqual([r["id"] for r in res], ["q0", "q1", "q2", "q3", "q4"])
        self.assertEqual([r["total"] for r in res], [0, 0, 1, 0, 0])

    def test_ascore_gives_the_same_results_as_score(self):
        client = RecordingClient(service_url(), batch_size=1, max_concurrency=3)
        items = [{"completion": c, "reference": "42"} for c in (RIGHT, WRONG, "no idea", "the answer is 42")]
        got = asyncio.run(client.ascore(items, g.MATH_SPEC))
        self.assertEqual([r["total"] for r in got], [2.0, 1.0, 0.0, 1.0])
        client.close()

    def test_an_unknown_function_raises_its_code_and_field_without_retrying(self):
        client = RecordingClient(service_url(), max_retries=3)
        with self.assertRaises(g.RewardServiceError) as caught:
            client.score([{"completion": "x"}], [{"name": "no_such_fn"}])
        err = caught.exception
        self.assertEqual((err.code, err.field, err.status), ("GRPO_REWARD_UNKNOWN_FN", "rewards[0].name", 400))
        self.assertIn("accuracy", err.message)
        self.assertEqual(client.sleeps, [])

    def test_an_item_without_completion_names_the_field(self):
        with self.assertRaises(g.RewardServiceError) as caught:
            self.client.score([{"prompt": "p"}], g.MATH_SPEC)
        self.assertEqual((caught.exception.code, caught.exception.field), ("GRPO_VALIDATION", "items[0].completion"))

    def test_get_reward_answers_like_openrlhf_expects(self):
        res = self.client.get_reward(["Q:" + RIGHT + "</s>", "Q:" + WRONG], ["Q:", "Q:"], ["42", "42"])
        self.assertEqual(res["rewards"], [2, 1])
        self.assertEqual(res["scores"], [2, 1])
        self.assertEqual(res["extra_logs"], {"accuracy": [1, 0], "format": [1, 1]})

    def test_a_base_url_with_the_get_reward_route_still_reaches_v1_rewards(self):
        client = g.RewardClient(service_url().rstrip("/") + "/get_reward")
        self.assertEqual(client.totals([{"completion": RIGHT, "reference": "42"}], g.MATH_SPEC), [2.0])

    def test_functions_lists_the_registry(self):
        names = {f["name"] for f in self.client.functions()}
        self.assertTrue({"accuracy", "format", "code"} <= names)


class EnvTests(unittest.TestCase):
    def setUp(self):
        self.saved = {k: os.environ.get(k) for k in ("GRPO_REWARD_SPEC", "GRPO_REWARD_URL", "GRPO_REWARD_API_KEY")}

    def tearDown(self):
        for k, v in self.saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v

    def test_grpo_reward_spec_overrides_the_data_source_choice(self):
        self.assertEqual([s["name"] for s in g.spec_for_data_source("openai/gsm8k")], ["accuracy", "format"])
        self.assertEqual([s["name"] for s in g.spec_for_data_source("codecontests")], ["code"])
        os.environ["GRPO_REWARD_SPEC"] = '[{"name": "format", "weight": 2}]'
        self.assertEqual(g.spec_for_data_source("codecontests"), [{"name": "format", "weight": 2}])

    def test_grpo_reward_spec_that_is_not_json_is_a_config_error(self):
        os.environ["GRPO_REWARD_SPEC"] = "[accuracy"
        with self.assertRaises(g.RewardServiceError) as caught:
            g.spec_for_data_source("gsm8k")
        self.assertEqual((caught.exception.code, caught.exception.field), ("GRPO_CLIENT_CONFIG", "GRPO_REWARD_SPEC"))

    def test_a_spec_entry_without_name_is_rejected_before_sending(self):
        os.environ["GRPO_REWARD_SPEC"] = '[{"weight": 1}]'
        with self.assertRaises(g.RewardServiceError) as caught:
            g.spec_from_env()
        self.assertEqual(caught.exception.field, "GRPO_REWARD_SPEC[0].name")

    def test_url_and_key_come_from_the_environment(self):
        os.environ["GRPO_REWARD_URL"] = "http://127.0.0.1:9/"
        os.environ["GRPO_REWARD_API_KEY"] = "secret"
        client = g.RewardClient.from_env(timeout_s=5)
        self.assertEqual((client.base_url, client.api_key, client.timeout_s), ("http://127.0.0.1:9", "secret", 5.0))

    def test_bad_limits_are_config_errors_naming_the_option(self):
        for kwargs, field in (({"timeout_s": 0}, "timeout_s"), ({"batch_size": 0}, "batch_size"), ({"max_retries": -1}, "max_retries")):
            with self.assertRaises(g.RewardServiceError) as caught:
                g.RewardClient("http://127.0.0.1:9", **kwargs)
            self.assertEqual(caught.exception.field, field)
        with self.assertRaises(g.RewardServiceError) as caught:
            g.RewardClient("ftp://x")
        self.assertEqual(caught.exception.field, "base_url")


class HelperTests(unittest.TestCase):
    def test_conversational_completions_become_the_assistant_text(self):
        self.assertEqual(g.completion_text([{"role": "assistant", "content": "a"}]), "a")
        self.assertEqual(
            g.completion_text([{"role": "assistant", "content": [{"type": "text", "text": "b"}]}, {"role": "tool", "content": "t"}]),
            "b",
        )
        self.assertEqual(g.completion_text([]), "")

    def test_backoff_doubles_with_jitter_and_is_capped(self):
        client = g.RewardClient("http://127.0.0.1:9", backoff_s=1, max_backoff_s=5)
        for attempt, base in ((0, 1), (1, 2), (2, 4), (3, 5), (10, 5)):
            for _ in range(20):
                delay = client._backoff(attempt, None)
                self.assertTrue(base * 0.5 <= delay <= base, (attempt, delay))
        self.assertEqual(client._backoff(0, 3), 3)
        self.assertEqual(client._backoff(0, 60), 5)

    def test_code_references_in_inputs_outputs_form_become_stdio_cases(self):
        ref = g._reference('{"inputs": ["1\\n"], "outputs": ["2\\n"]}', True)
        self.assertEqual(ref, {"cases": [{"input": "1\n", "output": "2\n"}]})
        self.assertEqual(g._reference("42", False), "42")

    def test_python_code_data_sources_get_the_python_code_spec(self):
        for source in ("apps", "likaixin/TACO-verified", "deepmind/code_contests", "codecontests", "livecodebench/code_generation_lite", "openai_humaneval", "mbpp", "KodCode/KodCode-V1"):
            self.assertEqual(g.spec_for_data_source(source), [{"name": "code", "weight": 1.0, "params": {"language": "python"}}], source)
        self.assertEqual(g.spec_for_data_source("nuprl/MultiPL-E-humaneval-js"), [{"name": "code", "weight": 1.0}])
        for source in ("humaneval-js", "mbpp_typescript", "apps.javascript", "taco-ts"):
            self.assertEqual(g.spec_for_data_source(source), [{"name": "code", "weight": 1.0}], source)
        self.assertEqual(g.spec_for_data_source("gsm8k")[0]["name"], "accuracy")

    def test_python_code_references_map_to_the_services_formats(self):
        call = g._reference('{"inputs": [[1, 2], [3, 4]], "outputs": [3, 7], "fn_name": "add"}', True)
        self.assertEqual(call, {"fnName": "add", "cases": [{"args": [1, 2], "expected": 3}, {"args": [3, 4], "expected": 7}]})
        lcb = g._reference(json.dumps([{"input": "[2,7,11,15]\n9", "output": "[0, 1]", "testtype": "functional"}]), True, "twoSum")
        self.assertEqual(lcb, {"fnName": "Solution.twoSum", "cases": [{"args": [[2, 7, 11, 15], 9], "expected": [0, 1]}]})
        lcb_stdin = g._reference(json.dumps([{"input": "1 2\n", "output": "3\n", "testtype": "stdin"}]), True)
        self.assertEqual(lcb_stdin, {"cases": [{"input": "1 2\n", "output": "3\n"}]})
        he = g._reference({"test": "def check(candidate):\n    assert candidate(1) == 1\n", "entry_point": "f"}, True)
        self.assertEqual(he, {"testCode": "def check(candidate):\n    assert candidate(1) == 1\n", "entryPoint": "f"})
        mbpp = g._reference({"test_list": ["assert f(1) == 1"], "test_setup_code": ""}, True)
        self.assertEqual(mbpp, {"testList": ["assert f(1) == 1"], "testSetupCode": ""})
        kod = g._reference({"test": "from solution import f\n\ndef test_f():\n    assert f() == 1\n"}, True)
        self.assertEqual(kod, {"pytestCode": "from solution import f\n\ndef test_f():\n    assert f() == 1\n"})
        self.assertEqual(g._fn_name({"metadata": '{"func_name": "isValid"}'}), "isValid")


class StubServerTests(unittest.TestCase):
    def stub(self, plan):
        s = Stub(plan)
        self.addCleanup(s.close)
        return s

    def test_two_503s_are_retried_then_the_answer_is_returned(self):
        s = self.stub(lambda n, body: (503, {"error": {"code": "BUSY", "message": "busy", "statusCode": 503}}, {}) if n <= 2 else (200, ok_body(body), {}))
        client = RecordingClient(s.url, backoff_s=0.01)
        res = client.score([{"completion": "a"}], [{"name": "x"}])
        self.assertEqual([r["total"] for r in res], [1.0])
        self.assertEqual(len(s.requests), 3)
        self.assertEqual(len(client.sleeps), 2)

    def test_retry_after_on_429_sets_the_wait(self):
        s = self.stub(lambda n, body: (429, {}, {"Retry-After": "2"}) if n == 1 else (200, ok_body(body), {}))
        client = RecordingClient(s.url, backoff_s=0.01)
        client.score([{"completion": "a"}], [{"name": "x"}])
        self.assertEqual(client.sleeps, [2.0])

    def test_exhausted_retries_raise_the_service_error(self):
        s = self.stub(lambda n, body: (503, {"error": {"code": "GRPO_OVERLOADED", "message": "queue full", "statusCode": 503}}, {}))
        client = RecordingClient(s.url, max_retries=2, backoff_s=0.01)
        with self.assertRaises(g.RewardServiceError) as caught:
            client.score([{"completion": "a"}], [{"name": "x"}])
        self.assertEqual((caught.exception.code, caught.exception.status), ("GRPO_OVERLOADED", 503))
        self.assertEqual(len(s.requests), 3)

    def test_a_server_that_never_answers_times_out_within_the_budget(self):
        s = self.stub(lambda n, body: None)
        client = RecordingClient(s.url, timeout_s=0.3, max_retries=1)
        start = time.monotonic()
        with self.assertRaises(g.RewardServiceError) as caught:
            client.score([{"completion": "a"}], [{"name": "x"}])
        elapsed = time.monotonic() - start
        self.assertEqual(caught.exception.code, "GRPO_CLIENT_TIMEOUT")
        self.assertEqual(len(s.requests), 2)
        self.assertLess(elapsed, 2 * 0.3 + 1.0)

    def test_a_refused_connection_is_unavailable_after_retries(self):
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        sock.close()
        client = RecordingClient(f"http://127.0.0.1:{port}", max_retries=2, backoff_s=0.01)
        with self.assertRaises(g.RewardServiceError) as caught:
            client.score([{"completion": "a"}], [{"name": "x"}])
        self.assertEqual((caught.exception.code, caught.exception.status), ("GRPO_CLIENT_UNAVAILABLE", None))
        self.assertEqual(len(client.sleeps), 2)

    def test_the_api_key_is_sent_as_a_bearer_token(self):
        s = self.stub(lambda n, body: (200, ok_body(body), {}))
        g.RewardClient(s.url, api_key="k1").score([{"completion": "a"}], [{"name": "x"}])
        g.RewardClient(s.url, api_key="").score([{"completion": "a"}], [{"name": "x"}])
        self.assertEqual(s.requests[0]["headers"].get("Authorization"), "Bearer k1")
        self.assertNotIn("Authorization", s.requests[1]["headers"])

    def test_a_redirect_is_not_followed_and_the_key_stays_with_the_service(self):
        target = self.stub(lambda n, body: (200, ok_body(body or {"items": []}), {}))
        for status in (301, 302, 303, 307, 308):
            s = self.stub(lambda n, body, status=status: (status, {}, {"Location": f"{target.url}/v1/rewards"}))
            with self.assertRaises(g.RewardServiceError) as caught:
                RecordingClient(s.url, api_key="k" * 20).score([{"completion": "a"}], [{"name": "x"}])
            self.assertEqual((caught.exception.code, caught.exception.status), (f"HTTP_{status}", status))
            self.assertIn("redirect to", str(caught.exception))
            self.assertIn("not followed", str(caught.exception))
            self.assertEqual(len(s.requests), 1, "a redirect is not retried")
            self.assertEqual(s.requests[0]["headers"].get("Authorization"), "Bearer " + "k" * 20)
        self.assertEqual(target.requests, [], "the redirect target gets no request")

    def test_batches_are_sent_as_separate_requests(self):
        s = self.stub(lambda n, body: (200, ok_body(body), {}))
        res = g.RewardClient(s.url, batch_size=2).score([{"completion": str(i)} for i in range(5)], [{"name": "x"}])
        self.assertEqual([len(r["body"]["items"]) for r in s.requests], [2, 2, 1])
        self.assertEqual([r["id"] for r in res], ["0", "1", "2", "3", "4"])

    def test_an_empty_batch_returns_nothing_without_a_request(self):
        s = self.stub(lambda n, body: (200, ok_body(body), {}))
        client = g.RewardClient(s.url)
        self.assertEqual(client.score([], [{"name": "x"}]), [])
        self.assertEqual(asyncio.run(client.ascore([], [{"name": "x"}])), [])
        self.assertEqual(s.requests, [])
        client.close()

    def test_results_out_of_order_are_a_bad_response(self):
        def plan(n, body):
            answer = ok_body(body)
            answer["results"].reverse()
            return 200, answer, {}

        s = self.stub(plan)
        with self.assertRaises(g.RewardServiceError) as caught:
            g.RewardClient(s.url).score([{"completion": "a"}, {"completion": "b"}], [{"name": "x"}])
        self.assertEqual(caught.exception.code, "GRPO_CLIENT_BAD_RESPONSE")

    def test_trl_reward_reads_the_reference_column_and_can_return_none(self):
        def plan(n, body):
            results = []
            for it in body["items"]:
                status = "ok" if "reference" in it else "not_applicable"
                results.append({"id": it["id"], "total": 1.0 if "reference" in it else 0.0, "components": [{"name": "x", "status": status, "score": 0, "weight": 1, "weighted": 0}]})
            return 200, {"results": results, "stats": {}}, {}

        s = self.stub(plan)
        fn = g.make_trl_reward([{"name": "x"}], client=g.RewardClient(s.url), none_if_not_applicable=True, name="x_reward")
        got = asyncio.run(fn(prompts=[[{"role": "user", "content": "q1"}], "q2"], completions=["a", "b"], answer=["1", None], trainer_state=object()))
        self.assertEqual(got, [1.0, None])
        self.assertEqual(fn.__name__, "x_reward")
        self.assertTrue(asyncio.iscoroutinefunction(fn))
        sent = s.requests[0]["body"]["items"]
        self.assertEqual([it["prompt"] for it in sent], ["q1", "q2"])
        self.assertEqual(sent[0]["reference"], "1")
        self.assertNotIn("reference", sent[1])


if __name__ == "__main__":
    unittest.main()
