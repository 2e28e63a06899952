import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BAD_CONFIG, type ModelError, parseModelConfig, toHfConfig, UNSUPPORTED } from '../src/index.js';

// Shapes of SmolLM2-135M's config.json (model_type llama).
const smollm2 = {
  architectures: ['LlamaForCausalLM'],
  attention_bias: false,
  bos_token_id: 1,
  eos_token_id: 2,
  hidden_act: 'silu',
  hidden_size: 576,
  initializer_range: 0.041666666666666664,
  intermediate_size: 1536,
  max_position_embeddings: 8192,
  mlp_bias: false,
  model_type: 'llama',
  num_attention_heads: 9,
  num_hidden_layers: 30,
  num_key_value_heads: 3,
  rms_norm_eps: 1e-5,
  rope_scaling: null,
  rope_theta: 100000,
  tie_word_embeddings: true,
  torch_dtype: 'bfloat16',
  vocab_size: 49152,
};

// Shapes of Qwen2.5-0.5B-Instruct's config.json.
const qwen25 = {
  architectures: ['Qwen2ForCausalLM'],
  bos_token_id: 151643,
  eos_token_id: 151645,
  hidden_act: 'silu',
  hidden_size: 896,
  intermediate_size: 4864,
  max_position_embeddings: 32768,
  max_window_layers: 21,
  model_type: 'qwen2',
  num_attention_heads: 14,
  num_hidden_layers: 24,
  num_key_value_heads: 2,
  rms_norm_eps: 1e-6,
  rope_theta: 1000000.0,
  sliding_window: 32768,
  tie_word_embeddings: true,
  torch_dtype: 'bfloat16',
  use_sliding_window: false,
  vocab_size: 151936,
};

function expectError(fn: () => unknown, code: string, field: string): void {
  assert.throws(fn, (e: ModelError) => {
    assert.equal(e.code, code);
    assert.equal(e.field, field);
    return true;
  });
}

test('a SmolLM2 config parses as the llama family with head_dim derived from hidden/heads', () => {
  const c = parseModelConfig(smollm2);
  assert.equal(c.family, 'llama');
  assert.equal(c.headDim, 64);
  assert.equal(c.numKvHeads, 3);
  assert.equal(c.tieWordEmbeddings, true);
  assert.equal(c.qkvBias, false);
  assert.deepEqual(c.eosTokenIds, [2]);
  assert.equal(c.ropeTheta, 100000);
  assert.ok(Object.isFrozen(c));
});

test('a Qwen2.5 config has q/k/v biases but no o_proj bias', () => {
  const c = parseModelConfig(qwen25);
  assert.equal(c.family, 'qwen2');
  assert.equal(c.qkvBias, true);
  assert.equal(c.oBias, false);
  assert.equal(c.qkNorm, false);
  assert.equal(c.headDim, 64);
});

test('a Qwen3 config uses its explicit head_dim and q/k norms', () => {
  const c = parseModelConfig({
    ...qwen25,
    model_type: 'qwen3',
    head_dim: 128,
    hidden_size: 1024,
    num_attention_heads: 16,
    num_key_value_heads: 8,
    attention_bias: false,
  });
  assert.equal(c.family, 'qwen3');
  assert.equal(c.headDim, 128);
  assert.equal(c.qkNorm, true);
  assert.equal(c.qkvBias, false);
});

test('llama3 rope_scaling is parsed with all four parameters', () => {
  const c = parseModelConfig({
    ...smollm2,
    rope_scaling: {
      rope_type: 'llama3',
      factor: 8,
      low_freq_factor: 1,
      high_freq_factor: 4,
      original_max_position_embeddings: 8192,
    },
  });
  assert.deepEqual(c.ropeScaling, {
    type: 'llama3',
    factor: 8,
    lowFreqFactor: 1,
    highFreqFactor: 4,
    originalMaxPositionEmbeddings: 8192,
  });
});

test('linear rope_scaling written with the legacy "type" key is accepted', () => {
  assert.deepEqual(
    parseModelConfig({ ...smollm2, rope_scaling: { type: 'linear', factor: 2 } }).ropeScaling,
    { type: 'linear', factor: 2 },
  );
});

test('rope_parameters of newer transformers versions supply theta and scaling', () => {
  const { rope_theta: _t, rope_scaling: _s, ...rest } = smollm2;
  const c = parseModelConfig({
    ...rest,
    rope_parameters: { rope_type: 'linear', factor: 4, rope_theta: 5e5 },
  });
  assert.equal(c.ropeTheta, 5e5);
  assert.deepEqual(c.ropeScaling, { type: 'linear', factor: 4 });
});

test('an unknown rope type is rejected naming the field', () => {
  expectError(
    () => parseModelConfig({ ...smollm2, rope_scaling: { rope_type: 'yarn', factor: 4 } }),
    UNSUPPORTED,
    'config.json:rope_scaling.rope_type',
  );
});

test('llama3 scaling without low_freq_factor is rejected naming the field', () => {
  expectError(
    () =>
      parseModelConfig({
        ...smollm2,
        rope_scaling: {
          rope_type: 'llama3',
          factor: 8,
          high_freq_factor: 4,
          original_max_position_embeddings: 8192,
        },
      }),
    BAD_CONFIG,
    'config.json:rope_scaling.low_freq_factor',
  );
});

test('an unsupported model_type lists the supported ones', () => {
  assert.throws(
    () => parseModelConfig({ ...smollm2, model_type: 'gpt2' }),
    /supported: llama \(incl\. SmolLM\/SmolLM2\), qwen2, qwen3/,
  );
});

test('a missing hidden_size is reported as a bad config field', () => {
  const { hidden_size: _h, ...rest } = smollm2;
  expectError(() => parseModelConfig(rest), BAD_CONFIG, 'config.json:hidden_size');
});

test('heads that are not a multiple of kv heads are rejected', () => {
  expectError(
    () => parseModelConfig({ ...smollm2, num_key_value_heads: 4 }),
    BAD_CONFIG,
    'config.json:num_key_value_heads',
  );
});

test('an eos id outside the vocabulary is rejected', () => {
  expectError(
    () => parseModelConfig({ ...smollm2, eos_token_id: [2, 60000] }),
    BAD_CONFIG,
    'config.json:eos_token_id',
  );
});

test('sliding-window attention is reported as unsupported', () => {
  expectError(
    () => parseModelConfig({ ...qwen25, use_sliding_window: true }),
    UNSUPPORTED,
    'config.json:use_sliding_window',
  );
});

test('a non-silu activation is reported as unsupported', () => {
  expectError(
    () => parseModelConfig({ ...smollm2, hidden_act: 'gelu' }),
    UNSUPPORTED,
    'config.json:hidden_act',
  );
});

test('toHfConfig round-trips through parseModelConfig', () => {
  for (const raw of [smollm2, qwen25]) {
    const c = parseModelConfig(raw);
    assert.deepEqual(parseModelConfig(toHfConfig(c)), c);
  }
});
