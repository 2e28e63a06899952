import fs from 'node:fs/promises';
import path from 'node:path';
import { compileGraph, Graph, type OptimizerOptions, type StepResult, type Sym, Trainer } from '@grpo/graph';
import { type OnnxSession, type SessionOptions, type Tensor, tensor } from '@grpo/onnx';
import { type ModelConfig, parseModelConfig, toHfConfig } from '../config.js';
import { BAD_CONFIG, BAD_SHAPE, MISSING_FILE, MISSING_TENSOR, ModelError } from '../errors.js';
import { loadWeights, saveWeights, type TensorMap } from '../safetensors.js';
import { parameterSpecs } from '../weights.js';
import { RopeTables } from './feeds.js';
import { declareForwardInputs, type ForwardInputs } from './graphs.js';
import { packSequences, type ScoreSequence } from './scorer.js';
import { completionMask } from './train.js';
import { defineTransformer, type WeightSource } from './transformer.js';

/**
 * The critic of PPO: the policy's decoder with a scalar value head over the final hidden state,
 * one value per position (the value of the state that predicts the next token). Parameters keep
 * the HF names of `<Family>ForTokenClassification` with num_labels = 1 (decoder under `model.`,
 * head `score.weight` (1, hidden) and `score.bias` (1)), so a saved critic folder opens in HF
 * as a token classifier. The LM head of an untied policy is not part of the critic.
 */

export const VALUE_HEAD = Object.freeze({ weight: 'score.weight', bias: 'score.bias' });

const ARCH: Record<ModelConfig['family'], string> = {
  llama: 'LlamaForTokenClassification',
  qwen2: 'Qwen2ForTokenClassification',
  qwen3: 'Qwen3ForTokenClassification',
};

/** Every critic parameter by HF name with its shape: the decoder without the LM head, plus the value head. */
export function criticParameterSpecs(c: ModelConfig): Map<string, number[]> {
  const s = parameterSpecs(c);
  s.delete('lm_head.weight');
  s.set(VALUE_HEAD.weight, [1, c.hiddenSize]);
  s.set(VALUE_HEAD.bias, [1]);
  return s;
}

/** Trainable critic weights: `g.param` for each critic parameter; the untied LM head (unused) is a pruned input. */
export function criticWeights(g: Graph): WeightSource {
  return (name, shape) =>
    name === 'lm_head.weight'
      ? g.input(name, 'float32', shape)
      : g.param(name, shape, { init: { kind: 'zeros' } });
}

export interface ValueForward {
  inputs: ForwardInputs;
  /** (batch, seq, hidden) after the final RMSNorm. */
  hidden: Sym;
  /** (batch, seq) value of each position. */
  values: Sym;
}

/** Declares the forward inputs and the critic forward: decoder, then the value head. */
export function defineValueForward(g: Graph, c: ModelConfig, weight: WeightSource): ValueForward {
  const inputs = declareForwardInputs(g, c, false);
  const m = defineTransformer(g, c, weight, inputs);
  const w = weight(VALUE_HEAD.weight, [1, c.hiddenSize]);
  const b = weight(VALUE_HEAD.bias, [1]);
  const v = g.add(g.matmul(m.hidden, g.swapLast(w)), b); // (batch, seq, 1)
  const values = g.reshape(v, [inputs.inputIds.shape[0]!, inputs.inputIds.shape[1]!]);
  return { inputs, hidden: m.hidden, values };
}

/**
 * Critic tensors from a checkpoint's: the decoder's (shape-checked against the config) and the
 * value head when present, else a zero head (every initial value 0, as a fresh head predicts no
 * return). Copies, so training never writes into the source.
 */
export function initCriticTensors(c: ModelConfig, tensors: TensorMap): TensorMap {
  const out: TensorMap = new Map();
  for (const [name, shape] of criticParameterSpecs(c)) {
    const t = tensors.get(name);
    const isHead = name === VALUE_HEAD.weight || name === VALUE_HEAD.bias;
    if (!t) {
      if (!isHead) throw new ModelError(MISSING_TENSOR, name, `checkpoint has no tensor ${name}`);
      out.set(name, { shape: [...shape], data: new Float32Array(shape.reduce((a, b) => a * b, 1)) });
      continue;
    }
    if (
      !(t.data instanceof Float32Array) ||
      t.shape.length !== shape.length ||
      t.shape.some((d, i) => d !== shape[i])
    )
      throw new ModelError(
        BAD_SHAPE,
        name,
        `tensor ${name} has shape [${t.shape}], expected float [${shape}]`,
      );
    out.set(name, { shape: [...shape], data: t.data.slice() });
  }
  return out;
}

/** Builds the critic's scalar loss from its forward; `loss_mask` (batch, seq) is always fed. */
export type CriticLossBuilder = (g: Graph, f: ValueForward) => Sym;

export interface ValueModelOptions {
  config: ModelConfig;
  /** A policy's tensors (zero head) or a critic's (with `score.*`); copied. */
  tensors: TensorMap;
  loss: CriticLossBuilder;
  /** Default AdamW, weight decay 0. */
  optimizer?: OptimizerOptions;
  /** Global-norm clip; default 1. */
  maxGradNorm?: number;
  session?: SessionOptions;
}

export interface ValueBatch {
  sequences: readonly ScoreSequence[];
  /** Extra (batch, seq) inputs the loss declared, laid out like `loss_mask`. */
  feeds?: Record<string, Tensor>;
}

/** Values, training and optimizer state of a critic; one forward graph and one train-step graph. */
export class ValueModel {
  readonly config: ModelConfig;
  private readonly trainer: Trainer;
  private readonly forward: OnnxSession;
  private readonly rope: RopeTables;

  private constructor(config: ModelConfig, trainer: Trainer, forward: OnnxSession) {
    this.config = config;
    this.trainer = trainer;
    this.forward = forward;
    this.rope = new RopeTables(config);
  }

  static async create(o: ValueModelOptions): Promise<ValueModel> {
    const initial = initCriticTensors(o.config, o.tensors);
    const trainer = await Trainer.create({
      build: (g) => o.loss(g, defineValueForward(g, o.config, criticWeights(g))),
      optimizer: o.optimizer ?? { kind: 'adamw', weightDecay: 0 },
      maxGradNorm: o.maxGradNorm ?? 1,
      ...(o.session ? { session: o.session } : {}),
    });
    for (const [name, t] of initial)
      trainer.params.set(name, tensor('float32', t.data as Float32Array, t.shape));
    const g = new Graph();
    const f = defineValueForward(g, o.config, criticWeights(g));
    g.output('values', f.values);
    return new ValueModel(o.config, trainer, await compileGraph(g, o.session));
  }

  private pack(seqs: readonly ScoreSequence[]) {
    const packed = packSequences(this.config, this.rope, seqs, 1);
    const { targets: _t, temperature: _T, ...feeds } = packed.feeds;
    return { packed, feeds };
  }

  /** Per sequence, the value of each completion position (the state before each completion token). */
  async values(seqs: readonly ScoreSequence[]): Promise<Float64Array[]> {
    const { packed, feeds } = this.pack(seqs);
    const all: Record<string, Tensor> = { ...feeds };
    for (const [k, v] of this.trainer.params) all[k] = v;
    const inputs: Record<string, Tensor> = {};
    for (const name of this.forward.inputNames) inputs[name] = all[name]!;
    const v = (await this.forward.run(inputs)).values!.data as Float32Array;
    const T = packed.seqLen;
    return seqs.map((s, b) => {
      const from = b * T + s.promptLength - 1;
      return Float64Array.from(v.subarray(from, from + s.ids.length - s.promptLength));
    });
  }

  /** One optimizer step on the loss (forward, backward, clip, AdamW in one run). */
  step(batch: ValueBatch, lr: number): Promise<StepResult> {
    const { packed, feeds } = this.pack(batch.sequences);
    return this.trainer.step(
      { ...feeds, loss_mask: completionMask(batch.sequences, packed), ...(batch.feeds ?? {}) },
      lr,
    );
  }

  get stepCount(): number {
    return this.trainer.stepCount;
  }

  /** The critic's weights by HF name (copies). */
  tensors(): TensorMap {
    const out: TensorMap = new Map();
    for (const [name, t] of this.trainer.params)
      out.set(name, { shape: [...t.dims], data: (t.data as Float32Array).slice() });
    return out;
  }

  /** Replaces the weights (a checkpoint's critic); optimizer state is kept. */
  setTensors(tensors: TensorMap): void {
    for (const [name, t] of initCriticTensors(this.config, tensors))
      this.trainer.params.set(name, tensor('float32', t.data as Float32Array, t.shape));
  }

  /** AdamW moments by name and the step counter (copies), for checkpoints. */
  optimizerState(): { stepCount: number; tensors: TensorMap } {
    const tensors: TensorMap = new Map();
    for (const [name, t] of this.trainer.state)
      tensors.set(name, { shape: [...t.dims], data: (t.data as Float32Array).slice() });
    return { stepCount: this.trainer.stepCount, tensors };
  }

  loadOptimizerState(s: { stepCount: number; tensors: TensorMap }): void {
    for (const [name, cur] of this.trainer.state) {
      const t = s.tensors.get(name);
      if (!t) throw new ModelError(MISSING_TENSOR, name, `critic optimizer state has no tensor ${name}`);
      if ((t.data as Float32Array).length !== (cur.data as Float32Array).length)
        throw new ModelError(BAD_SHAPE, name, `critic optimizer state ${name} has the wrong size`);
      this.trainer.state.set(name, tensor('float32', (t.data as Float32Array).slice(), cur.dims));
    }
    this.trainer.stepCount = s.stepCount;
  }

  async release(): Promise<void> {
    await this.trainer.release();
    await this.forward.release();
  }
}

/** Writes a critic as a HF folder: config.json (`<Family>ForTokenClassification`, num_labels 1) and model.safetensors. */
export async function saveCritic(dir: string, config: ModelConfig, tensors: TensorMap): Promise<void> {
  await fs.mkdir(dir, { recursive: true });
  const hf = {
    ...toHfConfig(config),
    architectures: [ARCH[config.family]],
    num_labels: 1,
    id2label: { 0: 'value' },
    label2id: { value: 0 },
  };
  await fs.writeFile(path.join(dir, 'config.json'), `${JSON.stringify(hf, null, 2)}\n`);
  await saveWeights(dir, initCriticTensors(config, tensors));
}

/**
 * Loads a critic folder (or a policy folder: the head starts at zero). Its architecture may
 * differ from the policy's, but it reads the policy's token ids: vocab_size must equal
 * `expect`'s when given.
 */
export async function loadCritic(
  dir: string,
  expect?: ModelConfig,
): Promise<{ config: ModelConfig; tensors: TensorMap }> {
  let raw: unknown;
  try {
    raw = JSON.parse(await fs.readFile(path.join(dir, 'config.json'), 'utf8'));
  } catch {
    throw new ModelError(MISSING_FILE, path.join(dir, 'config.json'), `cannot read ${dir}/config.json`);
  }
  const config = parseModelConfig(raw);
  if (expect && config.vocabSize !== expect.vocabSize)
    throw new ModelError(
      BAD_CONFIG,
      path.join(dir, 'config.json'),
      `critic vocab_size ${config.vocabSize} differs from the policy's ${expect.vocabSize}`,
    );
  return { config, tensors: initCriticTensors(config, await loadWeights(dir)) };
}
