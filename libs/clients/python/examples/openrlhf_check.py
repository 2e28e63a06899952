"""OpenRLHF: check a reward service deployment the way OpenRLHF's remote reward calls it.

    python3 examples/openrlhf_check.py http://127.0.0.1:8001/get_reward
    # or with GRPO_REWARD_URL set: python3 examples/openrlhf_check.py

OpenRLHF (--reward.remote_url, formerly --remote_rm_url, pointing at /get_reward) posts
{"query": [prompt + response as decoded, special tokens included], "prompts": [...],
"labels": [--data.label_key values]} and reads "rewards" (RL reward), "scores" (dynamic
filtering) and "extra_logs" (logged). This script sends such a batch, checks the answer has
that shape with one value per query, prints one JSON line per query and exits 1 on a bad
answer.
"""

import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from grpo_reward import RewardClient, RewardServiceError  # noqa: E402

PROMPT = "<|im_start|>user\nWhat is 2 + 3?<|im_end|>\n<|im_start|>assistant\n"
CASES = [
    ("right_formatted", PROMPT + "<think>\n2 + 3 = 5\n</think>\n<answer>\n5\n</answer><|im_end|>", "5"),
    ("wrong_formatted", PROMPT + "<think>\n2 + 3 = 6\n</think>\n<answer>\n6\n</answer><|im_end|>", "5"),
    ("right_unformatted", PROMPT + "The answer is 5.<|endoftext|>", "5"),
]


def main() -> int:
    url = sys.argv[1] if len(sys.argv) > 1 else None
    client = RewardClient(url, timeout_s=float(os.environ.get("GRPO_REWARD_TIMEOUT_S", "30")))
    try:
        answer = client.get_reward(
            query=[q for _, q, _ in CASES], prompts=[PROMPT] * len(CASES), labels=[label for _, _, label in CASES]
        )
    except RewardServiceError as err:
        print(f"openrlhf_check: {err}", file=sys.stderr)
        return 1
    n = len(CASES)
    problems = [
        f"{key} must be a list of {n} numbers"
        for key in ("rewards", "scores")
        if not isinstance(answer.get(key), list) or len(answer[key]) != n
    ]
    logs = answer.get("extra_logs")
    if not isinstance(logs, dict) or any(not isinstance(v, list) or len(v) != n for v in logs.values()):
        problems.append(f"extra_logs must map names to lists of {n} numbers")
    if problems:
        print("openrlhf_check: " + "; ".join(problems), file=sys.stderr)
        return 1
    for i, (case, _, _) in enumerate(CASES):
        line = {"case": case, "reward": answer["rewards"][i], "score": answer["scores"][i]}
        line.update({name: values[i] for name, values in logs.items()})
        print(json.dumps(line))
    return 0


if __name__ == "__main__":
    sys.exit(main())
