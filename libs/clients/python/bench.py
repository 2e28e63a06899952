"""Benchmark: client overhead and end-to-end throughput of grpo_reward.

    GRPO_REWARD_URL=http://127.0.0.1:8001 python3 bench.py [items]

1. overhead: score() against a loopback stub that answers at once (JSON encode, HTTP,
   decode, checks), items per second;
2. service: score() and ascore() (4 batches in flight) of math items with accuracy + format
   against GRPO_REWARD_URL, items per second. Prints one JSON line per measurement.
"""

import asyncio
import json
import sys
import time

import grpo_reward as g
from test_grpo_reward import Stub, ok_body

ITEMS = int(sys.argv[1]) if len(sys.argv) > 1 else 2048


def items(n):
    out = []
    for i in range(n):
        a = i % 50
        out.append(
            {
                "id": f"i{i}",
                "prompt": f"What is {a} + {a}?",
                "completion": f"<think>\n{a} + {a} = {2 * a + i % 2}\n</think>\n<answer>\n\\boxed{{{2 * a + i % 2}}}\n</answer>",
                "reference": str(2 * a),
            }
        )
    return out


def rate(label, n, fn):
    fn()  # warm-up
    t0 = time.perf_counter()
    res = fn()
    s = time.perf_counter() - t0
    assert len(res) == n
    print(json.dumps({"bench": label, "items": n, "seconds": round(s, 3), "items_per_s": round(n / s)}))
    return res


def main():
    batch = items(ITEMS)
    stub = Stub(lambda n, body: (200, ok_body(body), {}))
    try:
        client = g.RewardClient(stub.url, batch_size=256)
        rate("overhead_stub_batch256", ITEMS, lambda: client.score(batch, g.MATH_SPEC))
    finally:
        stub.close()
    client = g.RewardClient.from_env(batch_size=256, max_concurrency=4)
    res = rate("service_score_batch256", ITEMS, lambda: client.score(batch, g.MATH_SPEC))
    assert sum(r["total"] for r in res) == ITEMS // 2 * 2 + ITEMS // 2
    rate("service_ascore_batch256_x4", ITEMS, lambda: asyncio.run(client.ascore(batch, g.MATH_SPEC)))
    client.close()


if __name__ == "__main__":
    main()
