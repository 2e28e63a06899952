import type { TinyPolicyOptions } from '../src/index.js';

/**
 * The tiny checkpoints committed under test/fixtures, one per family, small enough to commit
 * (~0.5 MB in all) yet exercising every architectural option: GQA, llama3 RoPE scaling and an
 * untied head (llama), q/k/v biases and a tied head (qwen2), q/k norms with
 * heads * head_dim != hidden_size (qwen3). Norm weights and biases are randomised so the
 * checkpoints test them too.
 */
export const FIXTURE_SPECS: Record<string, Omit<TinyPolicyOptions, 'dir'>> = {
  'tiny-llama': {
    seed: 1,
    family: 'llama',
    hiddenSize: 32,
    heads: 4,
    kvHeads: 2,
    layers: 2,
    intermediateSize: 48,
    tieWordEmbeddings: false,
    ropeScaling: {
      type: 'llama3',
      factor: 8,
      lowFreqFactor: 1,
      highFreqFactor: 4,
      originalMaxPositionEmbeddings: 32,
    },
    maxPositionEmbeddings: 256,
    initializerRange: 0.1,
    randomizeNormsAndBiases: true,
  },
  'tiny-qwen2': {
    seed: 2,
    family: 'qwen2',
    hiddenSize: 32,
    heads: 4,
    kvHeads: 2,
    layers: 2,
    intermediateSize: 48,
    tieWordEmbeddings: true,
    ropeTheta: 1_000_000,
    maxPositionEmbeddings: 256,
    initializerRange: 0.1,
    randomizeNormsAndBiases: true,
  },
  'tiny-qwen3': {
    seed: 3,
    family: 'qwen3',
    hiddenSize: 16,
    heads: 4,
    kvHeads: 2,
    headDim: 8,
    layers: 2,
    intermediateSize: 32,
    tieWordEmbeddings: true,
    maxPositionEmbeddings: 256,
    initializerRange: 0.1,
    randomizeNormsAndBiases: true,
  },
};

/** The prompt whose logits are recorded: a ChatML user turn. */
export const FIXTURE_PROMPT = '<|im_start|>user\n12+7?<|im_end|>';
/** Greedy tokens recorded after the prompt (through the KV cache). */
export const FIXTURE_GREEDY_TOKENS = 8;
