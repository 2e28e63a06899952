"""Standard-library Python client for the GRPO Stack reward service.

One module, no dependencies (Python 3.9+): copy it next to a training script or put this
folder on PYTHONPATH. It gives

- ``RewardClient``: ``POST /v1/rewards`` in batches, with retries (connection errors,
  timeouts, 429 and 5xx; exponential backoff with jitter; ``Retry-After`` honoured) and an
  explicit per-attempt timeout; 4xx answers raise ``RewardServiceError(code, message,
  field, status)`` at once.
- verl: ``compute_score`` / ``compute_score_dict`` for ``custom_reward_function`` and
  ``compute_score_batch`` for ``reward_model.reward_manager=batch``.
- TRL: ``grpo_reward``, an ``async`` reward function with ``GRPOTrainer``'s
  ``reward_funcs`` signature, ``make_trl_reward`` to choose functions, and sync wrappers.
- OpenRLHF: ``RewardClient.get_reward`` calls ``/get_reward`` the way OpenRLHF's
  ``--reward.remote_url`` (formerly ``--remote_rm_url``) does.

Configuration for trainers that import a function by path comes from the environment:
``GRPO_REWARD_URL`` (default ``http://127.0.0.1:8001``), ``GRPO_REWARD_API_KEY`` (sent as
``Authorization: Bearer <key>``), ``GRPO_REWARD_SPEC`` (JSON list of ``{name, weight?,
params?}``), and ``GRPO_REWARD_TIMEOUT_S``, ``GRPO_REWARD_MAX_RETRIES``,
``GRPO_REWARD_BATCH_SIZE``.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import email.utils
import http.client
import json
import os
import random
import re
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence

__all__ = [
    "RewardClient",
    "RewardServiceError",
    "MATH_SPEC",
    "CODE_SPEC",
    "spec_for_data_source",
    "PYTHON_CODE_SPEC",
    "spec_from_env",
    "default_client",
    "compute_score",
    "compute_score_dict",
    "compute_score_batch",
    "grpo_reward",
    "grpo_reward_sync",
    "make_trl_reward",
    "make_trl_reward_sync",
    "completion_text",
]

__version__ = "0.1.0"

DEFAULT_URL = "http://127.0.0.1:8001"

#: Math: answer correctness plus the R1 ``<think>…</think><answer>…</answer>`` template, with
#: equal weights as in open-r1's GRPO recipe and the service's own ``/get_reward`` default.
MATH_SPEC: List[Dict[str, Any]] = [
    {"name": "accuracy", "weight": 1.0},
    {"name": "format", "weight": 1.0},
]

#: Code: pass rate of the reference tests, run by the service's JS/TS sandbox.
CODE_SPEC: List[Dict[str, Any]] = [{"name": "code", "weight": 1.0}]

#: Python code data sets: the same ``code`` reward with ``language: python`` (CPython in the
#: service's sandbox), whatever fence the completion uses.
PYTHON_CODE_SPEC: List[Dict[str, Any]] = [{"name": "code", "weight": 1.0, "params": {"language": "python"}}]

#: Substrings of a verl ``data_source`` that select ``PYTHON_CODE_SPEC``.
PYTHON_CODE_SOURCES = ("apps", "taco", "codecontests", "code_contests", "livecodebench", "humaneval", "mbpp", "kodcode")

#: Words in a ``data_source`` (split on punctuation) that name JavaScript or TypeScript.
JS_LANGUAGE_TOKENS = frozenset({"js", "javascript", "ts", "typescript", "node", "nodejs"})

#: Substrings of a verl ``data_source`` that select ``CODE_SPEC``; everything else gets
#: ``MATH_SPEC`` (gsm8k, MATH, AIME, DAPO-Math, ...).
CODE_SOURCE_MARKERS = (
    "code",
    "humaneval",
    "mbpp",
    "apps",
    "leetcode",
    "taco",
    "multipl",
)

#: Dataset columns searched, in order, for the reference when ``reference_key`` is not given
#: (open-r1 and TRL examples use ``solution``, GSM8K ``answer``).
REFERENCE_KEYS = ("solution", "answer", "reference", "ground_truth")

_RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


class RewardServiceError(Exception):
    """An error from the reward service or from talking to it.

    ``code`` is the service's error code (``GRPO_REWARD_UNKNOWN_FN``, ``GRPO_VALIDATION``,
    ...) or one of the client's own: ``GRPO_CLIENT_TIMEOUT``, ``GRPO_CLIENT_UNAVAILABLE``
    (connection failed after every retry), ``GRPO_CLIENT_BAD_RESPONSE``,
    ``GRPO_CLIENT_BAD_INPUT``, ``GRPO_CLIENT_CONFIG``. ``field`` names the offending field
    when known, ``status`` the HTTP status (``None`` when no answer came).
    """

    def __init__(self, code: str, message: str, field: Optional[str] = None, status: Optional[int] = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
        self.status = status

    def __str__(self) -> str:
        where = f" (field {self.field})" if self.field else ""
        status = f" [HTTP {self.status}]" if self.status is not None else ""
        return f"{self.code}: {self.message}{where}{status}"


def _env_number(name: str, default: float, cast: Callable[[str], Any]) -> Any:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return cast(raw)
    except ValueError:
        raise RewardServiceError("GRPO_CLIENT_CONFIG", f"{name} must be a number, got {raw!r}", name) from None


def spec_from_env(default: Optional[Sequence[Mapping[str, Any]]] = None) -> Optional[List[Dict[str, Any]]]:
    """The reward spec in ``GRPO_REWARD_SPEC`` (JSON), else ``default``."""
    raw = os.environ.get("GRPO_REWARD_SPEC")
    if raw is None or raw.strip() == "":
        return [dict(s) for s in default] if default is not None else None
    try:
        spec = json.loads(raw)
    except ValueError as err:
        raise RewardServiceError("GRPO_CLIENT_CONFIG", f"GRPO_REWARD_SPEC is not JSON: {err}", "GRPO_REWARD_SPEC") from None
    return _check_spec(spec, "GRPO_REWARD_SPEC")


def _check_spec(spec: Any, field: str) -> List[Dict[str, Any]]:
    if not isinstance(spec, list) or len(spec) == 0:
        raise RewardServiceError(
            "GRPO_CLIENT_BAD_INPUT", f"{field} must be a non-empty list of {{name, weight?, params?}}", field
        )
    for i, entry in enumerate(spec):
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str) or not entry["name"]:
            raise RewardServiceError(
                "GRPO_CLIENT_BAD_INPUT", f"{field}[{i}] must be an object with a string name", f"{field}[{i}].name"
            )
    return [dict(s) for s in spec]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Redirects are not followed: urllib would resend the Authorization header (and turn a
    POST into a GET) to wherever the Location points. A 3xx is raised as an HTTPError instead."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


def _is_loopback(host: Optional[str]) -> bool:
    return host in ("localhost", "::1") or (host or "").startswith("127.")


class RewardClient:
    """Client for ``POST /v1/rewards`` and ``POST /get_reward``.

    Limits, all explicit:
      timeout_s    seconds per HTTP attempt; it bounds the connect and every blocking read.
      max_retries  retries after the first attempt, for connection errors, timeouts, 429
                   and 5xx. 4xx other than 429 are never retried. Worst case for one batch:
                   (max_retries + 1) * timeout_s plus the backoff sleeps.
      backoff_s    first backoff; attempt k waits ``min(max_backoff_s, backoff_s * 2**k)``
                   scaled by a random factor in [0.5, 1] (jitter, so replicas of a trainer do
                   not retry in lockstep). A ``Retry-After`` header (seconds or HTTP date)
                   replaces it, capped at ``max_backoff_s``.
      batch_size   items per request; larger inputs are split and the results joined in order.
                   Keep it at most the service's ``maxItems`` (default 20000).
      max_concurrency  batches in flight at once in ``ascore`` (threads).
    """

    def __init__(
        self,
        base_url: Optional[str] = None,
        api_key: Optional[str] = None,
        timeout_s: float = 30.0,
        max_retries: int = 4,
        backoff_s: float = 0.5,
        batch_size: int = 256,
        *,
        max_backoff_s: float = 30.0,
        max_concurrency: int = 4,
    ):
        base_url = base_url or os.environ.get("GRPO_REWARD_URL") or DEFAULT_URL
        parsed = urllib.parse.urlparse(base_url)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise RewardServiceError(
                "GRPO_CLIENT_CONFIG", f"base_url must be an http(s) URL, got {base_url!r}", "base_url"
            )
        for name, value, low in (
            ("timeout_s", timeout_s, 0.0),
            ("backoff_s", backoff_s, -1e-12),
            ("max_backoff_s", max_backoff_s, -1e-12),
        ):
            if not isinstance(value, (int, float)) or not value > low:
                raise RewardServiceError("GRPO_CLIENT_CONFIG", f"{name} must be a positive number, got {value!r}", name)
        for name, value, low in (("max_retries", max_retries, 0), ("batch_size", batch_size, 1), ("max_concurrency", max_concurrency, 1)):
            if not isinstance(value, int) or value < low:
                raise RewardServiceError("GRPO_CLIENT_CONFIG", f"{name} must be an integer >= {low}, got {value!r}", name)
        # A URL given with a route (e.g. the OpenRLHF .../get_reward) still finds the service root.
        path = parsed.path.rstrip("/")
        for suffix in ("/get_reward", "/v1/rewards"):
            if path.endswith(suffix):
                path = path[: -len(suffix)]
        self.base_url = urllib.parse.urlunparse((parsed.scheme, parsed.netloc, path, "", "", ""))
        self.api_key = api_key if api_key is not None else (os.environ.get("GRPO_REWARD_API_KEY") or None)
        self.timeout_s = float(timeout_s)
        self.max_retries = max_retries
        self.backoff_s = float(backoff_s)
        self.max_backoff_s = float(max_backoff_s)
        self.batch_size = batch_size
        self.max_concurrency = max_concurrency
        # Loopback never goes through an HTTP(S)_PROXY from the environment.
        handlers: List[Any] = [_NoRedirect()]
        if _is_loopback(parsed.hostname):
            handlers.append(urllib.request.ProxyHandler({}))
        self._opener = urllib.request.build_opener(*handlers)
        self._sleep: Callable[[float], None] = time.sleep
        self._executor: Optional[concurrent.futures.ThreadPoolExecutor] = None
        self._lock = threading.Lock()

    @classmethod
    def from_env(cls, **overrides: Any) -> "RewardClient":
        """A client configured by ``GRPO_REWARD_*`` env vars; keyword arguments win."""
        kwargs: Dict[str, Any] = {
            "timeout_s": _env_number("GRPO_REWARD_TIMEOUT_S", 30.0, float),
            "max_retries": _env_number("GRPO_REWARD_MAX_RETRIES", 4, int),
            "batch_size": _env_number("GRPO_REWARD_BATCH_SIZE", 256, int),
        }
        kwargs.update(overrides)
        return cls(**kwargs)

    # -- HTTP -------------------------------------------------------------------------

    def _backoff(self, attempt: int, retry_after: Optional[float]) -> float:
        if retry_after is not None:
            return min(self.max_backoff_s, max(0.0, retry_after))
        base = min(self.max_backoff_s, self.backoff_s * (2**attempt))
        return base * random.uniform(0.5, 1.0)

    @staticmethod
    def _retry_after(headers: Any) -> Optional[float]:
        raw = headers.get("Retry-After") if headers is not None else None
        if not raw:
            return None
        raw = raw.strip()
        if raw.isdigit():
            return float(raw)
        try:
            when = email.utils.parsedate_to_datetime(raw)
        except (TypeError, ValueError):
            return None
        return max(0.0, when.timestamp() - time.time())

    def request(self, method: str, path: str, body: Any = None) -> Any:
        """One JSON request with the retry policy; returns the decoded JSON answer."""
        url = self.base_url + path
        data = json.dumps(body, ensure_ascii=False).encode("utf-8") if body is not None else None
        headers = {"Accept": "application/json", "User-Agent": f"grpo-reward-python/{__version__}"}
        if data is not None:
            headers["Content-Type"] = "application/json"
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        attempt = 0
        while True:
            retry_after: Optional[float] = None
            req = urllib.request.Request(url, data=data, headers=headers, method=method)
            try:
                with self._opener.open(req, timeout=self.timeout_s) as res:
                    raw = res.read()
                try:
                    return json.loads(raw.decode("utf-8"))
                except ValueError:
                    raise RewardServiceError(
                        "GRPO_CLIENT_BAD_RESPONSE", f"{method} {path} answered with invalid JSON", None, res.status
                    ) from None
            except urllib.error.HTTPError as err:
                status = err.code
                try:
                    payload = json.loads(err.read().decode("utf-8"))
                    info = payload.get("error", {}) if isinstance(payload, dict) else {}
                except (ValueError, OSError):
                    info = {}
                code = info.get("code") or f"HTTP_{status}"
                message = info.get("message") or f"{method} {path} failed with HTTP {status}"
                if 300 <= status < 400:
                    where = (err.headers.get("Location") or "")[:200] if err.headers is not None else ""
                    message = f"{method} {path}: {status} redirect{' to ' + where if where else ''} not followed; point the client at the service itself"
                failure = RewardServiceError(code, message, info.get("field"), status)
                if status not in _RETRY_STATUSES:
                    raise failure from None
                retry_after = self._retry_after(err.headers)
            except (socket.timeout, TimeoutError):
                failure = RewardServiceError(
                    "GRPO_CLIENT_TIMEOUT", f"{method} {url} gave no answer within timeout_s={self.timeout_s}"
                )
            except urllib.error.URLError as err:
                if isinstance(err.reason, (socket.timeout, TimeoutError)):
                    failure = RewardServiceError(
                        "GRPO_CLIENT_TIMEOUT", f"{method} {url} gave no answer within timeout_s={self.timeout_s}"
                    )
                else:
                    failure = RewardServiceError("GRPO_CLIENT_UNAVAILABLE", f"{method} {url}: {err.reason}")
            except (ConnectionError, http.client.HTTPException) as err:
                failure = RewardServiceError("GRPO_CLIENT_UNAVAILABLE", f"{method} {url}: {err!r}")
            if attempt >= self.max_retries:
                if failure.code.startswith("GRPO_CLIENT_"):
                    failure.message += f" (after {attempt + 1} attempts)"
                    failure.args = (failure.message,)
                raise failure
            self._sleep(self._backoff(attempt, retry_after))
            attempt += 1

    # -- /v1/rewards ------------------------------------------------------------------

    def _batches(self, items: Sequence[Mapping[str, Any]]) -> List[List[Dict[str, Any]]]:
        if not isinstance(items, (list, tuple)):
            raise RewardServiceError("GRPO_CLIENT_BAD_INPUT", "items must be a list of objects", "items")
        prepared: List[Dict[str, Any]] = []
        for i, item in enumerate(items):
            if not isinstance(item, Mapping):
                raise RewardServiceError("GRPO_CLIENT_BAD_INPUT", f"items[{i}] must be an object", f"items[{i}]")
            entry = {k: v for k, v in item.items() if v is not None}
            entry.setdefault("id", str(i))
            entry.setdefault("prompt", "")
            prepared.append(entry)
        return [prepared[i : i + self.batch_size] for i in range(0, len(prepared), self.batch_size)]

    def _score_batch(self, batch: List[Dict[str, Any]], spec: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
        answer = self.request("POST", "/v1/rewards", {"items": batch, "rewards": spec})
        results = answer.get("results") if isinstance(answer, dict) else None
        if not isinstance(results, list) or len(results) != len(batch):
            raise RewardServiceError(
                "GRPO_CLIENT_BAD_RESPONSE",
                f"/v1/rewards returned {len(results) if isinstance(results, list) else 'no'} results for {len(batch)} items",
                "results",
            )
        for item, result in zip(batch, results):
            if not isinstance(result, dict) or result.get("id") != str(item["id"]):
                raise RewardServiceError(
                    "GRPO_CLIENT_BAD_RESPONSE", f"/v1/rewards results are out of order at id {item['id']!r}", "results"
                )
        return results

    def score(self, items: Sequence[Mapping[str, Any]], rewards: Sequence[Mapping[str, Any]]) -> List[Dict[str, Any]]:
        """Scores ``items`` (``{id?, prompt?, completion, reference?, language?, task?}``)
        with the reward spec ``rewards``; returns one ``{id, total, components}`` per item,
        in order. Missing ids become the item's index."""
        spec = _check_spec(list(rewards), "rewards")
        out: List[Dict[str, Any]] = []
        for batch in self._batches(items):
            out.extend(self._score_batch(batch, spec))
        return out

    def totals(self, items: Sequence[Mapping[str, Any]], rewards: Sequence[Mapping[str, Any]]) -> List[float]:
        """Only the weighted totals of ``score``."""
        return [float(r["total"]) for r in self.score(items, rewards)]

    def _pool(self) -> concurrent.futures.ThreadPoolExecutor:
        with self._lock:
            if self._executor is None:
                self._executor = concurrent.futures.ThreadPoolExecutor(
                    max_workers=self.max_concurrency, thread_name_prefix="grpo-reward"
                )
            return self._executor

    async def ascore(
        self, items: Sequence[Mapping[str, Any]], rewards: Sequence[Mapping[str, Any]]
    ) -> List[Dict[str, Any]]:
        """``score`` without blocking the event loop: batches run on up to
        ``max_concurrency`` threads at once."""
        spec = _check_spec(list(rewards), "rewards")
        batches = self._batches(items)
        loop = asyncio.get_running_loop()
        pool = self._pool()
        parts = await asyncio.gather(*(loop.run_in_executor(pool, self._score_batch, b, spec) for b in batches))
        return [r for part in parts for r in part]

    def close(self) -> None:
        with self._lock:
            if self._executor is not None:
                self._executor.shutdown(wait=False)
                self._executor = None

    # -- other routes -----------------------------------------------------------------

    def get_reward(
        self,
        query: Sequence[str],
        prompts: Optional[Sequence[str]] = None,
        labels: Optional[Sequence[Optional[str]]] = None,
    ) -> Dict[str, Any]:
        """``POST /get_reward`` with OpenRLHF's body ``{query, prompts, labels}``; returns
        ``{rewards, scores, extra_logs}``. No batching: OpenRLHF sends one request per
        rollout micro-batch."""
        body: Dict[str, Any] = {"query": list(query)}
        if prompts is not None:
            body["prompts"] = list(prompts)
        if labels is not None:
            body["labels"] = list(labels)
        return self.request("POST", "/get_reward", body)

    def functions(self) -> List[Dict[str, Any]]:
        """The service's reward functions with their params (``GET /v1/reward-functions``)."""
        return self.request("GET", "/v1/reward-functions")["functions"]


_default_client: Optional[RewardClient] = None
_default_lock = threading.Lock()


def default_client() -> RewardClient:
    """The process-wide client made from the environment on first use."""
    global _default_client
    with _default_lock:
        if _default_client is None:
            _default_client = RewardClient.from_env()
        return _default_client


# -- verl -----------------------------------------------------------------------------


def spec_for_data_source(data_source: Optional[str]) -> List[Dict[str, Any]]:
    """``GRPO_REWARD_SPEC`` when set; else ``CODE_SPEC`` for code datasets and ``MATH_SPEC``
    for everything else."""
    override = spec_from_env()
    if override is not None:
        return override
    source = (data_source or "").lower()
    # "humaneval-js", "mbpp_typescript", MultiPL-E: a Python data set's name with another
    # language named in it keeps the language-detecting CODE_SPEC.
    tokens = set(re.split(r"[^a-z0-9]+", source))
    other_language = "multipl" in source or bool(tokens & JS_LANGUAGE_TOKENS)
    if not other_language and any(marker in source for marker in PYTHON_CODE_SOURCES):
        return [{**s, "params": dict(s["params"])} for s in PYTHON_CODE_SPEC]
    if any(marker in source for marker in CODE_SOURCE_MARKERS):
        return [dict(s) for s in CODE_SPEC]
    return [dict(s) for s in MATH_SPEC]


def _loads(text: Any) -> Any:
    try:
        return json.loads(text)
    except (TypeError, ValueError):
        return text


def _reference(ground_truth: Any, code: bool, fn_name: Optional[str] = None) -> Any:
    """verl keeps ``reward_model.ground_truth`` as a string; code datasets store their tests
    as JSON. Maps the public formats to the service's code references:

    - ``{inputs, outputs}`` (APPS/TACO/CodeContests, PRIME) -> stdin/stdout ``{cases: [{input, output}]}``;
      with ``fn_name`` (APPS/TACO call-based) -> ``{fnName, cases: [{args, expected}]}``;
    - a list of ``{input, output, testtype}`` (LiveCodeBench) -> stdin cases, or for ``functional``
      tests ``{fnName: "Solution.<name>", cases}`` with one JSON argument per input line;
    - ``{test, entry_point}`` (HumanEval) -> ``{testCode, entryPoint}``;
    - ``{test_list, test_setup_code}`` (MBPP) -> ``{testList, testSetupCode}``;
    - ``{test}`` with pytest-style ``def test_...`` functions (KodCode) -> ``{pytestCode}``.
    """
    ref = ground_truth
    if code and isinstance(ref, str):
        ref = _loads(ref)
        if isinstance(ref, str):
            return ground_truth
    if isinstance(ref, dict) and isinstance(ref.get("inputs"), list) and isinstance(ref.get("outputs"), list):
        name = ref.get("fn_name") or fn_name
        if isinstance(name, str) and name:
            cases = [
                {"args": i if isinstance(i, list) else [i], "expected": o}
                for i, o in zip(ref["inputs"], ref["outputs"])
            ]
            return {"fnName": name, "cases": cases}
        return {"cases": [{"input": str(i), "output": str(o)} for i, o in zip(ref["inputs"], ref["outputs"])]}
    if isinstance(ref, list) and ref and all(isinstance(t, dict) and "input" in t and "output" in t for t in ref):
        if any(t.get("testtype") == "functional" for t in ref):
            name = fn_name or ""
            cases = [
                {"args": [_loads(line) for line in str(t["input"]).split("\n") if line.strip()], "expected": _loads(t["output"])}
                for t in ref
            ]
            return {"fnName": name if "." in name else f"Solution.{name}", "cases": cases}
        return {"cases": [{"input": str(t["input"]), "output": str(t["output"])} for t in ref]}
    if isinstance(ref, dict) and isinstance(ref.get("test_list"), list):
        return {"testList": ref["test_list"], "testSetupCode": ref.get("test_setup_code") or ""}
    if isinstance(ref, dict) and isinstance(ref.get("test"), str):
        if isinstance(ref.get("entry_point"), str):
            return {"testCode": ref["test"], "entryPoint": ref["entry_point"]}
        if "def test_" in ref["test"]:
            return {"pytestCode": ref["test"]}
        return {"testCode": ref["test"]}
    if ref is None or isinstance(ref, (str, dict)):
        return ref
    return str(ref)


def _fn_name(info: Mapping[str, Any]) -> Optional[str]:
    for key in ("fn_name", "func_name", "entry_point"):
        value = info.get(key)
        if isinstance(value, str) and value:
            return value
    meta = info.get("metadata")
    if isinstance(meta, str):
        meta = _loads(meta)
    if isinstance(meta, Mapping) and isinstance(meta.get("func_name"), str):
        return meta["func_name"]
    return None


def _verl_item(index: int, data_source: Any, solution_str: Any, ground_truth: Any, extra_info: Any, spec: List[Dict[str, Any]]) -> Dict[str, Any]:
    info = extra_info if isinstance(extra_info, Mapping) else {}
    code = any(s.get("name") == "code" for s in spec)
    item: Dict[str, Any] = {
        "id": str(index),
        "prompt": str(info.get("question") or info.get("prompt") or ""),
        "completion": "" if solution_str is None else str(solution_str),
        "reference": _reference(ground_truth, code, _fn_name(info)),
        "task": str(data_source)[:64] if data_source else None,
        "language": info.get("language") if isinstance(info.get("language"), str) else None,
    }
    return item


def _details(result: Mapping[str, Any]) -> Dict[str, Any]:
    out: Dict[str, Any] = {"score": float(result["total"])}
    for comp in result.get("components", []):
        out[comp["name"]] = float(comp["score"])
    return out


def compute_score_dict(
    data_source: Any, solution_str: Any, ground_truth: Any, extra_info: Any = None, **kwargs: Any
) -> Dict[str, Any]:
    """verl ``custom_reward_function`` returning ``{"score": total, <name>: score, ...}``;
    verl logs the extra keys. Use it when every data source shares one spec, since verl
    expects the same keys on every sample."""
    spec = spec_for_data_source(data_source)
    result = default_client().score([_verl_item(0, data_source, solution_str, ground_truth, extra_info, spec)], spec)[0]
    return _details(result)


def compute_score(data_source: Any, solution_str: Any, ground_truth: Any, extra_info: Any = None, **kwargs: Any) -> float:
    """verl ``custom_reward_function`` (``name: compute_score``): the weighted total for one
    response. verl's naive reward manager calls it once per sample, one HTTP request each;
    prefer ``compute_score_batch`` with the batch reward manager."""
    return compute_score_dict(data_source, solution_str, ground_truth, extra_info)["score"]


def compute_score_batch(
    data_sources: Sequence[Any],
    solution_strs: Sequence[Any],
    ground_truths: Sequence[Any],
    extra_infos: Optional[Sequence[Any]] = None,
    **kwargs: Any,
) -> List[float]:
    """verl ``BatchRewardManager`` (``reward_model.reward_manager=batch``) calls this with the
    whole rollout batch as keyword lists. Samples are grouped by spec, so a mixed math/code
    batch costs one request per spec and batch_size items."""
    n = len(solution_strs)
    if len(data_sources) != n or len(ground_truths) != n or (extra_infos is not None and len(extra_infos) != n):
        raise RewardServiceError(
            "GRPO_CLIENT_BAD_INPUT",
            f"data_sources, solution_strs, ground_truths and extra_infos must have one entry per sample ({n})",
            "ground_truths",
        )
    groups: Dict[str, List[int]] = {}
    specs: Dict[str, List[Dict[str, Any]]] = {}
    for i, source in enumerate(data_sources):
        spec = spec_for_data_source(source)
        key = json.dumps(spec, sort_keys=True)
        specs[key] = spec
        groups.setdefault(key, []).append(i)
    scores: List[float] = [0.0] * n
    client = default_client()
    for key, indices in groups.items():
        spec = specs[key]
        items = [
            _verl_item(
                i, data_sources[i], solution_strs[i], ground_truths[i], extra_infos[i] if extra_infos is not None else None, spec
            )
            for i in indices
        ]
        for i, result in zip(indices, client.score(items, spec)):
            scores[i] = float(result["total"])
    return scores


# -- TRL ------------------------------------------------------------------------------


def _content_text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):  # multimodal parts: [{"type": "text", "text": ...}, ...]
        return "".join(p.get("text", "") for p in content if isinstance(p, Mapping) and p.get("type", "text") == "text")
    return "" if content is None else str(content)


def completion_text(completion: Any) -> str:
    """Plain text of a TRL completion: a string, or a conversational list of
    ``{"role", "content"}`` messages (the assistant messages, joined by newlines)."""
    if isinstance(completion, str):
        return completion
    if isinstance(completion, list):
        parts = [_content_text(m.get("content")) for m in completion if isinstance(m, Mapping) and m.get("role", "assistant") == "assistant"]
        return "\n".join(parts)
    if isinstance(completion, Mapping):
        return _content_text(completion.get("content"))
    raise RewardServiceError("GRPO_CLIENT_BAD_INPUT", f"a completion must be a string or a list of messages, got {type(completion).__name__}", "completions")


def _prompt_text(prompt: Any) -> str:
    if prompt is None or isinstance(prompt, str):
        return prompt or ""
    if isinstance(prompt, list):  # conversational: the last user message is the question
        users = [m for m in prompt if isinstance(m, Mapping) and m.get("role") == "user"]
        return _content_text(users[-1].get("content")) if users else ""
    return str(prompt)


def _column(kwargs: Mapping[str, Any], key: str, n: int) -> Optional[List[Any]]:
    values = kwargs.get(key)
    if values is None:
        return None
    if not isinstance(values, (list, tuple)) or len(values) != n:
        raise RewardServiceError(
            "GRPO_CLIENT_BAD_INPUT", f"dataset column {key!r} must have one value per completion ({n})", key
        )
    return list(values)


def make_trl_reward(
    spec: Optional[Sequence[Mapping[str, Any]]] = None,
    reference_key: Optional[str] = None,
    *,
    client: Optional[RewardClient] = None,
    name: str = "grpo_reward",
    none_if_not_applicable: bool = False,
) -> Callable[..., Any]:
    """An ``async def reward(prompts, completions, **kwargs) -> list[float]`` for
    ``GRPOTrainer(reward_funcs=[...])``.

    spec             reward spec; default ``GRPO_REWARD_SPEC`` or ``MATH_SPEC``, read at call time.
    reference_key    dataset column with the reference; default the first of ``REFERENCE_KEYS``
                     present. ``language`` and ``task`` columns are passed on when present.
    client           default: ``default_client()`` (env configured).
    name             ``__name__`` of the function; TRL logs rewards under it.
    none_if_not_applicable  ``None`` (TRL ignores it) for samples where every component is
                     ``not_applicable`` or ``error``, e.g. math rewards on a code sample.
    """
    fixed_spec = _check_spec(list(spec), "spec") if spec is not None else None

    async def reward(prompts: Sequence[Any], completions: Sequence[Any], **kwargs: Any) -> List[Optional[float]]:
        n = len(completions)
        if prompts is not None and len(prompts) != n:
            raise RewardServiceError(
                "GRPO_CLIENT_BAD_INPUT", f"prompts has {len(prompts)} entries but completions has {n}", "prompts"
            )
        key = reference_key or next((k for k in REFERENCE_KEYS if kwargs.get(k) is not None), None)
        refs = _column(kwargs, key, n) if key else None
        languages = _column(kwargs, "language", n)
        tasks = _column(kwargs, "task", n)
        items = []
        for i, completion in enumerate(completions):
            ref = refs[i] if refs is not None else None
            items.append(
                {
                    "id": str(i),
                    "prompt": _prompt_text(prompts[i]) if prompts is not None else "",
                    "completion": completion_text(completion),
                    "reference": ref if ref is None or isinstance(ref, (str, dict)) else str(ref),
                    "language": languages[i] if languages is not None else None,
                    "task": tasks[i] if tasks is not None else None,
                }
            )
        use_spec = fixed_spec if fixed_spec is not None else spec_from_env(MATH_SPEC)
        results = await (client or default_client()).ascore(items, use_spec)
        out: List[Optional[float]] = []
        for r in results:
            skipped = all(c.get("status") in ("not_applicable", "error") for c in r.get("components", []))
            out.append(None if none_if_not_applicable and skipped else float(r["total"]))
        return out

    reward.__name__ = name
    reward.__qualname__ = name
    return reward


def _run_sync(coro: Any) -> Any:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    # Called from inside a running loop (a notebook): run on a helper thread's own loop.
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


def make_trl_reward_sync(*args: Any, **kwargs: Any) -> Callable[..., List[Optional[float]]]:
    """``make_trl_reward`` as a plain function, for TRL versions without async reward support."""
    fn = make_trl_reward(*args, **kwargs)

    def reward(prompts: Sequence[Any], completions: Sequence[Any], **kw: Any) -> List[Optional[float]]:
        return _run_sync(fn(prompts, completions, **kw))

    reward.__name__ = fn.__name__
    reward.__qualname__ = fn.__qualname__
    return reward


_grpo_reward = make_trl_reward(name="grpo_reward")


async def grpo_reward(prompts: Sequence[Any], completions: Sequence[Any], **kwargs: Any) -> List[Optional[float]]:
    """TRL reward function: ``GRPO_REWARD_SPEC`` (default accuracy + format) against the
    dataset's ``solution``/``answer``/``reference``/``ground_truth`` column."""
    return await _grpo_reward(prompts, completions, **kwargs)


def grpo_reward_sync(prompts: Sequence[Any], completions: Sequence[Any], **kwargs: Any) -> List[Optional[float]]:
    """``grpo_reward`` as a plain function."""
    return _run_sync(grpo_reward(prompts, completions, **kwargs))
