"""verl: score responses the way verl's reward managers call a custom_reward_function.

    GRPO_REWARD_URL=http://127.0.0.1:8001 python3 examples/verl_example.py

In a verl run the same functions are named in the config instead:

    custom_reward_function.path=libs/clients/python/grpo_reward.py
    custom_reward_function.name=compute_score          # naive manager, one request per sample
    # or, one request per batch:
    custom_reward_function.name=compute_score_batch
    reward_model.reward_manager=batch

Prints one JSON line per sample: {"manager", "case", "score"}.
"""

import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from grpo_reward import compute_score, compute_score_batch, compute_score_dict  # noqa: E402

ADD_TESTS = json.dumps({"fnName": "add", "cases": [{"args": [1, 2], "expected": 3}, {"args": [2, 0], "expected": 2}]})

# (case, data_source, solution_str, ground_truth, extra_info); the spec for math sources is
# accuracy (weight 1) + format (weight 1, the R1 <think>/<answer> template).
SAMPLES = [
    ("right_formatted", "openai/gsm8k", "<think>\n6 * 7 = 42\n</think>\n<answer>\n\\boxed{42}\n</answer>", "42", {"question": "What is 6 * 7?"}),
    ("wrong_formatted", "openai/gsm8k", "<think>\n6 * 7 = 41\n</think>\n<answer>\n\\boxed{41}\n</answer>", "42", {"question": "What is 6 * 7?"}),
    ("right_unformatted", "lighteval/MATH", "Half of 1 is \\frac{1}{2}, so the answer is $\\frac{1}{2}$.", "\\frac{1}{2}", None),
    ("no_answer", "lighteval/MATH", "I am not sure.", "\\frac{1}{2}", None),
    # Code sources get the code spec: the pass rate of the tests in ground_truth (JSON), run in
    # the service's JavaScript sandbox.
    ("code_all_pass", "humaneval-js", "```javascript\nfunction add(a, b) { return a + b; }\n```", ADD_TESTS, None),
    ("code_half_pass", "humaneval-js", "```javascript\nfunction add(a, b) { return a - b; }\n```", ADD_TESTS, None),
]


def main() -> None:
    # NaiveRewardManager: compute_score(data_source=..., solution_str=..., ground_truth=..., extra_info=...)
    for case, source, solution, truth, info in SAMPLES:
        score = compute_score(data_source=source, solution_str=solution, ground_truth=truth, extra_info=info)
        print(json.dumps({"manager": "naive", "case": case, "score": score}))
    # The dict form: verl logs every key besides "score".
    case, source, solution, truth, info = SAMPLES[0]
    detail = compute_score_dict(data_source=source, solution_str=solution, ground_truth=truth, extra_info=info)
    print(json.dumps({"manager": "naive_dict", "case": case, "score": detail["score"], "details": detail}))
    # BatchRewardManager: keyword lists for the whole batch.
    scores = compute_score_batch(
        data_sources=[s[1] for s in SAMPLES],
        solution_strs=[s[2] for s in SAMPLES],
        ground_truths=[s[3] for s in SAMPLES],
        extra_infos=[s[4] for s in SAMPLES],
    )
    for (case, *_), score in zip(SAMPLES, scores):
        print(json.dumps({"manager": "batch", "case": case, "score": score}))


if __name__ == "__main__":
    main()
