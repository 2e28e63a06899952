import { AlgorithmInputError } from '@grpo/grpo';
import {
  type ModelConfig,
  PolicyTrainer,
  type PolicyTrainerOptions,
  sftLoss,
  type TensorMap,
} from '@grpo/model';
import type { SessionOptions } from '@grpo/onnx';

/** One worked example for supervised fine-tuning (cold start, rejection-sampling SFT). */
export interface SftExample {
  promptIds: readonly number[];
  /** Target completion ids (>= 1), usually ending with EOS. */
  completionIds: readonly number[];
}

export interface SftStepOptions {
  config: ModelConfig;
  tensors: TensorMap;
  /** Default AdamW, weight decay 0. */
  optimizer?: PolicyTrainerOptions['optimizer'];
  /** Global-norm clip; default 1. */
  maxGradNorm?: number;
  session?: SessionOptions;
}

export interface SftStepMetrics {
  /** Token-mean cross-entropy over completion tokens, before the update. */
  loss: number;
  grad_norm: number;
  /** Completion tokens trained on. */
  tokens: number;
  tokens_per_s: number;
  time_total_ms: number;
}

/**
 * SFT on completions (DeepSeek-R1's cold start, arXiv:2501.12948 §2.3.1): libs/model's
 * `sftLoss`, the masked token mean of -log p(completion token), one optimizer step per call.
 */
export class SftStep {
  readonly config: ModelConfig;
  private readonly trainer: PolicyTrainer;

  private constructor(config: ModelConfig, trainer: PolicyTrainer) {
    this.config = config;
    this.trainer = trainer;
  }

  static async create(o: SftStepOptions): Promise<SftStep> {
    const trainer = await PolicyTrainer.create({
      config: o.config,
      tensors: o.tensors,
      loss: sftLoss,
      ...(o.optimizer ? { optimizer: o.optimizer } : {}),
      ...(o.maxGradNorm !== undefined ? { maxGradNorm: o.maxGradNorm } : {}),
      ...(o.session ? { session: o.session } : {}),
    });
    return new SftStep(o.config, trainer);
  }

  private sequences(examples: readonly SftExample[]) {
    if (!Array.isArray(examples as unknown) || examples.length === 0)
      throw new AlgorithmInputError('examples', 'must be a non-empty array');
    return examples.map((e, i) => {
      if (!e.promptIds?.length)
        throw new AlgorithmInputError(`examples[${i}].promptIds`, 'must hold >= 1 token id');
      if (!e.completionIds?.length)
        throw new AlgorithmInputError(`examples[${i}].completionIds`, 'must hold >= 1 token id');
      return { ids: [...e.promptIds, ...e.completionIds], promptLength: e.promptIds.length };
    });
  }

  /** One optimizer step on a batch of examples. */
  async step(examples: readonly SftExample[], lr: number): Promise<SftStepMetrics> {
    const t0 = performance.now();
    const r = await this.trainer.step({ sequences: this.sequences(examples) }, lr);
    const ms = performance.now() - t0;
    const tokens = examples.reduce((a, e) => a + e.completionIds.length, 0);
    return {
      loss: r.loss,
      grad_norm: r.gradNorm,
      tokens,
      tokens_per_s: tokens / (ms / 1000),
      time_total_ms: ms,
    };
  }

  /** The loss on a batch without updating. */
  evaluate(examples: readonly SftExample[]): Promise<number> {
    return this.trainer.evaluate({ sequences: this.sequences(examples) });
  }

  get version(): number {
    return this.trainer.stepCount;
  }

  tensors(): TensorMap {
    return this.trainer.tensors();
  }

  async release(): Promise<void> {
    await this.trainer.release();
  }
}
