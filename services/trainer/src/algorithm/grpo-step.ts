import {
  type AlgorithmConfig,
  AlgorithmConfigError,
  type AlgorithmConfigInput,
  AlgorithmInputError,
  createAdvantageRegistry,
  informativeGroups,
  klShapedRewards,
  lossConfigOf,
  overlongPenalty,
  POLICY_LOSS_INPUTS,
  type PolicyLossConfig,
  parseAlgorithmConfig,
  policyLossBuilder,
  policyLossReference,
  type SequenceLossInput,
} from '@grpo/grpo';
import {
  type LossBuilder,
  lossMaskInput,
  type ModelConfig,
  PolicyScorer,
  PolicyTrainer,
  type PolicyTrainerOptions,
  type ScoreSequence,
  STAT_PREFIX,
  type TensorMap,
} from '@grpo/model';
import { type SessionOptions, type Tensor, tensor } from '@grpo/onnx';
import { batchMetrics } from './batch-metrics.js';
import type { GroupBatch, GrpoStepResult } from './types.js';

/**
 * The in-process GRPO step: scored groups in, one or more optimizer updates out. No HTTP; the
 * trainer service calls it between its rollout and reward requests, tests and benchmarks call
 * it directly.
 *
 * Per batch: overlong shaping (DAPO), dynamic-sampling filter (DAPO), a forward of the current
 * policy (entropy, metrics, and the old logprobs when the sampler gave none), a forward of the
 * frozen reference (when a KL is configured), KL in the reward (when so configured), advantages
 * from the registry, then `updates.epochs x updates.miniBatches` optimizer steps of the graph
 * loss (`policyLossBuilder`). Default: one on-policy step per batch.
 */

/**
 * The PolicyTrainer loss for a policy-loss config: per-sequence advantages (GRPO's group
 * baseline) or per-token ones (PPO's GAE), entropy only when weighted.
 */
export function grpoLossBuilder(
  cfg: PolicyLossConfig,
  advantageLayout: 'sequence' | 'token' = 'sequence',
): LossBuilder {
  const build = policyLossBuilder(cfg, { advantageLayout });
  return (g, f) => {
    // The forward's per-token logprobs and entropies come back with the step (`stats`): a step
    // with a single update takes its metrics from them instead of a separate scoring forward.
    g.output(`${STAT_PREFIX}logprobs`, f.logprobs);
    g.output(`${STAT_PREFIX}entropy`, f.entropy);
    return build(g, {
      logprobs: f.logprobs,
      mask: lossMaskInput(g),
      ...(cfg.entropyCoef > 0 ? { entropy: f.entropy } : {}),
    }).loss;
  };
}

/** Checks a batch of scored groups against the model; throws `AlgorithmInputError` naming the field. */
export function validateBatch(batch: readonly GroupBatch[], config: ModelConfig): void {
  if (!Array.isArray(batch as unknown) || batch.length === 0)
    throw new AlgorithmInputError('groups', 'must be a non-empty array of groups');
  const V = config.vocabSize;
  const checkIds = (ids: readonly number[], field: string) => {
    ids.forEach((id, i) => {
      if (!Number.isInteger(id) || id < 0 || id >= V)
        throw new AlgorithmInputError(`${field}[${i}]`, `token id ${id} is outside [0, ${V})`);
    });
  };
  batch.forEach((g, gi) => {
    if (!g.promptIds?.length)
      throw new AlgorithmInputError(`groups[${gi}].promptIds`, 'must hold >= 1 token id');
    checkIds(g.promptIds, `groups[${gi}].promptIds`);
    if (!g.completions?.length)
      throw new AlgorithmInputError(`groups[${gi}].completions`, 'must hold >= 1 completion');
    g.completions.forEach((c, ci) => {
      const f = `groups[${gi}].completions[${ci}]`;
      checkIds(c.tokenIds, `${f}.tokenIds`);
      if (c.logprobs && c.logprobs.length !== c.tokenIds.length)
        throw new AlgorithmInputError(
          `${f}.logprobs`,
          `has ${c.logprobs.length} values for ${c.tokenIds.length} tokens`,
        );
      if (c.lossMask && c.lossMask.length !== c.tokenIds.length)
        throw new AlgorithmInputError(
          `${f}.lossMask`,
          `has ${c.lossMask.length} values for ${c.tokenIds.length} tokens`,
        );
      if (c.lossMask?.some((m) => m !== 0 && m !== 1))
        throw new AlgorithmInputError(`${f}.lossMask`, 'must hold only 0 and 1');
      if (c.logprobs?.some((x) => !Number.isFinite(x) || x > 0))
        throw new AlgorithmInputError(`${f}.logprobs`, 'must be finite numbers <= 0');
      if (!Number.isFinite(c.rewardTotal))
        throw new AlgorithmInputError(`${f}.rewardTotal`, `must be a finite number, got ${c.rewardTotal}`);
      const len = g.promptIds.length + Math.max(c.tokenIds.length, 1);
      if (len > config.maxPositionEmbeddings)
        throw new AlgorithmInputError(
          f,
          `prompt + completion is ${len} tokens, over max_position_embeddings ${config.maxPositionEmbeddings}`,
        );
    });
  });
}

export interface GrpoStepOptions {
  config: ModelConfig;
  /** Initial policy weights by HF name (copied). */
  tensors: TensorMap;
  /** Frozen reference weights for the KL; default: a copy of `tensors` (the policy at stage start). */
  reference?: TensorMap;
  /** A preset name plus overrides, or a config already parsed. Default: preset `grpo`. */
  algorithm?: AlgorithmConfigInput | Readonly<AlgorithmConfig>;
  /** Default AdamW with weight decay 0 (TRL's GRPO default). */
  optimizer?: PolicyTrainerOptions['optimizer'];
  /** Global-norm clip; default 1. */
  maxGradNorm?: number;
  session?: SessionOptions;
}

export interface GrpoStepCall {
  lr: number;
  /** The sampling temperature: logprobs are taken under softmax(logits / T). Default 1. */
  temperature?: number;
}

interface Row {
  group: number;
  seq: ScoreSequence;
  /** Completion length in tokens (the sequence may carry one padding token when it is 0). */
  n: number;
  /** Per completion token: 1 trained on, 0 not (tool output); null: all 1. */
  mask: readonly number[] | null;
  promptLength: number;
  old: readonly number[] | null;
  advantage: number;
}

function isParsed(a: GrpoStepOptions['algorithm']): a is Readonly<AlgorithmConfig> {
  return !!a && 'advantage' in a && 'loss' in a && 'kl' in a && 'updates' in a && !('preset' in a);
}

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);

export class GrpoStep {
  readonly algorithm: Readonly<AlgorithmConfig>;
  readonly config: ModelConfig;
  private readonly lossConfig: PolicyLossConfig;
  private readonly trainer: PolicyTrainer;
  private readonly scorer: PolicyScorer;
  private readonly reference: PolicyScorer | null;
  private scorerStale = false;

  private constructor(
    o: GrpoStepOptions,
    algorithm: Readonly<AlgorithmConfig>,
    trainer: PolicyTrainer,
    scorer: PolicyScorer,
    reference: PolicyScorer | null,
  ) {
    this.config = o.config;
    this.algorithm = algorithm;
    this.lossConfig = lossConfigOf(algorithm);
    this.trainer = trainer;
    this.scorer = scorer;
    this.reference = reference;
  }

  static async create(o: GrpoStepOptions): Promise<GrpoStep> {
    const algorithm = isParsed(o.algorithm) ? o.algorithm : parseAlgorithmConfig(o.algorithm ?? {});
    if (algorithm.critic)
      throw new AlgorithmConfigError('preset', 'a preset with a critic (ppo, ppo_orz) runs in PpoStep');
    const lossConfig = lossConfigOf(algorithm);
    const trainer = await PolicyTrainer.create({
      config: o.config,
      tensors: o.tensors,
      loss: grpoLossBuilder(lossConfig),
      ...(o.optimizer ? { optimizer: o.optimizer } : {}),
      ...(o.maxGradNorm !== undefined ? { maxGradNorm: o.maxGradNorm } : {}),
      ...(o.session ? { session: o.session } : {}),
    });
    const scorer = await PolicyScorer.create(o.config, o.tensors, o.session);
    const needsRef = algorithm.kl.mode !== 'none' && algorithm.kl.coef > 0;
    const reference = needsRef
      ? await PolicyScorer.create(o.config, o.reference ?? o.tensors, o.session)
      : null;
    return new GrpoStep(o, algorithm, trainer, scorer, reference);
  }

  /** Optimizer steps taken so far. */
  get version(): number {
    return this.trainer.stepCount;
  }

  /** The current policy weights (copies), for the rollout engine or a checkpoint. */
  tensors(): TensorMap {
    return this.trainer.tensors();
  }

  /** The PolicyTrainer underneath (checkpointing of optimizer state). */
  get policyTrainer(): PolicyTrainer {
    return this.trainer;
  }

  /** One GRPO step on a batch of scored groups. */
  async step(batch: readonly GroupBatch[], call: GrpoStepCall): Promise<GrpoStepResult> {
    const t0 = performance.now();
    validateBatch(batch, this.config);
    const temperature = call.temperature ?? 1;
    const alg = this.algorithm;
    const raw = batch.map((g) => g.completions.map((c) => c.rewardTotal));
    // Lengths count model tokens only (tool output is not the policy's length).
    const modelTokens = (c: (typeof batch)[number]['completions'][number]) =>
      c.lossMask ? c.lossMask.reduce((a, m) => a + m, 0) : c.tokenIds.length;

    // DAPO soft overlong punishment (eq. 13), added to the reward.
    let shaped = raw.map((g) => [...g]);
    if (alg.overlong.enabled) {
      const o = alg.overlong;
      shaped = batch.map((g, gi) =>
        g.completions.map(
          (c, ci) =>
            shaped[gi]![ci]! + o.weight * overlongPenalty(modelTokens(c), o.maxLength, o.cacheLength),
        ),
      );
    }
    // DAPO dynamic sampling: groups with equal rewards carry no signal under a group baseline.
    const kept = alg.dynamicSampling.enabled ? informativeGroups(raw) : batch.map((_, i) => i);
    const base = batchMetrics(batch, raw, shaped, kept.length, { length: modelTokens, singletonFlat: true });
    if (kept.length === 0) {
      base.time_total_ms = performance.now() - t0;
      return { metrics: base, version: this.version };
    }

    // Rows: every completion of every kept group. An empty completion still takes a row (so
    // per-sequence normalisers count it) with one padding token and an all-zero mask.
    const rows: Row[] = [];
    for (const gi of kept) {
      const g = batch[gi]!;
      for (const c of g.completions) {
        const n = c.tokenIds.length;
        rows.push({
          group: gi,
          seq: { ids: [...g.promptIds, ...(n > 0 ? c.tokenIds : [0])], promptLength: g.promptIds.length },
          n,
          mask: c.lossMask ?? null,
          promptLength: g.promptIds.length,
          old: c.logprobs ?? null,
          advantage: 0,
        });
      }
    }
    const seqs = rows.map((r) => r.seq);
    // Host-side math (KL in the reward, the reference loss and metrics) sees model positions
    // only, as the graph's loss_mask does.
    const model = (i: number, xs: readonly number[]) => {
      const m = rows[i]!.mask;
      return m ? xs.filter((_, j) => m[j] === 1) : [...xs];
    };
    const { epochs, miniBatches } = alg.updates;
    const m = Math.min(miniBatches, rows.length);
    // One update on sampled logprobs needs no scoring forward: the train run's own forward
    // returns the current logprobs and entropies (the same values, before the update).
    const single = epochs * m === 1 && rows.every((r) => r.old !== null);

    let logp: number[][] = [];
    let entropy: number[][] = [];
    let old: number[][];
    if (single) {
      old = rows.map((r) => [...(r.old as readonly number[])]);
    } else {
      const tScore = performance.now();
      const current = await this.scoreCurrent(seqs, temperature);
      old = rows.map((r, i) => (r.old ? [...r.old] : Array.from(current[i]!.logprobs.subarray(0, r.n))));
      logp = rows.map((r, i) => Array.from(current[i]!.logprobs.subarray(0, r.n)));
      entropy = rows.map((r, i) => Array.from(current[i]!.entropies.subarray(0, r.n)));
      base.time_score_ms = performance.now() - tScore;
    }

    let ref: number[][] | null = null;
    if (this.reference) {
      const tRef = performance.now();
      const scored = await this.reference.score(seqs, temperature);
      ref = rows.map((r, i) => Array.from(scored[i]!.logprobs.subarray(0, r.n)));
      base.time_reference_ms = performance.now() - tRef;
    }

    const tAdv = performance.now();
    let rewards = kept.map((gi) => shaped[gi]!);
    if (ref && alg.kl.mode === 'reward') {
      // Penalise with the KL of the sampling policy (old logprobs), as the reward is fixed at rollout.
      const byGroup = <T>(xs: T[]) => {
        let k = 0;
        return kept.map((gi) => batch[gi]!.completions.map(() => xs[k++]!));
      };
      rewards = klShapedRewards(
        rewards,
        byGroup(old.map((o, i) => model(i, o))),
        byGroup(ref.map((r, i) => model(i, r))),
        alg.kl.coef,
        alg.kl.estimator,
      ).rewards;
      base.reward_shaped_mean = sum(rewards.flat()) / rows.length;
    }
    const estimator = createAdvantageRegistry().get(alg.advantage.estimator);
    const adv = estimator.compute(rewards, { eps: alg.advantage.eps, stdScope: alg.advantage.stdScope });
    let k = 0;
    for (const g of adv.advantages) for (const a of g) rows[k++]!.advantage = a;
    base.advantage_abs_mean = sum(rows.map((r) => Math.abs(r.advantage))) / rows.length;

    const hostInput = (idx: readonly number[], lpOf: (i: number) => number[]): SequenceLossInput[] =>
      idx.map((i) => ({
        logp: model(i, lpOf(i)),
        oldLogp: model(i, old[i]!),
        entropy: model(i, entropy[i]!),
        advantage: rows[i]!.advantage,
        ...(ref ? { refLogp: model(i, ref[i]!) } : {}),
      }));
    const all = rows.map((_, i) => i);
    base.time_advantage_ms = performance.now() - tAdv;

    // Updates: epochs x mini-batches over the rows in order.
    const tUpd = performance.now();
    const size = Math.ceil(rows.length / m);
    let loss = 0;
    let gradNorm = 0;
    let clip = 0;
    let updates = 0;
    for (let e = 0; e < epochs; e++) {
      for (let b = 0; b < m; b++) {
        const idx = all.slice(b * size, (b + 1) * size);
        if (idx.length === 0) continue;
        if (updates > 0) {
          // The policy moved since the batch was scored: rescore this mini-batch for its clip fraction.
          const now = await this.scoreCurrent(
            idx.map((i) => seqs[i]!),
            temperature,
          );
          const lpNow = new Map(idx.map((i, j) => [i, Array.from(now[j]!.logprobs.subarray(0, rows[i]!.n))]));
          clip += policyLossReference(
            hostInput(idx, (i) => lpNow.get(i)!),
            this.lossConfig,
          ).clipFraction;
        }
        const r = await this.trainer.step(
          { sequences: idx.map((i) => seqs[i]!), temperature, feeds: this.feeds(idx, rows, old, ref) },
          call.lr,
        );
        if (updates === 0) {
          if (single) {
            // The train run's own forward, laid out as its feeds: each row's completion tokens.
            const { from } = this.layout(idx, rows);
            const rowsOf = (t: Tensor) =>
              idx.map((i, b) =>
                Array.from((t.data as Float32Array).subarray(from[b]!, from[b]! + rows[i]!.n)),
              );
            logp = rowsOf(r.stats.logprobs!);
            entropy = rowsOf(r.stats.entropy!);
          }
          // pg_loss, KL and entropy of the batch at the weights before any update.
          const host = policyLossReference(
            hostInput(all, (i) => logp[i]!),
            this.lossConfig,
          );
          base.pg_loss = host.pgLoss;
          base.kl = host.kl;
          base.entropy = host.entropy;
          clip += host.clipFraction;
        }
        this.scorerStale = true;
        loss += r.loss;
        gradNorm += r.gradNorm;
        updates++;
      }
    }
    base.time_update_ms = performance.now() - tUpd;
    base.loss = loss / updates;
    base.grad_norm = gradNorm / updates;
    base.clip_fraction = clip / updates;
    base.updates = updates;
    base.sequences = rows.length;
    base.tokens = sum(rows.map((r) => (r.mask ? sum([...r.mask]) : r.n)));
    base.time_total_ms = performance.now() - t0;
    base.tokens_per_s = base.tokens / (base.time_total_ms / 1000);
    return { metrics: base, version: this.version };
  }

  private async scoreCurrent(seqs: readonly ScoreSequence[], temperature: number) {
    if (this.scorerStale) {
      this.scorer.setWeights(this.trainer.tensors());
      this.scorerStale = false;
    }
    return this.scorer.score(seqs, temperature);
  }

  /**
   * The train graph's (batch, seq) layout of rows `idx`: T positions per row (the longest
   * sequence less one) and where row b's first completion token is predicted (promptLength - 1).
   */
  private layout(idx: readonly number[], rows: readonly Row[]): { T: number; from: number[] } {
    const T = Math.max(...idx.map((i) => rows[i]!.seq.ids.length)) - 1;
    return { T, from: idx.map((i, b) => b * T + rows[i]!.promptLength - 1) };
  }

  /** The loss inputs for rows `idx`, laid out as the train graph's (batch, seq) positions. */
  private feeds(
    idx: readonly number[],
    rows: readonly Row[],
    old: readonly (readonly number[])[],
    ref: readonly (readonly number[])[] | null,
  ): Record<string, Tensor> {
    const B = idx.length;
    const { T, from: starts } = this.layout(idx, rows);
    const mask = new Float32Array(B * T);
    const oldLp = new Float32Array(B * T);
    const refLp = new Float32Array(B * T);
    const adv = new Float32Array(B);
    idx.forEach((i, b) => {
      const r = rows[i]!;
      adv[b] = r.advantage;
      const from = starts[b]!;
      for (let j = 0; j < r.n; j++) {
        mask[from + j] = r.mask ? r.mask[j]! : 1;
        oldLp[from + j] = old[i]![j]!;
        if (ref) refLp[from + j] = ref[i]![j]!;
      }
    });
    const f: Record<string, Tensor> = {
      loss_mask: tensor('float32', mask, [B, T]),
      [POLICY_LOSS_INPUTS.oldLogprobs]: tensor('float32', oldLp, [B, T]),
      [POLICY_LOSS_INPUTS.advantages]: tensor('float32', adv, [B]),
    };
    if (this.lossConfig.klCoef > 0) f[POLICY_LOSS_INPUTS.refLogprobs] = tensor('float32', refLp, [B, T]);
    return f;
  }

  async release(): Promise<void> {
    await this.trainer.release();
    await this.scorer.release();
    await this.reference?.release();
  }
}
