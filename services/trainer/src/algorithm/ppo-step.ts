import {
  type AlgorithmConfig,
  computeGae,
  explainedVariance,
  informativeGroups,
  klPerToken,
  lossConfigOf,
  overlongPenalty,
  type PolicyLossConfig,
  parseAlgorithmConfig,
  policyLossReference,
  tokenRewards,
  valueLossConfigOf,
  valueLossGraph,
  whitenMasked,
} from '@grpo/grpo';
import {
  type LossBuilder,
  lossMaskInput,
  type ModelConfig,
  PolicyScorer,
  PolicyTrainer,
  STAT_PREFIX,
  type TensorMap,
  ValueModel,
} from '@grpo/model';
import { type GrpoStepCall, type GrpoStepOptions, grpoLossBuilder, validateBatch } from './grpo-step.js';
import { baseMetrics, type PpoStepMetrics } from './ppo-metrics.js';
import { feeds, layout, type Row, statRows } from './ppo-rows.js';
import type { GroupBatch } from './types.js';

/**
 * The in-process PPO step (arXiv:1707.06347) with GAE (arXiv:1506.02438) on a learned critic:
 * the GRPO step's clipped surrogate with per-token advantages instead of a group baseline.
 *
 * Per batch: overlong shaping and the dynamic-sampling filter (when enabled, as in GrpoStep),
 * old logprobs (the sampler's, else a scoring forward), the reference forward (when a KL is
 * configured), the critic's values, per-token rewards (outcome on the last token, minus
 * coef * k(old, ref) per token in `reward` mode), GAE, optional whitening, then
 * `updates.epochs x updates.miniBatches` updates, each a critic step on the clipped value loss
 * and (after `critic.warmupSteps` critic-only steps) a policy step. Groups are just prompts
 * here: a group of one works as well as G > 1.
 */

/** The policy loss with (batch, seq) advantages; the forward's logprobs and entropies come back as stats. */
export function ppoLossBuilder(cfg: PolicyLossConfig): LossBuilder {
  return grpoLossBuilder(cfg, 'token');
}

export interface PpoStepOptions extends GrpoStepOptions {
  /** Critic weights (a critic folder's, or a policy's: zero head); default the policy's `tensors`. */
  critic?: { config: ModelConfig; tensors: TensorMap };
}

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);

export class PpoStep {
  readonly algorithm: Readonly<AlgorithmConfig>;
  readonly config: ModelConfig;
  private readonly lossConfig: PolicyLossConfig;
  /** Steps taken (critic warm-up included); checkpointed with the critic. */
  steps = 0;

  private constructor(
    o: PpoStepOptions,
    algorithm: Readonly<AlgorithmConfig>,
    readonly policyTrainer: PolicyTrainer,
    private readonly scorer: PolicyScorer,
    private readonly reference: PolicyScorer | null,
    readonly critic: ValueModel,
  ) {
    this.config = o.config;
    this.algorithm = algorithm;
    this.lossConfig = lossConfigOf(algorithm);
  }

  static async create(o: PpoStepOptions): Promise<PpoStep> {
    const algorithm =
      o.algorithm && 'advantage' in o.algorithm && !('preset' in o.algorithm)
        ? (o.algorithm as Readonly<AlgorithmConfig>)
        : parseAlgorithmConfig(o.algorithm ?? { preset: 'ppo' });
    const vc = valueLossConfigOf(algorithm);
    if (!vc || !algorithm.critic || !algorithm.gae)
      throw new Error('PpoStep needs an algorithm with a critic (preset ppo or ppo_orz)');
    const trainer = await PolicyTrainer.create({
      config: o.config,
      tensors: o.tensors,
      loss: ppoLossBuilder(lossConfigOf(algorithm)),
      ...(o.optimizer ? { optimizer: o.optimizer } : {}),
      ...(o.maxGradNorm !== undefined ? { maxGradNorm: o.maxGradNorm } : {}),
      ...(o.session ? { session: o.session } : {}),
    });
    const scorer = await PolicyScorer.create(o.config, o.tensors, o.session);
    const needsRef = algorithm.kl.mode !== 'none' && algorithm.kl.coef > 0;
    const reference = needsRef
      ? await PolicyScorer.create(o.config, o.reference ?? o.tensors, o.session)
      : null;
    const critic = await ValueModel.create({
      config: o.critic?.config ?? o.config,
      tensors: o.critic?.tensors ?? o.tensors,
      loss: (g, f) => {
        const v = valueLossGraph(g, f.values, lossMaskInput(g), vc);
        g.output(`${STAT_PREFIX}value_clip_fraction`, v.clipFraction);
        return v.loss;
      },
      maxGradNorm: algorithm.critic.maxGradNorm,
      ...(o.session ? { session: o.session } : {}),
    });
    return new PpoStep(o, algorithm, trainer, scorer, reference, critic);
  }

  get version(): number {
    return this.policyTrainer.stepCount;
  }

  tensors(): TensorMap {
    return this.policyTrainer.tensors();
  }

  /** One PPO step on a batch of scored prompts (groups of any size). */
  async step(batch: readonly GroupBatch[], call: GrpoStepCall): Promise<{ metrics: PpoStepMetrics }> {
    const t0 = performance.now();
    validateBatch(batch, this.config);
    const temperature = call.temperature ?? 1;
    const alg = this.algorithm;
    const critic = alg.critic!;
    const gae = alg.gae!;
    const raw = batch.map((g) => g.completions.map((c) => c.rewardTotal));
    const shaped = batch.map((g, gi) =>
      g.completions.map((c, ci) => {
        const o = alg.overlong;
        const pen = o.enabled ? o.weight * overlongPenalty(c.tokenIds.length, o.maxLength, o.cacheLength) : 0;
        return raw[gi]![ci]! + pen;
      }),
    );
    const kept = alg.dynamicSampling.enabled ? informativeGroups(raw) : batch.map((_, i) => i);
    const m = baseMetrics(batch, raw, shaped, kept.length);
    const warmup = this.steps < critic.warmupSteps;
    m.critic_warmup = warmup ? 1 : 0;
    if (kept.length === 0) {
      this.steps++;
      m.time_total_ms = performance.now() - t0;
      return { metrics: m };
    }

    const rows: Row[] = [];
    for (const gi of kept) {
      const g = batch[gi]!;
      g.completions.forEach((c, ci) => {
        const n = c.tokenIds.length;
        rows.push({
          seq: { ids: [...g.promptIds, ...(n > 0 ? c.tokenIds : [0])], promptLength: g.promptIds.length },
          n,
          promptLength: g.promptIds.length,
          old: c.logprobs ? [...c.logprobs] : [],
          ref: null,
          values: [],
          advantages: [],
          returns: [],
          reward: shaped[gi]![ci]!,
        });
      });
    }
    const seqs = rows.map((r) => r.seq);
    const tScore = performance.now();
    const missing = rows.filter((r) => r.n > 0 && r.old.length === 0);
    if (missing.length > 0) {
      // Samples without logprobs are scored with the current weights (then old = current).
      this.scorer.setWeights(this.policyTrainer.tensors());
      const s = await this.scorer.score(
        missing.map((r) => r.seq),
        temperature,
      );
      missing.forEach((r, i) => {
        r.old = Array.from(s[i]!.logprobs.subarray(0, r.n));
      });
    }
    m.time_score_ms = performance.now() - tScore;
    if (this.reference) {
      const tRef = performance.now();
      const s = await this.reference.score(seqs, temperature);
      rows.forEach((r, i) => {
        r.ref = Array.from(s[i]!.logprobs.subarray(0, r.n));
      });
      m.time_reference_ms = performance.now() - tRef;
    }
    const tVal = performance.now();
    const values = await this.critic.values(seqs);
    rows.forEach((r, i) => {
      r.values = Array.from(values[i]!.subarray(0, r.n));
    });
    m.time_value_ms = performance.now() - tVal;

    // GAE over the (rows, seq) layout of the train graph: prompt and padding masked.
    const tAdv = performance.now();
    const all = rows.map((_, i) => i);
    const { T, from } = layout(all, rows);
    const B = rows.length;
    const mask = new Float64Array(B * T);
    const vals = new Float64Array(B * T);
    const kl = new Float64Array(B * T);
    rows.forEach((r, b) => {
      for (let j = 0; j < r.n; j++) {
        const k = from[b]! + j;
        mask[k] = 1;
        vals[k] = r.values[j]!;
        if (r.ref) kl[k] = klPerToken(alg.kl.estimator, r.old[j]!, r.ref[j]!);
      }
    });
    const klInReward = alg.kl.mode === 'reward' && this.reference !== null;
    const rewards = tokenRewards({
      rows: B,
      seq: T,
      outcome: rows.map((r) => r.reward),
      mask,
      ...(klInReward ? { kl, klCoef: alg.kl.coef } : {}),
    });
    const { advantages, returns } = computeGae(B, T, rewards, vals, mask, gae);
    const used = gae.whiten ? whitenMasked(advantages, mask, alg.advantage.eps) : advantages;
    rows.forEach((r, b) => {
      r.advantages = Array.from(used.subarray(from[b]!, from[b]! + r.n));
      r.returns = Array.from(returns.subarray(from[b]!, from[b]! + r.n));
    });
    const tokens = sum(rows.map((r) => r.n));
    const flat = (f: (r: Row) => number[]) => rows.flatMap(f);
    // Advantage statistics before whitening (after it they are 0 and 1 by construction).
    const advRaw: number[] = [];
    rows.forEach((_, b) => {
      for (let j = 0; j < rows[b]!.n; j++) advRaw.push(advantages[from[b]! + j]!);
    });
    if (tokens > 0) {
      const am = sum(advRaw) / tokens;
      m.advantage_mean = am;
      m.advantage_std = Math.sqrt(sum(advRaw.map((a) => (a - am) ** 2)) / tokens);
      m.value_mean = sum(flat((r) => r.values)) / tokens;
      m.return_mean = sum(flat((r) => r.returns)) / tokens;
      m.explained_variance = explainedVariance(returns, vals, mask);
    }
    m.advantage_abs_mean = tokens > 0 ? sum(flat((r) => r.advantages.map(Math.abs))) / tokens : 0;
    if (klInReward) m.reward_shaped_mean = sum(Array.from(rewards)) / rows.length;
    m.time_advantage_ms = performance.now() - tAdv;

    // Updates: epochs x mini-batches; each updates the critic, and the policy after warm-up.
    const tUpd = performance.now();
    const { epochs, miniBatches } = alg.updates;
    const mb = Math.min(miniBatches, rows.length);
    const size = Math.ceil(rows.length / mb);
    const criticLr = critic.lr ?? call.lr;
    let updates = 0;
    let policyUpdates = 0;
    let clip = 0;
    for (let e = 0; e < epochs; e++) {
      for (let b = 0; b < mb; b++) {
        const idx = all.slice(b * size, (b + 1) * size);
        if (idx.length === 0) continue;
        const f = feeds(idx, rows);
        const v = await this.critic.step({ sequences: idx.map((i) => seqs[i]!), feeds: f.critic }, criticLr);
        m.value_loss += v.loss;
        m.value_clip_fraction += Number(v.stats.value_clip_fraction?.data[0] ?? 0);
        m.critic_grad_norm += v.gradNorm;
        updates++;
        if (warmup) continue;
        const r = await this.policyTrainer.step(
          { sequences: idx.map((i) => seqs[i]!), temperature, feeds: f.policy(this.lossConfig.klCoef > 0) },
          call.lr,
        );
        const lpNow = statRows(r.stats.logprobs!, idx, rows);
        const entNow = statRows(r.stats.entropy!, idx, rows);
        const host = policyLossReference(
          idx.map((i, j) => ({
            logp: lpNow[j]!,
            oldLogp: rows[i]!.old,
            entropy: entNow[j]!,
            advantage: 0,
            ...(rows[i]!.ref ? { refLogp: rows[i]!.ref! } : {}),
          })),
          this.lossConfig,
        );
        if (policyUpdates === 0) {
          m.kl = host.kl;
          m.entropy = host.entropy;
        }
        clip += host.clipFraction;
        m.loss += r.loss;
        m.grad_norm += r.gradNorm;
        policyUpdates++;
      }
    }
    this.steps++;
    m.value_loss /= updates;
    m.value_clip_fraction /= updates;
    m.critic_grad_norm /= updates;
    if (policyUpdates > 0) {
      m.loss /= policyUpdates;
      m.pg_loss = m.loss;
      m.grad_norm /= policyUpdates;
      m.clip_fraction = clip / policyUpdates;
    }
    m.updates = policyUpdates;
    m.critic_updates = updates;
    m.sequences = rows.length;
    m.tokens = tokens;
    m.time_update_ms = performance.now() - tUpd;
    m.time_total_ms = performance.now() - t0;
    m.tokens_per_s = tokens / (m.time_total_ms / 1000);
    return { metrics: m };
  }

  async release(): Promise<void> {
    await this.policyTrainer.release();
    await this.scorer.release();
    await this.reference?.release();
    await this.critic.release();
  }
}
