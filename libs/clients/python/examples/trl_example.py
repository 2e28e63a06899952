"""TRL: call the reward functions the way GRPOTrainer does.

    GRPO_REWARD_URL=http://127.0.0.1:8001 python3 examples/trl_example.py

In a TRL script:

    from grpo_reward import grpo_reward, make_trl_reward
    trainer = GRPOTrainer(model=..., reward_funcs=[grpo_reward], train_dataset=ds, ...)
    # or choose the functions and the reference column:
    accuracy = make_trl_reward([{"name": "accuracy"}], reference_key="solution", name="accuracy")

GRPOTrainer calls reward_func(prompts=..., completions=..., completion_ids=..., **columns),
where every other dataset column arrives as a list with one value per completion, and
awaits functions defined with `async def`. Prints one JSON line per call: {"call", "rewards"}.
"""

import asyncio
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from grpo_reward import grpo_reward, grpo_reward_sync, make_trl_reward  # noqa: E402

RIGHT = "<think>\n12 / 4 = 3\n</think>\n<answer>\n3\n</answer>"
WRONG = "<think>\n12 / 4 = 4\n</think>\n<answer>\n4\n</answer>"
PLAIN_RIGHT = "12 / 4 = 3, so the answer is 3."


async def main() -> None:
    # Standard format: prompts and completions are strings; `solution` is a dataset column.
    prompts = ["What is 12 / 4?"] * 3
    completions = [RIGHT, WRONG, PLAIN_RIGHT]
    rewards = await grpo_reward(prompts=prompts, completions=completions, completion_ids=[[1]] * 3, solution=["3"] * 3)
    print(json.dumps({"call": "standard", "rewards": rewards}))

    # Conversational format: lists of {"role", "content"} messages; the column is `answer` here.
    conv_prompts = [[{"role": "user", "content": "What is 12 / 4?"}]] * 2
    conv_completions = [[{"role": "assistant", "content": RIGHT}], [{"role": "assistant", "content": WRONG}]]
    rewards = await grpo_reward(prompts=conv_prompts, completions=conv_completions, answer=["3", "3"])
    print(json.dumps({"call": "conversational", "rewards": rewards}))

    # A chosen spec: accuracy only, reference from an explicit column.
    accuracy = make_trl_reward([{"name": "accuracy"}], reference_key="gold", name="accuracy")
    rewards = await accuracy(prompts=prompts, completions=completions, gold=["3"] * 3)
    print(json.dumps({"call": "accuracy_only", "name": accuracy.__name__, "rewards": rewards}))


if __name__ == "__main__":
    asyncio.run(main())
    # The sync wrapper, for TRL versions that only call plain functions.
    rewards = grpo_reward_sync(prompts=["What is 12 / 4?"], completions=[RIGHT], solution=["3"])
    print(json.dumps({"call": "sync", "rewards": rewards}))
