import { buildCharTokenizer } from './char-tokenizer.js';
import { loadPolicy, type Policy, savePolicy } from './checkpoint.js';
import {
  type ModelConfig,
  type ModelFamily,
  parseModelConfig,
  type RopeScaling,
  toHfConfig,
} from './config.js';
import { BAD_INPUT, ModelError } from './errors.js';
import { createRng } from './rng.js';
import type { TensorMap, WriteDtype } from './safetensors.js';
import { parameterSpecs } from './weights.js';

export interface TinyPolicyOptions {
  /** Folder to write (created if needed). */
  dir: string;
  /** Seed of the initialisation; the same options always give the same bytes. */
  seed: number;
  family?: ModelFamily;
  /** default 64 */
  hiddenSize?: number;
  /** default 2 */
  layers?: number;
  /** default 4 */
  heads?: number;
  /** default 2 */
  kvHeads?: number;
  /** default hiddenSize / heads */
  headDim?: number;
  /** default 2 * hiddenSize */
  intermediateSize?: number;
  /** default true */
  tieWordEmbeddings?: boolean;
  /** Llama/Qwen3 `attention_bias` (Qwen2 always has q/k/v biases); default false. */
  attentionBias?: boolean;
  /** default 10000 */
  ropeTheta?: number;
  ropeScaling?: RopeScaling | null;
  /** default 1024 */
  maxPositionEmbeddings?: number;
  /** default 1e-6 */
  rmsNormEps?: number;
  /** Std of the normal init of every Linear/Embedding weight (HF `initializer_range`); default 0.02. */
  initializerRange?: number;
  /** Characters added to the char-level vocabulary (e.g. CJK for Chinese prompts). */
  extraChars?: string;
  /**
   * HF initialises biases to 0 and norm weights to 1. For tests that must exercise those
   * parameters, draw biases from N(0, initializerRange) and norm weights from 1 + N(0, 0.1). Default false.
   */
  randomizeNormsAndBiases?: boolean;
  /** Storage dtype of model.safetensors; default F32. */
  dtype?: WriteDtype;
}

/** The ModelConfig createTinyPolicy would write for these options (vocab from the char tokenizer). */
export function tinyConfig(o: Omit<TinyPolicyOptions, 'dir' | 'seed'>): ModelConfig {
  const tok = buildCharTokenizer({ extraChars: o.extraChars });
  const family = o.family ?? 'qwen2';
  const hiddenSize = o.hiddenSize ?? 64;
  const heads = o.heads ?? 4;
  const raw = toHfConfig({
    family,
    modelType: family,
    vocabSize: tok.vocabSize,
    hiddenSize,
    intermediateSize: o.intermediateSize ?? 2 * hiddenSize,
    numLayers: o.layers ?? 2,
    numHeads: heads,
    numKvHeads: o.kvHeads ?? Math.min(2, heads),
    headDim: o.headDim ?? Math.floor(hiddenSize / heads),
    rmsNormEps: o.rmsNormEps ?? 1e-6,
    ropeTheta: o.ropeTheta ?? 10000,
    ropeScaling: o.ropeScaling ?? null,
    maxPositionEmbeddings: o.maxPositionEmbeddings ?? 1024,
    tieWordEmbeddings: o.tieWordEmbeddings ?? true,
    qkvBias: family === 'qwen2' ? true : (o.attentionBias ?? false),
    oBias: family === 'qwen2' ? false : (o.attentionBias ?? false),
    mlpBias: false,
    qkNorm: family === 'qwen3',
    bosTokenId: null,
    eosTokenIds: [tok.ids['<|im_end|>']],
    padTokenId: tok.ids['<|endoftext|>'],
    torchDtype: 'float32',
    initializerRange: o.initializerRange ?? 0.02,
  });
  // Round-trip through the parser so every limit and default applies exactly as on load.
  return parseModelConfig(raw);
}

/** Random parameters for a config: HF's `_init_weights` (normal(0, initializer_range) weights, zero biases, unit norms). */
export function initTensors(config: ModelConfig, seed: number, randomizeNormsAndBiases = false): TensorMap {
  const rng = createRng(seed, 0);
  const std = config.initializerRange;
  const out: TensorMap = new Map();
  for (const [name, shape] of parameterSpecs(config)) {
    const n = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    const isNorm = name.endsWith('norm.weight');
    const isBias = name.endsWith('.bias');
    for (let i = 0; i < n; i++) {
      if (isNorm) data[i] = randomizeNormsAndBiases ? 1 + 0.1 * rng.normal() : 1;
      else if (isBias) data[i] = randomizeNormsAndBiases ? std * rng.normal() : 0;
      else data[i] = std * rng.normal();
    }
    out.set(name, { shape, data });
  }
  return out;
}

/**
 * Creates the tiny built-in policy as a Hugging Face folder (config.json, model.safetensors,
 * tokenizer.json, tokenizer_config.json with a ChatML template, generation_config.json) and
 * loads it back through the same path as any user checkpoint.
 */
export async function createTinyPolicy(o: TinyPolicyOptions): Promise<Policy> {
  if (!o || typeof o.dir !== 'string' || o.dir.length === 0)
    throw new ModelError(BAD_INPUT, 'dir', 'dir must be a non-empty path');
  if (!Number.isSafeInteger(o.seed))
    throw new ModelError(BAD_INPUT, 'seed', `seed must be a safe integer, got ${o.seed}`);
  const config = tinyConfig(o);
  const tok = buildCharTokenizer({ extraChars: o.extraChars, modelMaxLength: config.maxPositionEmbeddings });
  await savePolicy(
    o.dir,
    {
      config,
      tensors: initTensors(config, o.seed, o.randomizeNormsAndBiases ?? false),
      tokenizer: tok,
      generationConfig: {
        eos_token_id: [tok.ids['<|im_end|>'], tok.ids['<|endoftext|>']],
        pad_token_id: tok.ids['<|endoftext|>'],
        do_sample: true,
        temperature: 1.0,
        top_p: 1.0,
        top_k: 0,
      },
    },
    { dtype: o.dtype ?? 'F32' },
  );
  return loadPolicy(o.dir);
}
