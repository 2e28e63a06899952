import { type Static, Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { AlgorithmConfigError } from './errors.js';
import { validatePolicyLossConfig } from './graph-loss.js';
import { defaultPolicyLossConfig, lossAggregations, type PolicyLossConfig } from './policy-loss.js';
import { createAdvantageRegistry } from './registry.js';
import { type ValueLossConfig, validateValueLossConfig } from './value-loss.js';

/**
 * The algorithm configuration of a GRPO-family stage: advantage estimator, policy loss, where
 * the KL to the reference goes, and DAPO's batch-level tricks. One TypeBox schema (the trainer
 * service's run config embeds it), defaults, and named presets with the paper each follows.
 */

const lit = <T extends string>(values: readonly T[]) => Type.Union(values.map((v) => Type.Literal(v)));

export const AdvantageConfigSchema = Type.Object(
  {
    estimator: Type.String({
      default: 'grpo',
      description:
        'grpo (DeepSeekMath arXiv:2402.03300), dr_grpo (arXiv:2503.20783), rloo (arXiv:2402.14740), reinforce_pp / reinforce_pp_baseline (arXiv:2501.03262)',
    }),
    eps: Type.Number({ minimum: 0, default: 1e-6, description: 'added to the std before dividing' }),
    stdScope: lit(['group', 'batch', 'none'] as const),
  },
  { additionalProperties: false },
);

export const LossConfigSchema = Type.Object(
  {
    epsLow: Type.Number({ minimum: 0, exclusiveMaximum: 1, description: 'ratio >= 1 - epsLow (PPO 0.2)' }),
    epsHigh: Type.Number({ minimum: 0, description: 'ratio <= 1 + epsHigh (DAPO clip-higher 0.28)' }),
    dualClip: Type.Union([Type.Null(), Type.Number({ exclusiveMinimum: 1 })], {
      description: 'dual-clip constant c > 1 (arXiv:1912.09729) or null',
    }),
    ratio: lit(['token', 'sequence'] as const),
    aggregation: lit(lossAggregations),
    normLength: Type.Integer({
      minimum: 1,
      description: 'denominator length of seq-mean-token-sum-norm (Dr. GRPO: the generation budget)',
    }),
    entropyCoef: Type.Number({ minimum: 0, description: 'entropy bonus weight; 0 disables it' }),
  },
  { additionalProperties: false },
);

export const KlConfigSchema = Type.Object(
  {
    mode: lit(['none', 'loss', 'reward'] as const),
    coef: Type.Number({ minimum: 0, description: 'beta: weight of the KL term' }),
    estimator: lit(['k1', 'k2', 'k3'] as const),
  },
  { additionalProperties: false },
);

export const GaeConfigSchema = Type.Object(
  {
    gamma: Type.Number({ minimum: 0, maximum: 1, description: 'discount per token' }),
    lambda: Type.Number({ minimum: 0, maximum: 1, description: 'GAE lambda (arXiv:1506.02438)' }),
    whiten: Type.Boolean({ description: 'whiten advantages over the action tokens of the batch' }),
  },
  { additionalProperties: false },
);

export const CriticConfigSchema = Type.Object(
  {
    lr: Type.Union([Type.Null(), Type.Number({ exclusiveMinimum: 0, maximum: 1 })], {
      description: "the critic's AdamW learning rate; null = the stage's (scheduled) lr",
    }),
    clipValue: Type.Union([Type.Null(), Type.Number({ exclusiveMinimum: 0 })], {
      description: 'clip of the value around the old value (PPO value clipping); null = unclipped',
    }),
    valueCoef: Type.Number({ exclusiveMinimum: 0, description: 'weight of the value loss' }),
    aggregation: lit(lossAggregations),
    warmupSteps: Type.Integer({
      minimum: 0,
      description: "steps that train the critic alone first (OpenRLHF's freezing_actor_steps)",
    }),
    init: Type.Union([Type.Null(), Type.String({ minLength: 1 })], {
      description: "a critic or policy HF folder to start from; null = the policy's weights and a zero head",
    }),
    maxGradNorm: Type.Number({
      exclusiveMinimum: 0,
      description: "global-norm clip of the critic's gradient",
    }),
  },
  { additionalProperties: false },
);

export const AlgorithmConfigSchema = Type.Object(
  {
    advantage: AdvantageConfigSchema,
    gae: Type.Optional(GaeConfigSchema),
    critic: Type.Optional(CriticConfigSchema),
    loss: LossConfigSchema,
    kl: KlConfigSchema,
    dynamicSampling: Type.Object(
      {
        enabled: Type.Boolean({ description: 'DAPO: drop groups whose rewards are all equal' }),
        maxRounds: Type.Integer({
          minimum: 1,
          maximum: 64,
          description: 'most sampling rounds to fill a batch with informative groups',
        }),
      },
      { additionalProperties: false },
    ),
    overlong: Type.Object(
      {
        enabled: Type.Boolean({ description: 'DAPO soft overlong punishment added to the reward' }),
        maxLength: Type.Integer({ minimum: 1, description: 'L_max in tokens' }),
        cacheLength: Type.Integer({ minimum: 1, description: 'L_cache in tokens (<= maxLength)' }),
        weight: Type.Number({ minimum: 0, description: 'scale of the penalty (DAPO: 1)' }),
      },
      { additionalProperties: false },
    ),
    updates: Type.Object(
      {
        epochs: Type.Integer({ minimum: 1, maximum: 16, description: 'passes over each batch (PPO epochs)' }),
        miniBatches: Type.Integer({
          minimum: 1,
          maximum: 64,
          description: 'optimizer steps per pass; 1 = on-policy, one step per batch',
        }),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

export type AlgorithmConfig = Static<typeof AlgorithmConfigSchema>;

export type PresetName = 'grpo' | 'dr_grpo' | 'dapo' | 'gspo' | 'rloo' | 'reinforce_pp' | 'ppo' | 'ppo_orz';

/** The advantage estimator of the PPO presets: GAE on a learned critic (not a group baseline). */
export const GAE_ESTIMATOR = 'gae';

const critic = (over: Partial<NonNullable<AlgorithmConfig['critic']>> = {}) => ({
  lr: null,
  clipValue: 0.2,
  valueCoef: 1,
  aggregation: 'token-mean' as const,
  warmupSteps: 0,
  init: null,
  maxGradNorm: 1,
  ...over,
});

const loss = (over: Partial<AlgorithmConfig['loss']> = {}): AlgorithmConfig['loss'] => ({
  epsLow: defaultPolicyLossConfig.epsLow,
  epsHigh: defaultPolicyLossConfig.epsHigh,
  dualClip: null,
  ratio: 'token',
  aggregation: 'token-mean',
  normLength: defaultPolicyLossConfig.normLength,
  entropyCoef: 0,
  ...over,
});

const base: AlgorithmConfig = {
  advantage: { estimator: 'grpo', eps: 1e-6, stdScope: 'group' },
  loss: loss(),
  kl: { mode: 'none', coef: 0, estimator: 'k3' },
  dynamicSampling: { enabled: false, maxRounds: 4 },
  overlong: { enabled: false, maxLength: 1024, cacheLength: 256, weight: 1 },
  updates: { epochs: 1, miniBatches: 1 },
};

/**
 * Named presets. Each follows its paper as published; anything can be overridden.
 * - `grpo`: DeepSeekMath (arXiv:2402.03300): group std, per-sequence token mean
 *   (seq-mean-token-mean), eps 0.2, k3 KL in the loss with beta 0.04. (TRL's current defaults,
 *   beta 0 and token-level normalisation, are `{kl: {mode: 'none'}, loss: {aggregation: 'token-mean'}}`.)
 * - `dr_grpo`: Dr. GRPO (arXiv:2503.20783): no std division, the constant normaliser
 *   seq-mean-token-sum-norm, no KL.
 * - `dapo`: DAPO (arXiv:2503.14476): clip-higher 0.2/0.28, token-mean, dynamic sampling,
 *   soft overlong punishment, no KL.
 * - `gspo`: GSPO (arXiv:2507.18071): sequence-level length-normalised ratio, clip 3e-4/4e-4,
 *   seq-mean-token-mean, no KL.
 * - `rloo`: RLOO (arXiv:2402.14740): leave-one-out baseline, KL (k1) in the reward with beta
 *   0.05, as TRL's RLOOTrainer.
 * - `reinforce_pp`: REINFORCE++ (arXiv:2501.03262): batch-whitened rewards, token-level k1 KL
 *   in the reward (beta 0.01, OpenRLHF's default init_kl_coef), token-mean.
 * - `ppo`: PPO (arXiv:1707.06347) with GAE (arXiv:1506.02438) on a learned critic, as OpenRLHF
 *   runs it: gamma 1, lambda 0.95, k1 KL per token in the reward (0.01), advantages whitened
 *   over the batch, value clip 0.2, token-mean.
 * - `ppo_orz`: Open-Reasoner-Zero (arXiv:2503.24290): PPO with lambda = gamma = 1 and no KL,
 *   so every token's advantage is the outcome reward minus the critic's value.
 */
export const ALGORITHM_PRESETS: Readonly<Record<PresetName, AlgorithmConfig>> = Object.freeze({
  grpo: {
    ...base,
    loss: loss({ aggregation: 'seq-mean-token-mean' }),
    kl: { mode: 'loss', coef: 0.04, estimator: 'k3' },
  },
  dr_grpo: {
    ...base,
    advantage: { estimator: 'dr_grpo', eps: 1e-6, stdScope: 'none' },
    loss: loss({ aggregation: 'seq-mean-token-sum-norm' }),
  },
  dapo: {
    ...base,
    loss: loss({ epsLow: 0.2, epsHigh: 0.28, aggregation: 'token-mean' }),
    dynamicSampling: { enabled: true, maxRounds: 4 },
    overlong: { enabled: true, maxLength: 1024, cacheLength: 256, weight: 1 },
  },
  gspo: {
    ...base,
    loss: loss({ ratio: 'sequence', epsLow: 3e-4, epsHigh: 4e-4, aggregation: 'seq-mean-token-mean' }),
  },
  rloo: {
    ...base,
    advantage: { estimator: 'rloo', eps: 1e-6, stdScope: 'none' },
    kl: { mode: 'reward', coef: 0.05, estimator: 'k1' },
  },
  reinforce_pp: {
    ...base,
    advantage: { estimator: 'reinforce_pp', eps: 1e-6, stdScope: 'batch' },
    kl: { mode: 'reward', coef: 0.01, estimator: 'k1' },
  },
  ppo: {
    ...base,
    advantage: { estimator: GAE_ESTIMATOR, eps: 1e-8, stdScope: 'none' },
    gae: { gamma: 1, lambda: 0.95, whiten: true },
    critic: critic(),
    kl: { mode: 'reward', coef: 0.01, estimator: 'k1' },
  },
  ppo_orz: {
    ...base,
    advantage: { estimator: GAE_ESTIMATOR, eps: 1e-8, stdScope: 'none' },
    gae: { gamma: 1, lambda: 1, whiten: true },
    critic: critic(),
  },
});

export const presetNames = Object.keys(ALGORITHM_PRESETS) as PresetName[];

type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? Partial<T[K]> : T[K] };
export type AlgorithmConfigInput = DeepPartial<AlgorithmConfig> & { preset?: PresetName };

/**
 * A validated, frozen config: the preset (default `grpo`) with each section's fields overridden
 * by `input`. Throws `AlgorithmConfigError` naming the first bad field.
 */
export function parseAlgorithmConfig(input: AlgorithmConfigInput = {}): Readonly<AlgorithmConfig> {
  const { preset = 'grpo', ...over } = input;
  const p = ALGORITHM_PRESETS[preset as PresetName];
  if (!p) throw new AlgorithmConfigError('preset', `must be one of ${presetNames.join(', ')}; got ${preset}`);
  const merged: Record<string, unknown> = structuredClone(p) as unknown as Record<string, unknown>;
  for (const [k, v] of Object.entries(over)) {
    if (!(k in merged))
      throw new AlgorithmConfigError(
        k,
        k === 'gae' || k === 'critic'
          ? `only the ${GAE_ESTIMATOR} presets (ppo, ppo_orz) have a ${k} section; preset is ${preset}`
          : `unknown section; valid: ${Object.keys(p).join(', ')}`,
      );
    if (v === undefined) continue;
    if (v === null || typeof v !== 'object' || Array.isArray(v))
      throw new AlgorithmConfigError(k, 'must be an object');
    merged[k] = { ...(merged[k] as object), ...v };
  }
  if (!Value.Check(AlgorithmConfigSchema, merged)) {
    const e = [...Value.Errors(AlgorithmConfigSchema, merged)][0]!;
    const field = e.path.replace(/^\//, '').replaceAll('/', '.') || 'config';
    throw new AlgorithmConfigError(field, `${e.message}; got ${JSON.stringify(e.value)}`);
  }
  const cfg = merged as unknown as AlgorithmConfig;
  const estimators = createAdvantageRegistry().names();
  const isGae = cfg.advantage.estimator === GAE_ESTIMATOR;
  if (isGae !== (cfg.critic !== undefined))
    throw new AlgorithmConfigError(
      'advantage.estimator',
      isGae
        ? `${GAE_ESTIMATOR} needs a critic: use preset ppo or ppo_orz`
        : `preset ${preset} trains a critic and needs estimator ${GAE_ESTIMATOR}; got ${cfg.advantage.estimator}`,
    );
  if (cfg.critic) {
    validateValueLossConfig(valueLossConfigOf(cfg)!, 'critic');
  } else if (!estimators.includes(cfg.advantage.estimator))
    throw new AlgorithmConfigError(
      'advantage.estimator',
      `must be one of ${estimators.join(', ')}; got ${cfg.advantage.estimator}`,
    );
  if (cfg.overlong.cacheLength > cfg.overlong.maxLength)
    throw new AlgorithmConfigError(
      'overlong.cacheLength',
      `must be <= overlong.maxLength (${cfg.overlong.maxLength}); got ${cfg.overlong.cacheLength}`,
    );
  validatePolicyLossConfig(lossConfigOf(cfg));
  return deepFreeze(cfg);
}

/** The critic's value-loss config (null without a critic). */
export function valueLossConfigOf(cfg: AlgorithmConfig): ValueLossConfig | null {
  if (!cfg.critic) return null;
  return {
    clipValue: cfg.critic.clipValue,
    coef: cfg.critic.valueCoef,
    aggregation: cfg.critic.aggregation,
    normLength: cfg.loss.normLength,
  };
}

/** The graph loss config of an algorithm config: the KL goes into the loss only in `loss` mode. */
export function lossConfigOf(cfg: AlgorithmConfig): PolicyLossConfig {
  return {
    ...cfg.loss,
    klCoef: cfg.kl.mode === 'loss' ? cfg.kl.coef : 0,
    klEstimator: cfg.kl.estimator,
  };
}

function deepFreeze<T>(o: T): Readonly<T> {
  if (o && typeof o === 'object') {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}
