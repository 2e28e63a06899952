"""Standard-library Python clients for the GRPO Stack rollout and trainer services.

The calls a Python trainer or script makes (Python 3.9+, nothing to install; needs
``grpo_reward.py`` next to it, whose HTTP core and error type it shares):

- ``RolloutClient``: ``POST /v1/rollouts`` (G completions per prompt with token ids and
  logprobs), ``GET``/``PUT /v1/policy`` (the loaded policy; load a checkpoint folder and bump
  the version), ``/health``, ``/ready``.
- ``TrainerClient``: ``POST /v1/runs`` (submit or resume a run), ``GET /v1/runs/{id}``
  (status), ``GET /v1/runs``, ``POST /v1/runs/{id}/stop``, ``GET /v1/runs/{id}/metrics``,
  and ``wait_for_run`` (poll until the run ends).

Retries, timeouts and errors are ``grpo_reward.RewardClient``'s: connection errors, timeouts,
429 and 5xx are retried with exponential backoff and jitter (``Retry-After`` honoured);
other 4xx raise ``ServiceError(code, message, field, status)`` at once. The routes and
bodies are those of ``openapi/rollout.json`` and ``openapi/trainer.json``.

Environment: ``GRPO_ROLLOUT_URL`` (default ``http://127.0.0.1:8002``),
``GRPO_ROLLOUT_API_KEY``, ``GRPO_TRAINER_URL`` (default ``http://127.0.0.1:8003``),
``GRPO_TRAINER_API_KEY``; arguments win.
"""

from __future__ import annotations

import os
import time
import urllib.parse
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Union

import grpo_reward as _reward

__all__ = ["RolloutClient", "TrainerClient", "ServiceError", "TERMINAL_STATES"]

#: The error every client of this module raises (the reward client's type, under a general name).
ServiceError = _reward.RewardServiceError

#: Run states after which a run makes no more progress (``wait_for_run`` returns on them).
TERMINAL_STATES = ("completed", "failed", "stopped")

#: ``rollouts`` keyword arguments in Python style, and the request fields they become.
_SAMPLING_FIELDS = {
    "temperature": "temperature",
    "top_p": "topP",
    "top_k": "topK",
    "max_tokens": "maxTokens",
    "stop": "stop",
    "seed": "seed",
}

Prompt = Union[str, Sequence[int], Mapping[str, Any]]


class _ServiceClient:
    """One service's base URL, key and retry policy, over ``grpo_reward``'s HTTP core."""

    _env: str = ""
    _default_url: str = ""

    def __init__(
        self,
        base_url: Optional[str] = None,
        api_key: Optional[str] = None,
        timeout_s: float = 600.0,
        max_retries: int = 2,
        backoff_s: float = 0.5,
        *,
        max_backoff_s: float = 30.0,
    ):
        url = base_url or os.environ.get(f"GRPO_{self._env}_URL") or self._default_url
        key = api_key if api_key is not None else (os.environ.get(f"GRPO_{self._env}_API_KEY") or "")
        # The reward client's request(): same validation of url, timeout and retries, same retry loop.
        self._http = _reward.RewardClient(
            url, key, timeout_s, max_retries, backoff_s, max_backoff_s=max_backoff_s
        )
        self.base_url = self._http.base_url

    @property
    def _sleep(self) -> Callable[[float], None]:
        return self._http._sleep

    @_sleep.setter
    def _sleep(self, fn: Callable[[float], None]) -> None:
        self._http._sleep = fn

    def request(self, method: str, path: str, body: Any = None) -> Any:
        """One JSON request with the retry policy; returns the decoded JSON answer."""
        return self._http.request(method, path, body)

    def health(self) -> Dict[str, Any]:
        """``GET /health``: ``{status, service, version, uptimeS}``."""
        return self.request("GET", "/health")

    def ready(self) -> Dict[str, Any]:
        """``GET /ready``: ``{status, checks}``; a service that is not ready raises HTTP_503."""
        return self.request("GET", "/ready")


def _bad(message: str, field: str) -> ServiceError:
    return ServiceError("GRPO_CLIENT_BAD_INPUT", message, field)


def _prompt(p: Any, i: int) -> Dict[str, Any]:
    if isinstance(p, str):
        return {"text": p}
    if isinstance(p, Mapping):
        return dict(p)
    if isinstance(p, (list, tuple)) and p and all(isinstance(t, int) and not isinstance(t, bool) for t in p):
        return {"tokenIds": list(p)}
    raise _bad(
        f"prompts[{i}] must be a string, a list of token ids or an object with text, messages or tokenIds",
        f"prompts[{i}]",
    )


class RolloutClient(_ServiceClient):
    """Client of the rollout service (``openapi/rollout.json``).

    Limits: ``timeout_s`` (default 600: a large batch or a weight load on a CPU takes minutes)
    per attempt, ``max_retries`` (default 2) after the first attempt; see ``grpo_reward.RewardClient``.
    """

    _env = "ROLLOUT"
    _default_url = "http://127.0.0.1:8002"

    def rollouts(self, prompts: Sequence[Prompt], group_size: int = 1, **sampling: Any) -> Dict[str, Any]:
        """``POST /v1/rollouts``: ``group_size`` completions per prompt.

        A prompt is a string (text), a list of token ids, or an object with exactly one of
        ``text``, ``messages`` (``[{role, content}]``, rendered with the chat template) or
        ``tokenIds``. ``sampling``: ``temperature``, ``top_p``, ``top_k``, ``max_tokens``,
        ``stop``, ``seed`` (the service's camelCase names are accepted too). Returns
        ``{model, policyVersion, seed, groups: [{promptTokenIds, seed, completions: [{tokenIds,
        text, logprobs, finishReason, stopReason}]}], usage}``.
        """
        if not isinstance(prompts, (list, tuple)) or len(prompts) == 0:
            raise _bad("prompts must be a non-empty list", "prompts")
        if not isinstance(group_size, int) or isinstance(group_size, bool) or group_size < 1:
            raise _bad(f"group_size must be an integer >= 1, got {group_size!r}", "groupSize")
        body: Dict[str, Any] = {"prompts": [_prompt(p, i) for i, p in enumerate(prompts)], "groupSize": group_size}
        camel = set(_SAMPLING_FIELDS.values())
        for name, value in sampling.items():
            field = _SAMPLING_FIELDS.get(name, name if name in camel else None)
            if field is None:
                allowed = ", ".join(sorted(_SAMPLING_FIELDS))
                raise _bad(f"unknown sampling parameter {name!r}; allowed: {allowed}", name)
            if value is not None:
                body[field] = list(value) if field == "stop" else value
        return self.request("POST", "/v1/rollouts", body)

    def policy(self) -> Dict[str, Any]:
        """``GET /v1/policy``: ``{model, version, engine, path}``."""
        return self.request("GET", "/v1/policy")

    def update_policy(self, path: str) -> Dict[str, Any]:
        """``PUT /v1/policy``: load the Hugging Face checkpoint folder ``path`` (on the service's
        host) and bump the version; returns ``{version, previousVersion, model}``."""
        if not isinstance(path, str) or not path:
            raise _bad("path must be a non-empty string", "path")
        return self.request("PUT", "/v1/policy", {"path": path})


class TrainerClient(_ServiceClient):
    """Client of the trainer service (``openapi/trainer.json``).

    Limits: ``timeout_s`` (default 600) per attempt, ``max_retries`` (default 2); a retried
    ``submit_run`` whose first attempt did start a run gets 409 (one run trains at a time).
    """

    _env = "TRAINER"
    _default_url = "http://127.0.0.1:8003"

    @staticmethod
    def _id(run_id: str) -> str:
        if not isinstance(run_id, str) or not run_id:
            raise _bad("run_id must be a non-empty string", "id")
        return urllib.parse.quote(run_id, safe="")

    def submit_run(self, config: Mapping[str, Any]) -> Dict[str, Any]:
        """``POST /v1/runs`` with a run config (``{model, data, stages, rolloutUrl, rewardUrl,
        ...}``; defaults filled in by the service); returns the new run's status (201)."""
        if not isinstance(config, Mapping):
            raise _bad("config must be an object (a RunConfig)", "body")
        return self.request("POST", "/v1/runs", dict(config))

    def resume_run(self, run_dir: str) -> Dict[str, Any]:
        """``POST /v1/runs`` with ``{resume: run_dir}``: continue a run from its last checkpoint."""
        if not isinstance(run_dir, str) or not run_dir:
            raise _bad("run_dir must be a non-empty string", "resume")
        return self.request("POST", "/v1/runs", {"resume": run_dir})

    def run_status(self, run_id: str) -> Dict[str, Any]:
        """``GET /v1/runs/{id}``: ``{id, state, step, totalSteps, stage, stageType, last, evals, ...}``."""
        return self.request("GET", f"/v1/runs/{self._id(run_id)}")

    def list_runs(self) -> List[Dict[str, Any]]:
        """``GET /v1/runs``: the statuses of the runs this trainer process knows."""
        return self.request("GET", "/v1/runs")["runs"]

    def stop_run(self, run_id: str) -> Dict[str, Any]:
        """``POST /v1/runs/{id}/stop``: checkpoint and stop after the current step (202)."""
        return self.request("POST", f"/v1/runs/{self._id(run_id)}/stop")

    def metrics(self, run_id: str, since: Optional[int] = None, limit: Optional[int] = None) -> Dict[str, Any]:
        """``GET /v1/runs/{id}/metrics``: ``{id, rows, evals}``, rows with step > ``since``,
        at most ``limit`` of them."""
        query: Dict[str, str] = {}
        for name, value in (("since", since), ("limit", limit)):
            if value is None:
                continue
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise _bad(f"{name} must be an integer >= 0, got {value!r}", name)
            query[name] = str(value)
        suffix = f"?{urllib.parse.urlencode(query)}" if query else ""
        return self.request("GET", f"/v1/runs/{self._id(run_id)}/metrics{suffix}")

    def wait_for_run(
        self,
        run_id: str,
        timeout_s: float = 3600.0,
        poll_s: float = 1.0,
        states: Sequence[str] = TERMINAL_STATES,
    ) -> Dict[str, Any]:
        """Polls ``run_status`` every ``poll_s`` until the run's state is one of ``states``;
        returns that status. Raises ``GRPO_CLIENT_TIMEOUT`` after ``timeout_s``."""
        deadline = time.monotonic() + timeout_s
        while True:
            status = self.run_status(run_id)
            if status.get("state") in states:
                return status
            if time.monotonic() >= deadline:
                raise ServiceError(
                    "GRPO_CLIENT_TIMEOUT",
                    f"run {run_id} is still {status.get('state')} at step {status.get('step')} after {timeout_s} s",
                    "id",
                )
            self._sleep(poll_s)
