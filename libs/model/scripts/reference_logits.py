#!/usr/bin/env python3
"""Independent check of libs/model's reference forward against PyTorch + transformers.

For every tiny checkpoint under libs/model/test/fixtures (written by make-fixtures.ts), this
loads the folder with AutoModelForCausalLM (fp32, eager attention, offline), runs the recorded
prompt, compares the logits with `<name>.expected.json` (our TypeScript reference), replays the
greedy continuation through transformers' KV cache, checks that the HF tokenizer encodes the
prompt to the same ids, and writes `<name>.torch.json`. When those files are committed,
test/fixtures.test.ts also compares our logits with them.

Not needed by CI. Needs: python >= 3.9, torch, transformers >= 4.51 (Qwen3). No network.

    python libs/model/scripts/reference_logits.py [--fixtures DIR] [--tolerance 1e-4]

Exit status 1 when any family differs by more than the tolerance.
"""

import argparse
import json
import os
import sys

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import torch  # noqa: E402
from transformers import AutoModelForCausalLM, AutoTokenizer  # noqa: E402


def check(folder: str, expected: dict, tolerance: float) -> dict:
    model = AutoModelForCausalLM.from_pretrained(
        folder, torch_dtype=torch.float32, attn_implementation="eager", local_files_only=True
    )
    model.eval()
    ids = torch.tensor([expected["inputIds"]], dtype=torch.long)
    with torch.no_grad():
        out = model(ids, use_cache=True)
        logits = out.logits[0].float()
        ours = torch.tensor(expected["logits"], dtype=torch.float32)
        diff = (logits - ours).abs().max().item()

        # Greedy continuation through the KV cache (no EOS stop: the recorded tokens may be EOS).
        past = out.past_key_values
        nxt = int(out.logits[0, -1].argmax())
        greedy = []
        for _ in range(len(expected["greedyTokens"])):
            greedy.append(nxt)
            step = model(torch.tensor([[nxt]]), past_key_values=past, use_cache=True)
            past = step.past_key_values
            nxt = int(step.logits[0, -1].argmax())

    tokenizer_ids = None
    try:
        tok = AutoTokenizer.from_pretrained(folder, local_files_only=True)
        tokenizer_ids = tok(expected["prompt"], add_special_tokens=False)["input_ids"]
    except Exception as e:  # report, do not fail: the logits are the point of this script
        print(f"  tokenizer could not be loaded: {e}", file=sys.stderr)

    return {
        "name": expected["name"],
        "transformers": __import__("transformers").__version__,
        "torch": torch.__version__,
        "inputIds": expected["inputIds"],
        "maxAbsDiff": diff,
        "withinTolerance": diff <= tolerance,
        "greedyTokens": greedy,
        "greedyMatches": greedy == expected["greedyTokens"],
        "tokenizerMatches": None if tokenizer_ids is None else tokenizer_ids == expected["inputIds"],
        "logits": [[float(f"{v:.8g}") for v in row] for row in logits.tolist()],
    }


def main() -> int:
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--fixtures", default=os.path.join(here, "..", "test", "fixtures"))
    ap.add_argument("--tolerance", type=float, default=1e-4)
    args = ap.parse_args()

    torch.manual_seed(0)
    ok = True
    names = sorted(
        n for n in os.listdir(args.fixtures) if os.path.isfile(os.path.join(args.fixtures, n, "config.json"))
    )
    if not names:
        print(f"no fixture folders in {args.fixtures}", file=sys.stderr)
        return 1
    for name in names:
        with open(os.path.join(args.fixtures, f"{name}.expected.json")) as f:
            expected = json.load(f)
        result = check(os.path.join(args.fixtures, name), expected, args.tolerance)
        with open(os.path.join(args.fixtures, f"{name}.torch.json"), "w") as f:
            json.dump(result, f)
            f.write("\n")
        good = result["withinTolerance"] and result["greedyMatches"] and result["tokenizerMatches"] is not False
        ok = ok and good
        print(
            f"{'ok  ' if good else 'FAIL'} {name}: max |logits diff| = {result['maxAbsDiff']:.3e} "
            f"(tolerance {args.tolerance:g}), greedy match = {result['greedyMatches']}, "
            f"tokenizer match = {result['tokenizerMatches']}"
        )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
