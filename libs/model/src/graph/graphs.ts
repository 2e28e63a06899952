import { Graph, type Sym } from '@grpo/graph';
import type { ModelConfig } from '../config.js';
import { BAD_SHAPE, MISSING_TENSOR, ModelError } from '../errors.js';
import type { TensorMap } from '../safetensors.js';
import { lastPosition } from './ops.js';
import {
  defineTransformer,
  paramWeights,
  type TransformerOutputs,
  type WeightSource,
} from './transformer.js';

/**
 * The graphs derived from `defineTransformer`. Input names (all graphs):
 *   input_ids (batch, seq) int64, rope_cos / rope_sin (batch, seq, headDim/2) float32,
 *   attention_mask (batch, total) int64, and for decode past.<l>.key / past.<l>.value
 *   (batch, kvHeads, past, headDim) with total = past + seq.
 * Weights are graph inputs named by their HF names (`weights: 'inputs'`, fed per run, so a
 * new policy version needs no new session), or constants baked into the model
 * (`weights: 'constants'`, which lets ORT pre-pack GEMM weights once).
 */

export type WeightMode = 'inputs' | 'constants';

/** Weights as constants (ONNX initializers) taken from a checkpoint's tensors, shape-checked. */
export function constantWeights(g: Graph, tensors: TensorMap): WeightSource {
  return (name, shape) => {
    const t = tensors.get(name);
    if (!t || !(t.data instanceof Float32Array))
      throw new ModelError(MISSING_TENSOR, name, `checkpoint has no float tensor ${name}`);
    if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i]))
      throw new ModelError(BAD_SHAPE, name, `tensor ${name} has shape [${t.shape}], expected [${shape}]`);
    return g.constant(t.data, shape, 'float32');
  };
}

function weightSource(g: Graph, mode: WeightMode, tensors?: TensorMap): WeightSource {
  if (mode === 'inputs') return paramWeights(g);
  if (!tensors) throw new ModelError(MISSING_TENSOR, 'tensors', "weights: 'constants' needs the tensors");
  return constantWeights(g, tensors);
}

export interface ForwardInputs {
  inputIds: Sym;
  cos: Sym;
  sin: Sym;
  attentionMask: Sym;
  past?: { key: Sym; value: Sym }[];
}

/** Declares the standard inputs on `g` (with past key/values when `withPast`). */
export function declareForwardInputs(g: Graph, c: ModelConfig, withPast: boolean): ForwardInputs {
  const half = c.headDim / 2;
  const inputIds = g.input('input_ids', 'int64', ['batch', 'seq']);
  const cos = g.input('rope_cos', 'float32', ['batch', 'seq', half]);
  const sin = g.input('rope_sin', 'float32', ['batch', 'seq', half]);
  const attentionMask = g.input('attention_mask', 'int64', ['batch', 'total']);
  if (!withPast) return { inputIds, cos, sin, attentionMask };
  const past: { key: Sym; value: Sym }[] = [];
  for (let l = 0; l < c.numLayers; l++) {
    past.push({
      key: g.input(`past.${l}.key`, 'float32', ['batch', c.numKvHeads, 'past', c.headDim]),
      value: g.input(`past.${l}.value`, 'float32', ['batch', c.numKvHeads, 'past', c.headDim]),
    });
  }
  return { inputIds, cos, sin, attentionMask, past };
}

/**
 * Per-token log-probabilities of `targets` under softmax(logits / T) and the entropy (nats)
 * of that distribution: what the sampler reports and what GRPO's ratio pi/pi_old needs.
 * logits (batch, seq, vocab), targets (batch, seq) int64, temperature a scalar.
 */
export function tokenLogprobs(
  g: Graph,
  logits: Sym,
  targets: Sym,
  temperature: Sym,
): { logprobs: Sym; entropy: Sym } {
  const lp = g.logSoftmax(g.div(logits, temperature), -1);
  const picked = g.pick(lp, g.unsqueeze(targets, [2]), -1);
  const logprobs = g.reshape(picked, [targets.shape[0]!, targets.shape[1]!]);
  const entropy = g.neg(g.sum(g.mul(g.exp(lp), lp), [-1]));
  return { logprobs, entropy };
}

export interface PolicyForward {
  inputs: ForwardInputs;
  /** (batch, seq) int64: the token each position predicts (input_ids shifted left). */
  targets: Sym;
  /** float32 scalar. */
  temperature: Sym;
  logits: Sym;
  /** (batch, seq) log p(targets) under softmax(logits / T). */
  logprobs: Sym;
  /** (batch, seq) entropy of softmax(logits / T). */
  entropy: Sym;
  model: TransformerOutputs;
}

/** Declares inputs (plus `targets` and `temperature`) and the forward with logprobs/entropy. */
export function definePolicyForward(g: Graph, c: ModelConfig, weight: WeightSource): PolicyForward {
  const inputs = declareForwardInputs(g, c, false);
  const targets = g.input('targets', 'int64', ['batch', 'seq']);
  const temperature = g.input('temperature', 'float32', []);
  const model = defineTransformer(g, c, weight, inputs);
  const logits = model.lmHead(model.hidden);
  return { inputs, targets, temperature, logits, model, ...tokenLogprobs(g, logits, targets, temperature) };
}

/** (a) The logprob graph: outputs `logprobs` and `entropy`, each (batch, seq). */
export function buildLogprobGraph(c: ModelConfig, mode: WeightMode = 'inputs', tensors?: TensorMap): Graph {
  const g = new Graph();
  const f = definePolicyForward(g, c, weightSource(g, mode, tensors));
  g.output('logprobs', f.logprobs);
  g.output('entropy', f.entropy);
  return g;
}

/**
 * (c) Prefill / decode with a KV cache. Outputs `logits` ((batch, vocab) of the last slot when
 * `logits: 'last'`, else (batch, seq, vocab)) and kv.<l>.key / kv.<l>.value: the new tokens'
 * keys and values only, (batch, kvHeads, seq, headDim). The caller writes them into its cache
 * (`HostKvCache`) and feeds the whole cache buffer back as past.<l>.* with unwritten slots
 * masked: ORT's Node binding reads inputs in place but copies every output, so returning only
 * the new slots keeps the per-step copy O(batch), and attention reads the cache where it lies.
 * `past: false` is the prefill (and a full forward).
 */
export function buildKvGraph(
  c: ModelConfig,
  opts: {
    past: boolean;
    logits: 'last' | 'all';
    weights?: WeightMode;
    tensors?: TensorMap;
    /**
     * Decode only: also output present.<l>.key / present.<l>.value = concat(past, new) along
     * the slot axis, (batch, kvHeads, past + seq, headDim). The device-resident cache
     * (`DeviceKvCache`) feeds them back as the next step's past without a host copy.
     */
    present?: boolean;
  },
): Graph {
  const g = new Graph();
  const ws = weightSource(g, opts.weights ?? 'inputs', opts.tensors);
  const inputs = declareForwardInputs(g, c, opts.past);
  const m = defineTransformer(g, c, ws, inputs);
  const h = opts.logits === 'last' ? lastPosition(g, m.hidden) : m.hidden;
  g.output('logits', m.lmHead(h));
  m.newKv.forEach((p, l) => {
    const past = inputs.past?.[l];
    if (opts.present && past) {
      g.output(`present.${l}.key`, g.concat([past.key, p.key], 2));
      g.output(`present.${l}.value`, g.concat([past.value, p.value], 2));
      return;
    }
    g.output(`kv.${l}.key`, p.key);
    g.output(`kv.${l}.value`, p.value);
  });
  return g;
}
