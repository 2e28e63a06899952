import {
  type Graph,
  type OptimizerOptions,
  STAT_PREFIX,
  type StepResult,
  type Sym,
  Trainer,
} from '@grpo/graph';

/** Outputs a loss builder declares as `stat.<name>` come back in `StepResult.stats` (libs/graph). */
export { STAT_PREFIX };

import { type SessionOptions, type Tensor, tensor } from '@grpo/onnx';
import type { ModelConfig } from '../config.js';
import type { TensorMap } from '../safetensors.js';
import { RopeTables, weightFeeds } from './feeds.js';
import { definePolicyForward, type PolicyForward } from './graphs.js';
import { type PackedBatch, packSequences, type ScoreSequence } from './scorer.js';
import { paramWeights } from './transformer.js';

/**
 * (b) The train step: the policy forward (the same definition as every other graph), a loss
 * from outside (libs/grpo supplies the GRPO family), and libs/graph's backward, global-norm
 * clipping and AdamW, all in one `session.run`.
 */

/**
 * Builds the scalar loss from the policy forward. It may declare extra (batch, seq) inputs
 * with `g.input` (advantages, old logprobs, ...); `loss_mask` (batch, seq) float32 is always
 * fed by `PolicyTrainer` (1 on completion positions, 0 elsewhere).
 */
export type LossBuilder = (g: Graph, f: PolicyForward) => Sym;

/** Declares the standard `loss_mask` input ((batch, seq) float32). */
export function lossMaskInput(g: Graph): Sym {
  return g.input('loss_mask', 'float32', ['batch', 'seq']);
}

/**
 * SFT cross-entropy: the masked token mean of -log p(completion token) over every completion
 * token of the batch (sum / count, count floored at 1 so an empty mask gives 0, not NaN).
 */
export const sftLoss: LossBuilder = (g, f) => {
  const mask = lossMaskInput(g);
  const nll = g.neg(g.sum(g.mul(f.logprobs, mask)));
  return g.div(nll, g.maximum(g.sum(mask), 1));
};

export interface PolicyTrainerOptions {
  config: ModelConfig;
  /** Initial weights by HF name (a checkpoint's tensors); copied. */
  tensors: TensorMap;
  loss: LossBuilder;
  /** Default AdamW, weight decay 0 (as TRL's GRPO/SFT default). */
  optimizer?: OptimizerOptions;
  /** Global-norm clipping; default 1 (TRL's max_grad_norm). */
  maxGradNorm?: number;
  session?: SessionOptions;
  /** webgpu: optimizer state stays on the device between steps (default true; see libs/graph TrainerSpec). */
  deviceState?: boolean;
}

export interface TrainBatch {
  sequences: readonly ScoreSequence[];
  /** Temperature the logprobs are taken at (the sampling temperature for GRPO); default 1. */
  temperature?: number;
  /** Extra (batch, seq) inputs the loss declared, laid out as `packed.seqLen` positions per row. */
  feeds?: Record<string, Tensor>;
}

/**
 * (batch, seq) float32 mask: 1 at the positions that predict completion tokens, times the
 * sequence's `lossMask` (0 at tool-output tokens).
 */
export function completionMask(seqs: readonly ScoreSequence[], packed: PackedBatch): Tensor {
  const T = packed.seqLen;
  const m = new Float32Array(packed.batch * T);
  seqs.forEach((s, b) => {
    const lm = s.lossMask;
    for (let t = s.promptLength - 1; t < s.ids.length - 1; t++)
      m[b * T + t] = lm ? (lm[t - s.promptLength + 1] ? 1 : 0) : 1;
  });
  return tensor('float32', m, [packed.batch, T]);
}

/** Trains the policy with a loss builder; parameters keep their HF names, so `tensors()` saves straight to safetensors. */
export class PolicyTrainer {
  readonly config: ModelConfig;
  private readonly trainer: Trainer;
  private readonly rope: RopeTables;

  private constructor(config: ModelConfig, trainer: Trainer) {
    this.config = config;
    this.trainer = trainer;
    this.rope = new RopeTables(config);
  }

  static async create(o: PolicyTrainerOptions): Promise<PolicyTrainer> {
    const initial = weightFeeds(o.config, o.tensors);
    const trainer = await Trainer.create({
      build: (g) => o.loss(g, definePolicyForward(g, o.config, paramWeights(g))),
      optimizer: o.optimizer ?? { kind: 'adamw', weightDecay: 0 },
      maxGradNorm: o.maxGradNorm ?? 1,
      ...(o.session ? { session: o.session } : {}),
      ...(o.deviceState !== undefined ? { deviceState: o.deviceState } : {}),
    });
    for (const [name, t] of Object.entries(initial)) {
      trainer.params.set(name, tensor('float32', (t.data as Float32Array).slice(), t.dims));
    }
    return new PolicyTrainer(o.config, trainer);
  }

  /** Packs a batch (right padding, see `packSequences`) with its completion `loss_mask`. */
  pack(batch: TrainBatch): { packed: PackedBatch; feeds: Record<string, Tensor> } {
    const packed = packSequences(this.config, this.rope, batch.sequences, batch.temperature ?? 1);
    return {
      packed,
      feeds: { ...packed.feeds, loss_mask: completionMask(batch.sequences, packed), ...(batch.feeds ?? {}) },
    };
  }

  /**
   * One optimizer step (forward, backward, clip, AdamW in one run); the loss is before the
   * update. Several micro-batches: their gradients are accumulated and the mean applied once
   * (libs/graph `Trainer`), which equals one step on their union when each loss is a mean over
   * equally many tokens.
   */
  step(batch: TrainBatch | readonly TrainBatch[], lr: number): Promise<StepResult> {
    const list = Array.isArray(batch) ? batch : [batch as TrainBatch];
    const feeds = list.map((b) => this.pack(b).feeds);
    return this.trainer.step(feeds.length === 1 ? feeds[0]! : feeds, lr);
  }

  /** The loss on a batch without updating. */
  evaluate(batch: TrainBatch): Promise<number> {
    return this.trainer.evaluate(this.pack(batch).feeds);
  }

  /** Optimizer steps taken. */
  get stepCount(): number {
    return this.trainer.stepCount;
  }

  /** The current weights by HF name (copies), ready for `savePolicy` or `PolicyEngine.swapWeights`. */
  tensors(): TensorMap {
    const out: TensorMap = new Map();
    for (const [name, t] of this.trainer.params) {
      out.set(name, { shape: [...t.dims], data: (t.data as Float32Array).slice() });
    }
    return out;
  }

  /** Brings device-resident optimizer state (webgpu) to the host before it is read, e.g. for a checkpoint. */
  syncState(): Promise<void> {
    return this.trainer.syncState();
  }

  /** Ends ORT profiling of the step session (when `session.enableProfiling` was set). */
  endProfiling(): void {
    this.trainer.endProfiling();
  }

  async release(): Promise<void> {
    await this.trainer.release();
  }
}
