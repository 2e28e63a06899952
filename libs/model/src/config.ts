import { BAD_CONFIG, ModelError, UNSUPPORTED } from './errors.js';

/** The architecture families this package implements (SmolLM/SmolLM2 ship as `llama`). */
export type ModelFamily = 'llama' | 'qwen2' | 'qwen3';
export const MODEL_FAMILIES: readonly ModelFamily[] = ['llama', 'qwen2', 'qwen3'];

/** RoPE frequency scaling, as transformers' `modeling_rope_utils.py` computes it. */
export type RopeScaling =
  | { readonly type: 'linear'; readonly factor: number }
  | {
      readonly type: 'llama3';
      readonly factor: number;
      readonly lowFreqFactor: number;
      readonly highFreqFactor: number;
      readonly originalMaxPositionEmbeddings: number;
    };

/** A validated, frozen decoder-only transformer config (the fields of a HF `config.json`). */
export interface ModelConfig {
  readonly family: ModelFamily;
  /** `model_type` as written in config.json. */
  readonly modelType: string;
  readonly vocabSize: number;
  readonly hiddenSize: number;
  readonly intermediateSize: number;
  readonly numLayers: number;
  readonly numHeads: number;
  readonly numKvHeads: number;
  readonly headDim: number;
  readonly rmsNormEps: number;
  readonly ropeTheta: number;
  readonly ropeScaling: RopeScaling | null;
  readonly maxPositionEmbeddings: number;
  readonly tieWordEmbeddings: boolean;
  /** Biases on q_proj/k_proj/v_proj (Qwen2 always; Llama/Qwen3 when `attention_bias`). */
  readonly qkvBias: boolean;
  /** Bias on o_proj (Llama/Qwen3 `attention_bias`; never in Qwen2). */
  readonly oBias: boolean;
  /** Biases on gate/up/down projections (Llama `mlp_bias`). */
  readonly mlpBias: boolean;
  /** Per-head RMSNorm of queries and keys before RoPE (Qwen3). */
  readonly qkNorm: boolean;
  readonly bosTokenId: number | null;
  readonly eosTokenIds: readonly number[];
  readonly padTokenId: number | null;
  /** Storage dtype named by the checkpoint (`torch_dtype`/`dtype`); weights are fp32 on the CPU regardless. */
  readonly torchDtype: string | null;
  readonly initializerRange: number;
}

type Json = Record<string, unknown>;

function bad(field: string, message: string): ModelError {
  return new ModelError(BAD_CONFIG, `config.json:${field}`, message);
}

function int(cfg: Json, field: string, opts: { min?: number; def?: number } = {}): number {
  const v = cfg[field];
  if (v === undefined || v === null) {
    if (opts.def !== undefined) return opts.def;
    throw bad(field, `config.json is missing ${field}`);
  }
  if (typeof v !== 'number' || !Number.isInteger(v))
    throw bad(field, `${field} must be an integer, got ${JSON.stringify(v)}`);
  const min = opts.min ?? 1;
  if (v < min) throw bad(field, `${field} must be >= ${min}, got ${v}`);
  return v;
}

function num(cfg: Json, field: string, def?: number): number {
  const v = cfg[field];
  if (v === undefined || v === null) {
    if (def !== undefined) return def;
    throw bad(field, `config.json is missing ${field}`);
  }
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0)
    throw bad(field, `${field} must be a positive number, got ${JSON.stringify(v)}`);
  return v;
}

function bool(cfg: Json, field: string, def: boolean): boolean {
  const v = cfg[field];
  if (v === undefined || v === null) return def;
  if (typeof v !== 'boolean') throw bad(field, `${field} must be a boolean, got ${JSON.stringify(v)}`);
  return v;
}

function optId(cfg: Json, field: string): number | null {
  const v = cfg[field];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0)
    throw bad(field, `${field} must be a token id, got ${JSON.stringify(v)}`);
  return v;
}

function ids(cfg: Json, field: string): number[] {
  const v = cfg[field];
  if (v === undefined || v === null) return [];
  const list = Array.isArray(v) ? v : [v];
  return list.map((x, i) => {
    if (typeof x !== 'number' || !Number.isInteger(x) || x < 0)
      throw bad(`${field}[${i}]`, `${field} must hold token ids, got ${JSON.stringify(x)}`);
    return x;
  });
}

function familyOf(modelType: unknown): ModelFamily {
  if (modelType === 'llama') return 'llama';
  if (modelType === 'qwen2') return 'qwen2';
  if (modelType === 'qwen3') return 'qwen3';
  if (typeof modelType !== 'string') throw bad('model_type', 'config.json is missing model_type (a string)');
  throw new ModelError(
    UNSUPPORTED,
    'config.json:model_type',
    `model_type "${modelType}" is not supported; supported: llama (incl. SmolLM/SmolLM2), qwen2, qwen3`,
  );
}

function parseRopeScaling(raw: unknown, field: string): RopeScaling | null {
  if (raw === undefined || raw === null) return null;
  if (typeof raw !== 'object' || Array.isArray(raw)) throw bad(field, `${field} must be an object or null`);
  const r = raw as Json;
  const type = r.rope_type ?? r.type ?? 'default';
  if (type === 'default') return null;
  const sub = (name: string) => `${field}.${name}`;
  const pos = (name: string, def?: number): number => {
    const v = r[name];
    if (v === undefined || v === null) {
      if (def !== undefined) return def;
      throw bad(sub(name), `${field}.${name} is required for rope type ${String(type)}`);
    }
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0)
      throw bad(sub(name), `${field}.${name} must be a positive number`);
    return v;
  };
  if (type === 'linear') return { type: 'linear', factor: pos('factor') };
  if (type === 'llama3') {
    const lowFreqFactor = pos('low_freq_factor');
    const highFreqFactor = pos('high_freq_factor');
    if (highFreqFactor <= lowFreqFactor)
      throw bad(sub('high_freq_factor'), 'high_freq_factor must exceed low_freq_factor');
    return {
      type: 'llama3',
      factor: pos('factor'),
      lowFreqFactor,
      highFreqFactor,
      originalMaxPositionEmbeddings: pos('original_max_position_embeddings'),
    };
  }
  throw new ModelError(
    UNSUPPORTED,
    `config.json:${sub('rope_type')}`,
    `rope type "${String(type)}" is not supported; supported: default, linear, llama3`,
  );
}

/**
 * Validates a parsed HF `config.json` and returns a frozen {@link ModelConfig}.
 * Defaults follow transformers' LlamaConfig / Qwen2Config / Qwen3Config where a field is
 * commonly omitted (num_key_value_heads = heads, head_dim = hidden/heads except Qwen3, rope_theta 10000).
 * Throws {@link ModelError} `GRPO_MODEL_BAD_CONFIG` or `GRPO_MODEL_UNSUPPORTED` naming the field.
 */
export function parseModelConfig(raw: unknown): ModelConfig {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw bad('$', 'config.json must be a JSON object');
  const cfg = raw as Json;
  const family = familyOf(cfg.model_type);
  const act = cfg.hidden_act ?? 'silu';
  if (act !== 'silu')
    throw new ModelError(
      UNSUPPORTED,
      'config.json:hidden_act',
      `hidden_act "${String(act)}" is not supported; supported: silu`,
    );
  const hiddenSize = int(cfg, 'hidden_size');
  const numHeads = int(cfg, 'num_attention_heads');
  const numKvHeads = int(cfg, 'num_key_value_heads', { def: numHeads });
  if (numHeads % numKvHeads !== 0)
    throw bad(
      'num_key_value_heads',
      `num_attention_heads (${numHeads}) must be a multiple of num_key_value_heads (${numKvHeads})`,
    );
  let headDim: number;
  if (cfg.head_dim !== undefined && cfg.head_dim !== null) headDim = int(cfg, 'head_dim');
  else if (family === 'qwen3')
    headDim = 128; // Qwen3Config's default
  else {
    if (hiddenSize % numHeads !== 0)
      throw bad(
        'hidden_size',
        `hidden_size (${hiddenSize}) must be divisible by num_attention_heads (${numHeads})`,
      );
    headDim = hiddenSize / numHeads;
  }
  if (headDim % 2 !== 0) throw bad('head_dim', `head_dim must be even for rotary embeddings, got ${headDim}`);
  const partial = cfg.partial_rotary_factor;
  if (partial !== undefined && partial !== null && partial !== 1) {
    throw new ModelError(
      UNSUPPORTED,
      'config.json:partial_rotary_factor',
      'partial_rotary_factor other than 1 is not supported',
    );
  }
  if (cfg.use_sliding_window === true) {
    throw new ModelError(
      UNSUPPORTED,
      'config.json:use_sliding_window',
      'sliding-window attention is not supported; set use_sliding_window to false',
    );
  }
  // transformers >= 4.56 may nest rope_theta and scaling in `rope_parameters`.
  const ropeParams = cfg.rope_parameters;
  let ropeTheta: number;
  let ropeScaling: RopeScaling | null;
  if (ropeParams && typeof ropeParams === 'object' && !Array.isArray(ropeParams)) {
    ropeTheta = num(ropeParams as Json, 'rope_theta', num(cfg, 'rope_theta', 10000));
    ropeScaling = parseRopeScaling(ropeParams, 'rope_parameters');
  } else {
    ropeTheta = num(cfg, 'rope_theta', 10000);
    ropeScaling = parseRopeScaling(cfg.rope_scaling, 'rope_scaling');
  }
  const attentionBias = bool(cfg, 'attention_bias', false);
  const dtype = cfg.torch_dtype ?? cfg.dtype ?? null;
  if (dtype !== null && typeof dtype !== 'string') throw bad('torch_dtype', 'torch_dtype must be a string');
  const config: ModelConfig = {
    family,
    modelType: cfg.model_type as string,
    vocabSize: int(cfg, 'vocab_size'),
    hiddenSize,
    intermediateSize: int(cfg, 'intermediate_size'),
    numLayers: int(cfg, 'num_hidden_layers'),
    numHeads,
    numKvHeads,
    headDim,
    rmsNormEps: num(cfg, 'rms_norm_eps', 1e-6),
    ropeTheta,
    ropeScaling: ropeScaling ? Object.freeze(ropeScaling) : null,
    maxPositionEmbeddings: int(cfg, 'max_position_embeddings', { def: 2048 }),
    tieWordEmbeddings: bool(cfg, 'tie_word_embeddings', false),
    qkvBias: family === 'qwen2' ? true : attentionBias,
    oBias: family === 'qwen2' ? false : attentionBias,
    mlpBias: family === 'llama' ? bool(cfg, 'mlp_bias', false) : false,
    qkNorm: family === 'qwen3',
    bosTokenId: optId(cfg, 'bos_token_id'),
    eosTokenIds: Object.freeze(ids(cfg, 'eos_token_id')),
    padTokenId: optId(cfg, 'pad_token_id'),
    torchDtype: dtype,
    initializerRange: num(cfg, 'initializer_range', 0.02),
  };
  for (const [field, id] of [
    ['bos_token_id', config.bosTokenId],
    ['pad_token_id', config.padTokenId],
    ...config.eosTokenIds.map((e) => ['eos_token_id', e] as const),
  ] as const) {
    if (id !== null && id >= config.vocabSize)
      throw bad(field, `${field} ${id} is outside vocab_size ${config.vocabSize}`);
  }
  return Object.freeze(config);
}

const ARCH: Record<ModelFamily, string> = {
  llama: 'LlamaForCausalLM',
  qwen2: 'Qwen2ForCausalLM',
  qwen3: 'Qwen3ForCausalLM',
};

/** The HF `config.json` object for a config (what `AutoModelForCausalLM.from_pretrained` reads). */
export function toHfConfig(c: ModelConfig): Record<string, unknown> {
  const out: Record<string, unknown> = {
    architectures: [ARCH[c.family]],
    model_type: c.family,
    vocab_size: c.vocabSize,
    hidden_size: c.hiddenSize,
    intermediate_size: c.intermediateSize,
    num_hidden_layers: c.numLayers,
    num_attention_heads: c.numHeads,
    num_key_value_heads: c.numKvHeads,
    head_dim: c.headDim,
    hidden_act: 'silu',
    max_position_embeddings: c.maxPositionEmbeddings,
    initializer_range: c.initializerRange,
    rms_norm_eps: c.rmsNormEps,
    rope_theta: c.ropeTheta,
    rope_scaling: ropeScalingToHf(c.ropeScaling),
    tie_word_embeddings: c.tieWordEmbeddings,
    bos_token_id: c.bosTokenId,
    eos_token_id: c.eosTokenIds.length === 1 ? c.eosTokenIds[0] : [...c.eosTokenIds],
    pad_token_id: c.padTokenId,
    torch_dtype: c.torchDtype ?? 'float32',
    use_cache: true,
    attention_dropout: 0,
  };
  if (c.family === 'llama') {
    out.attention_bias = c.qkvBias;
    out.mlp_bias = c.mlpBias;
    out.pretraining_tp = 1;
  } else if (c.family === 'qwen3') {
    out.attention_bias = c.qkvBias;
    out.use_sliding_window = false;
    out.sliding_window = null;
  } else {
    out.use_sliding_window = false;
    out.sliding_window = null;
  }
  return out;
}

function ropeScalingToHf(s: RopeScaling | null): Record<string, unknown> | null {
  if (!s) return null;
  if (s.type === 'linear') return { rope_type: 'linear', factor: s.factor };
  return {
    rope_type: 'llama3',
    factor: s.factor,
    low_freq_factor: s.lowFreqFactor,
    high_freq_factor: s.highFreqFactor,
    original_max_position_embeddings: s.originalMaxPositionEmbeddings,
  };
}
