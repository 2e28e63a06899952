import { type Static, Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { AlgorithmConfigError } from './errors.js';
import { validatePolicyLossConfig } from './graph-loss.js';
import { defaultPolicyLossConfig, lossAggregations, type PolicyLossConfig } from './policy-loss.js';
import { createAdvantageRegistry } from './registry.js';

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

export const AlgorithmConfigSchema = Type.Object(
  {
    advantage: AdvantageConfigSchema,
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

export type PresetName = 'grpo' | 'dr_grpo' | 'dapo' | 'gspo' | 'rloo' | 'reinforce_pp';

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
      throw new AlgorithmConfigError(k, `unknown section; valid: ${Object.keys(p).join(', ')}`);
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
  if (!estimators.includes(cfg.advantage.estimator))
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
