#!/usr/bin/env python3
"""A second, independent implementation of the llama/qwen2/qwen3 forward in numpy (float32),
written in the tensor style of transformers' modeling_llama.py (rotate_half, repeat_kv, a
causal mask added to the scores) rather than the loop style of src/reference.ts, with its own
safetensors parser. It checks the committed fixtures' expected logits where PyTorch is not
installed; reference_logits.py is the authoritative check against transformers itself.

    python libs/model/scripts/numpy_reference.py [--fixtures DIR] [--tolerance 1e-4]

Needs only numpy. Not needed by CI.
"""

import argparse
import json
import math
import os
import struct
import sys

import numpy as np


def read_safetensors(path):
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        assert e["dtype"] == "F32", f"{name}: only F32 fixtures are supported here"
        b, end = e["data_offsets"]
        out[name] = np.frombuffer(data[b:end], dtype="<f4").reshape(e["shape"])
    return out


def inv_freq(cfg, head_dim):
    inv = (1.0 / (cfg.get("rope_theta", 10000.0) ** (np.arange(0, head_dim, 2).astype(np.float32) / head_dim))).astype(
        np.float32
    )
    rs = cfg.get("rope_scaling")
    if not rs:
        return inv
    kind = rs.get("rope_type", rs.get("type"))
    if kind == "linear":
        return (inv / rs["factor"]).astype(np.float32)
    assert kind == "llama3", kind
    factor, low, high, old = rs["factor"], rs["low_freq_factor"], rs["high_freq_factor"], rs["original_max_position_embeddings"]
    wavelen = 2 * math.pi / inv
    inv_l = np.where(wavelen > old / low, inv / factor, inv)
    smooth = (old / wavelen - low) / (high - low)
    smoothed = (1 - smooth) * inv_l / factor + smooth * inv_l
    medium = ~(wavelen < old / high) & ~(wavelen > old / low)
    return np.where(medium, smoothed, inv_l).astype(np.float32)


def rms_norm(x, w, eps):
    var = np.mean(x.astype(np.float32) ** 2, axis=-1, keepdims=True)
    return w * (x * (1.0 / np.sqrt(var + eps)))


def rotate_half(x):
    h = x.shape[-1] // 2
    return np.concatenate([-x[..., h:], x[..., :h]], axis=-1)


def forward(folder, ids):
    cfg = json.load(open(os.path.join(folder, "config.json")))
    W = read_safetensors(os.path.join(folder, "model.safetensors"))
    mt = cfg["model_type"]
    H, KV = cfg["num_attention_heads"], cfg.get("num_key_value_heads", cfg["num_attention_heads"])
    D = cfg.get("head_dim") or cfg["hidden_size"] // H
    eps = cfg["rms_norm_eps"]
    T = len(ids)

    freqs = np.outer(np.arange(T, dtype=np.float32), inv_freq(cfg, D)).astype(np.float32)
    emb = np.concatenate([freqs, freqs], axis=-1)
    cos, sin = np.cos(emb)[None], np.sin(emb)[None]  # (1, T, D)
    mask = np.triu(np.full((T, T), -np.inf, dtype=np.float32), k=1)

    def lin(x, name):
        y = x @ W[name + ".weight"].T
        if name + ".bias" in W:
            y = y + W[name + ".bias"]
        return y

    x = W["model.embed_tokens.weight"][ids]
    for i in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{i}"
        h = rms_norm(x, W[p + ".input_layernorm.weight"], eps)
        q = lin(h, p + ".self_attn.q_proj").reshape(T, H, D).transpose(1, 0, 2)
        k = lin(h, p + ".self_attn.k_proj").reshape(T, KV, D).transpose(1, 0, 2)
        v = lin(h, p + ".self_attn.v_proj").reshape(T, KV, D).transpose(1, 0, 2)
        if mt == "qwen3":
            q = rms_norm(q, W[p + ".self_attn.q_norm.weight"], eps)
            k = rms_norm(k, W[p + ".self_attn.k_norm.weight"], eps)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        k = np.repeat(k, H // KV, axis=0)  # repeat_kv
        v = np.repeat(v, H // KV, axis=0)
        s = q @ k.transpose(0, 2, 1) / math.sqrt(D) + mask
        s = np.exp(s - s.max(-1, keepdims=True))
        s = s / s.sum(-1, keepdims=True)
        a = (s @ v).transpose(1, 0, 2).reshape(T, H * D)
        x = x + lin(a, p + ".self_attn.o_proj")
        h = rms_norm(x, W[p + ".post_attention_layernorm.weight"], eps)
        g = lin(h, p + ".mlp.gate_proj")
        x = x + lin((g / (1 + np.exp(-g))) * lin(h, p + ".mlp.up_proj"), p + ".mlp.down_proj")
    x = rms_norm(x, W["model.norm.weight"], eps)
    head = W["model.embed_tokens.weight"] if cfg.get("tie_word_embeddings") else W["lm_head.weight"]
    return x @ head.T


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser()
    ap.add_argument("--fixtures", default=os.path.join(here, "..", "test", "fixtures"))
    ap.add_argument("--tolerance", type=float, default=1e-4)
    args = ap.parse_args()
    ok = True
    for name in sorted(n for n in os.listdir(args.fixtures) if os.path.isfile(os.path.join(args.fixtures, n, "config.json"))):
        exp = json.load(open(os.path.join(args.fixtures, f"{name}.expected.json")))
        logits = forward(os.path.join(args.fixtures, name), exp["inputIds"])
        diff = float(np.abs(logits - np.array(exp["logits"], dtype=np.float32)).max())
        good = diff <= args.tolerance
        ok = ok and good
        print(f"{'ok  ' if good else 'FAIL'} {name}: max |logits diff| = {diff:.3e} (tolerance {args.tolerance:g})")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
