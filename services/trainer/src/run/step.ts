import fs from 'node:fs/promises';
import path from 'node:path';
import { type AlgorithmConfigInput, type PresetName, parseAlgorithmConfig } from '@grpo/grpo';
import {
  type ModelConfig,
  PolicyTrainer,
  readSafetensors,
  type ScoreSequence,
  sftLoss,
  type TensorMap,
  writeSafetensors,
} from '@grpo/model';
import { exists } from './atomic.js';

/** One sampled completion of a GRPO group, as the rollout service returned it and the reward service scored it. */
export interface GroupSample {
  promptIds: readonly number[];
  completionIds: readonly number[];
  /** Per completion token, log p under the sampling temperature (the "old" policy). */
  logprobs: readonly number[];
  /** Weighted reward total. */
  reward: number;
}

/** The completions of one prompt (a GRPO group of size G). */
export interface Group {
  samples: GroupSample[];
}

/** What one optimizer step reports; null where the step kind has no such number. */
export interface TrainStepResult {
  loss: number;
  gradNorm: number;
  kl: number | null;
  entropy: number | null;
  clipFraction: number | null;
  /** Tokens in the batch (prompt + completion). */
  tokens: number;
  /** The critic's numbers, for algorithms that train one (PPO); absent otherwise. */
  critic?: CriticStepMetrics;
}

/** The critic metrics of a step, as the run's metric row names them. */
export interface CriticStepMetrics {
  valueLoss: number;
  valueClipFraction: number;
  explainedVariance: number;
  valueMean: number;
  returnMean: number;
  advantageMean: number;
  advantageStd: number;
  /** True when the step trained the critic alone (critic warm-up). */
  criticWarmup: boolean;
}

/** A policy-gradient update on scored groups: the seam the algorithm module plugs into. */
export interface AlgorithmStepper {
  step(groups: readonly Group[], lr: number, temperature: number): Promise<TrainStepResult>;
  tensors(): TensorMap;
  /** Optimizer moments and step counter, by name, for checkpoints. */
  optimizerState(): OptimizerState;
  loadOptimizerState(state: OptimizerState): void;
  /** Extra state beside the policy's optimizer (a critic), written into a checkpoint folder. */
  saveState?(dir: string): Promise<void>;
  /** Restores what `saveState` wrote; called after `loadOptimizerState` on resume. */
  loadState?(dir: string): Promise<void>;
  release(): Promise<void>;
}

export interface AlgorithmSpec {
  name: string;
  overrides?: Record<string, unknown>;
}

/** The algorithm of a grpo stage that names none. */
export const DEFAULT_ALGORITHM: AlgorithmSpec = { name: 'grpo' };

/** A stage's algorithm as libs/grpo's config input: the preset `name` with its overrides. */
export function algorithmConfigInput(a: AlgorithmSpec): AlgorithmConfigInput {
  return { ...(a.overrides ?? {}), preset: a.name as PresetName } as AlgorithmConfigInput;
}

/**
 * ORT options of the trainer's sessions: idle intra-op threads sleep instead of spinning, so a
 * rollout service sampling on the same cores (overlapRollout) is not slowed by them. Alone, a
 * train step takes the same time either way.
 */
export const TRAINER_SESSION = { allowSpinning: false } as const;

/** The DAPO dynamic-sampling settings of a stage's algorithm (`enabled`, `maxRounds`). */
export function dynamicSamplingOf(a: AlgorithmSpec): { enabled: boolean; maxRounds: number } {
  return parseAlgorithmConfig(algorithmConfigInput(a)).dynamicSampling;
}

/** Builds an AlgorithmStepper from the current weights. */
export type AlgorithmFactory = (o: {
  config: ModelConfig;
  tensors: TensorMap;
  /**
   * The frozen reference of the KL term: the weights the stage started from. On a resumed
   * stage they differ from `tensors` (the checkpoint's), so a factory must use this one.
   */
  reference: TensorMap;
  algorithm: AlgorithmSpec;
}) => Promise<AlgorithmStepper>;

export interface OptimizerState {
  stepCount: number;
  tensors: TensorMap;
}

/**
 * The numeric side of the run loop: an SFT step, a GRPO step, the current weights and the
 * optimizer state for checkpoints. Each stage gets a fresh optimizer (as separate SFT and RL
 * jobs would), and the weights carry over.
 */
export interface StepRunner {
  sft(sequences: readonly ScoreSequence[], lr: number): Promise<TrainStepResult>;
  grpo(
    groups: readonly Group[],
    lr: number,
    temperature: number,
    algorithm: AlgorithmSpec,
  ): Promise<TrainStepResult>;
  /** The current weights by HF name. */
  tensors(): TensorMap;
  /** Drops the optimizer (stage boundary); the weights are kept. */
  resetOptimizer(): Promise<void>;
  /** Marks the current weights as the start of a stage: the KL reference of its algorithm. */
  startStage(): void;
  /** The stage's starting weights (saved with mid-stage checkpoints) and their restore on resume. */
  reference(): TensorMap;
  setReference(tensors: TensorMap): void;
  saveOptimizer(dir: string): Promise<void>;
  /** Loads optimizer state saved by `saveOptimizer` for the stage kind about to run. */
  loadOptimizer(dir: string, kind: 'sft' | 'grpo', algorithm?: AlgorithmSpec): Promise<void>;
  release(): Promise<void>;
}

/** The part of libs/graph's Trainer behind PolicyTrainer that checkpoints need. */
interface OptimizerHandle {
  state: Map<string, { data: unknown; dims: readonly number[] }>;
  stepCount: number;
}

/**
 * PolicyTrainer keeps its libs/graph Trainer private and has no state export yet, so the
 * moments are read through this one accessor. Without it a resumed stage restarts AdamW
 * from zero moments (still no repeated or skipped step), which `optimizerState` reports by
 * returning an empty map.
 */
function optimizerHandle(pt: PolicyTrainer): OptimizerHandle | null {
  const inner = (pt as unknown as { trainer?: OptimizerHandle }).trainer;
  return inner && inner.state instanceof Map ? inner : null;
}

export function policyTrainerState(pt: PolicyTrainer): OptimizerState {
  const h = optimizerHandle(pt);
  const tensors: TensorMap = new Map();
  if (!h) return { stepCount: pt.stepCount, tensors };
  for (const [name, t] of h.state) {
    tensors.set(name, { shape: [...t.dims], data: (t.data as Float32Array).slice() });
  }
  return { stepCount: h.stepCount, tensors };
}

export function loadPolicyTrainerState(pt: PolicyTrainer, s: OptimizerState): void {
  const h = optimizerHandle(pt);
  if (!h) return;
  for (const [name, t] of s.tensors) {
    const cur = h.state.get(name);
    if (!cur) continue;
    const data = t.data as Float32Array;
    if ((cur.data as Float32Array).length !== data.length) {
      throw new Error(
        `optimizer state ${name}: ${data.length} values, expected ${(cur.data as Float32Array).length}`,
      );
    }
    (cur.data as Float32Array).set(data);
  }
  h.stepCount = s.stepCount;
}

const OPTIMIZER_FILE = 'optimizer.safetensors';

/**
 * StepRunner on libs/model's PolicyTrainer: SFT with `sftLoss`; GRPO through the algorithm
 * factory (services/trainer/src/algorithm). The weights live in whichever trainer is active.
 */
export class PolicyStepRunner implements StepRunner {
  private weights: TensorMap;
  private sftTrainer: PolicyTrainer | null = null;
  private algo: AlgorithmStepper | null = null;
  private algoKey = '';
  private stageStart: TensorMap;

  constructor(
    readonly config: ModelConfig,
    tensors: TensorMap,
    private readonly algorithms?: AlgorithmFactory,
  ) {
    this.weights = tensors;
    this.stageStart = tensors;
  }

  startStage(): void {
    this.stageStart = this.tensors();
  }

  reference(): TensorMap {
    return this.stageStart;
  }

  setReference(tensors: TensorMap): void {
    this.stageStart = tensors;
  }

  tensors(): TensorMap {
    if (this.sftTrainer) return this.sftTrainer.tensors();
    if (this.algo) return this.algo.tensors();
    return this.weights;
  }

  private async ensureSft(): Promise<PolicyTrainer> {
    if (this.sftTrainer) return this.sftTrainer;
    await this.resetOptimizer();
    this.sftTrainer = await PolicyTrainer.create({
      config: this.config,
      tensors: this.weights,
      loss: sftLoss,
      session: TRAINER_SESSION,
    });
    return this.sftTrainer;
  }

  private async ensureAlgo(algorithm: AlgorithmSpec): Promise<AlgorithmStepper> {
    const key = JSON.stringify(algorithm);
    if (this.algo && this.algoKey === key) return this.algo;
    await this.resetOptimizer();
    if (!this.algorithms) throw new Error('no algorithm factory: the grpo stage needs the algorithm module');
    this.algo = await this.algorithms({
      config: this.config,
      tensors: this.weights,
      reference: this.stageStart,
      algorithm,
    });
    this.algoKey = key;
    return this.algo;
  }

  async sft(sequences: readonly ScoreSequence[], lr: number): Promise<TrainStepResult> {
    const pt = await this.ensureSft();
    const r = await pt.step({ sequences }, lr);
    const tokens = sequences.reduce((a, s) => a + s.ids.length, 0);
    return { loss: r.loss, gradNorm: r.gradNorm, kl: null, entropy: null, clipFraction: null, tokens };
  }

  async grpo(
    groups: readonly Group[],
    lr: number,
    temperature: number,
    algorithm: AlgorithmSpec,
  ): Promise<TrainStepResult> {
    const a = await this.ensureAlgo(algorithm);
    return a.step(groups, lr, temperature);
  }

  async resetOptimizer(): Promise<void> {
    this.weights = this.tensors();
    await this.sftTrainer?.release();
    await this.algo?.release();
    this.sftTrainer = null;
    this.algo = null;
    this.algoKey = '';
  }

  async saveOptimizer(dir: string): Promise<void> {
    const s = this.sftTrainer ? policyTrainerState(this.sftTrainer) : this.algo?.optimizerState();
    if (!s) return;
    await writeSafetensors(path.join(dir, OPTIMIZER_FILE), s.tensors);
    if (!this.sftTrainer) await this.algo?.saveState?.(dir);
    const kind = this.sftTrainer ? 'sft' : 'grpo';
    await fs.writeFile(
      path.join(dir, 'optimizer.json'),
      `${JSON.stringify({ stepCount: s.stepCount, kind })}\n`,
    );
  }

  async loadOptimizer(dir: string, kind: 'sft' | 'grpo', algorithm?: AlgorithmSpec): Promise<void> {
    const file = path.join(dir, OPTIMIZER_FILE);
    if (!(await exists(file))) return;
    const { tensors, stepCount } = await readOptimizerFile(file);
    if (kind === 'sft') loadPolicyTrainerState(await this.ensureSft(), { tensors, stepCount });
    else {
      const a = await this.ensureAlgo(algorithm ?? DEFAULT_ALGORITHM);
      a.loadOptimizerState({ tensors, stepCount });
      await a.loadState?.(dir);
    }
  }

  async release(): Promise<void> {
    await this.resetOptimizer();
  }
}

async function readOptimizerFile(file: string): Promise<OptimizerState> {
  const tensors = await readSafetensors(file);
  const meta = JSON.parse(await fs.readFile(file.replace(/\.safetensors$/, '.json'), 'utf8')) as {
    stepCount: number;
  };
  return { tensors, stepCount: meta.stepCount };
}
