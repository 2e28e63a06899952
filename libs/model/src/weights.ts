import type { ModelConfig } from './config.js';
import { BAD_SHAPE, MISSING_TENSOR, ModelError } from './errors.js';
import type { FloatTensor, TensorMap } from './safetensors.js';

/** One decoder layer's parameters, HF layout: Linear weights are [out, in] row-major. */
export interface LayerWeights {
  readonly inputNorm: Float32Array;
  readonly qProj: Float32Array;
  readonly kProj: Float32Array;
  readonly vProj: Float32Array;
  readonly oProj: Float32Array;
  readonly qBias: Float32Array | null;
  readonly kBias: Float32Array | null;
  readonly vBias: Float32Array | null;
  readonly oBias: Float32Array | null;
  readonly qNorm: Float32Array | null;
  readonly kNorm: Float32Array | null;
  readonly postAttnNorm: Float32Array;
  readonly gateProj: Float32Array;
  readonly upProj: Float32Array;
  readonly downProj: Float32Array;
  readonly gateBias: Float32Array | null;
  readonly upBias: Float32Array | null;
  readonly downBias: Float32Array | null;
}

export interface ModelWeights {
  /** (vocab, hidden) */
  readonly embedTokens: Float32Array;
  readonly layers: readonly LayerWeights[];
  /** (hidden) */
  readonly norm: Float32Array;
  /** (vocab, hidden); the same array as embedTokens when tied. */
  readonly lmHead: Float32Array;
}

/** Every parameter name the config implies, with its shape, in HF naming. */
export function parameterSpecs(c: ModelConfig): Map<string, number[]> {
  const s = new Map<string, number[]>();
  const h = c.hiddenSize;
  const q = c.numHeads * c.headDim;
  const kv = c.numKvHeads * c.headDim;
  const f = c.intermediateSize;
  s.set('model.embed_tokens.weight', [c.vocabSize, h]);
  for (let i = 0; i < c.numLayers; i++) {
    const p = `model.layers.${i}`;
    s.set(`${p}.input_layernorm.weight`, [h]);
    s.set(`${p}.self_attn.q_proj.weight`, [q, h]);
    s.set(`${p}.self_attn.k_proj.weight`, [kv, h]);
    s.set(`${p}.self_attn.v_proj.weight`, [kv, h]);
    s.set(`${p}.self_attn.o_proj.weight`, [h, q]);
    if (c.qkvBias) {
      s.set(`${p}.self_attn.q_proj.bias`, [q]);
      s.set(`${p}.self_attn.k_proj.bias`, [kv]);
      s.set(`${p}.self_attn.v_proj.bias`, [kv]);
    }
    if (c.oBias) s.set(`${p}.self_attn.o_proj.bias`, [h]);
    if (c.qkNorm) {
      s.set(`${p}.self_attn.q_norm.weight`, [c.headDim]);
      s.set(`${p}.self_attn.k_norm.weight`, [c.headDim]);
    }
    s.set(`${p}.post_attention_layernorm.weight`, [h]);
    s.set(`${p}.mlp.gate_proj.weight`, [f, h]);
    s.set(`${p}.mlp.up_proj.weight`, [f, h]);
    s.set(`${p}.mlp.down_proj.weight`, [h, f]);
    if (c.mlpBias) {
      s.set(`${p}.mlp.gate_proj.bias`, [f]);
      s.set(`${p}.mlp.up_proj.bias`, [f]);
      s.set(`${p}.mlp.down_proj.bias`, [h]);
    }
  }
  s.set('model.norm.weight', [h]);
  if (!c.tieWordEmbeddings) s.set('lm_head.weight', [c.vocabSize, h]);
  return s;
}

/**
 * Checks a loaded checkpoint against the config (every parameter present, float, right shape)
 * and returns typed views. Extra tensors (e.g. a redundant `lm_head.weight` of a tied model,
 * old `rotary_emb.inv_freq` buffers) are ignored.
 */
export function bindWeights(c: ModelConfig, tensors: TensorMap): ModelWeights {
  const specs = parameterSpecs(c);
  const get = (name: string): Float32Array => {
    const shape = specs.get(name) as number[];
    const t = tensors.get(name);
    if (!t) throw new ModelError(MISSING_TENSOR, name, `checkpoint has no tensor ${name}`);
    if (!(t.data instanceof Float32Array))
      throw new ModelError(BAD_SHAPE, name, `tensor ${name} must be floating point`);
    if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
      throw new ModelError(
        BAD_SHAPE,
        name,
        `tensor ${name} has shape ${JSON.stringify(t.shape)}, config implies ${JSON.stringify(shape)}`,
      );
    }
    return t.data;
  };
  const opt = (name: string): Float32Array | null => (specs.has(name) ? get(name) : null);
  const layers: LayerWeights[] = [];
  for (let i = 0; i < c.numLayers; i++) {
    const p = `model.layers.${i}`;
    layers.push(
      Object.freeze({
        inputNorm: get(`${p}.input_layernorm.weight`),
        qProj: get(`${p}.self_attn.q_proj.weight`),
        kProj: get(`${p}.self_attn.k_proj.weight`),
        vProj: get(`${p}.self_attn.v_proj.weight`),
        oProj: get(`${p}.self_attn.o_proj.weight`),
        qBias: opt(`${p}.self_attn.q_proj.bias`),
        kBias: opt(`${p}.self_attn.k_proj.bias`),
        vBias: opt(`${p}.self_attn.v_proj.bias`),
        oBias: opt(`${p}.self_attn.o_proj.bias`),
        qNorm: opt(`${p}.self_attn.q_norm.weight`),
        kNorm: opt(`${p}.self_attn.k_norm.weight`),
        postAttnNorm: get(`${p}.post_attention_layernorm.weight`),
        gateProj: get(`${p}.mlp.gate_proj.weight`),
        upProj: get(`${p}.mlp.up_proj.weight`),
        downProj: get(`${p}.mlp.down_proj.weight`),
        gateBias: opt(`${p}.mlp.gate_proj.bias`),
        upBias: opt(`${p}.mlp.up_proj.bias`),
        downBias: opt(`${p}.mlp.down_proj.bias`),
      }),
    );
  }
  const embedTokens = get('model.embed_tokens.weight');
  return Object.freeze({
    embedTokens,
    layers: Object.freeze(layers),
    norm: get('model.norm.weight'),
    lmHead: c.tieWordEmbeddings ? embedTokens : get('lm_head.weight'),
  });
}

/** Keeps only the parameters of the config (drops extras), as a map ready for saving. */
export function checkpointTensors(c: ModelConfig, tensors: TensorMap): TensorMap {
  bindWeights(c, tensors);
  const out: TensorMap = new Map();
  for (const name of parameterSpecs(c).keys()) out.set(name, tensors.get(name) as FloatTensor);
  return out;
}
