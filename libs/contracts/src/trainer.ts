import { type Static, Type } from '@sinclair/typebox';
import { RewardSpecEntry } from './reward.js';
import { ToolsSpec } from './tools.js';

/**
 * Trainer service contract: the run config (`POST /v1/runs`), the run status, the metric row
 * written to metrics.jsonl and streamed over SSE, and the evaluation record. Every default is
 * in the schema, so the config saved in a run directory is complete.
 */

export const TinyModelSpec = Type.Object(
  {
    hiddenSize: Type.Optional(Type.Integer({ minimum: 8, maximum: 4096, default: 64 })),
    layers: Type.Optional(Type.Integer({ minimum: 1, maximum: 64, default: 2 })),
    heads: Type.Optional(Type.Integer({ minimum: 1, maximum: 64, default: 4 })),
    kvHeads: Type.Optional(Type.Integer({ minimum: 1, maximum: 64, default: 2 })),
    seed: Type.Optional(Type.Integer({ default: 1 })),
    extraChars: Type.Optional(
      Type.String({
        description: 'Extra vocabulary characters; default: the Chinese characters of the arithmetic task.',
      }),
    ),
  },
  { additionalProperties: false },
);
export type TinyModelSpec = Static<typeof TinyModelSpec>;

export const ModelSpec = Type.Union(
  [
    Type.String({ minLength: 1, description: 'Path of a Hugging Face model folder (llama/qwen2 family).' }),
    Type.Object({ tiny: TinyModelSpec }, { additionalProperties: false }),
  ],
  {
    description:
      'A model folder, or {tiny: {...}} for the built-in tiny policy (created in the run directory).',
  },
);
export type ModelSpec = Static<typeof ModelSpec>;

/** The worked-trace layouts of the built-in arithmetic data (`data.*.trace`). */
export const ARITHMETIC_TRACES = ['columns', 'shrinking', 'running', 'written'] as const;
export type ArithmeticTrace = (typeof ARITHMETIC_TRACES)[number];

export const ArithmeticSplit = Type.Object(
  {
    count: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
    seed: Type.Optional(Type.Integer()),
    minDigits: Type.Optional(Type.Integer({ minimum: 1, maximum: 6 })),
    maxDigits: Type.Optional(Type.Integer({ minimum: 1, maximum: 6 })),
    zhFraction: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
    ops: Type.Optional(Type.Array(Type.Union([Type.Literal('+'), Type.Literal('-')]), { minItems: 1 })),
    trace: Type.Optional(
      Type.Union(
        ARITHMETIC_TRACES.map((t) => Type.Literal(t)),
        {
          description:
            'Worked-trace layout: columns (default), shrinking (each column line restates the operands without the columns done), running (shrinking, and each line ends with the result digits so far) or written (columns, and a subtraction line also writes its digit).',
        },
      ),
    ),
  },
  { additionalProperties: false },
);

export const MultiplicationSplit = Type.Object(
  {
    count: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
    seed: Type.Optional(Type.Integer()),
    minDigits: Type.Optional(Type.Integer({ minimum: 1, maximum: 6 })),
    maxDigits: Type.Optional(Type.Integer({ minimum: 1, maximum: 6 })),
  },
  { additionalProperties: false },
);

export const DataSpec = Type.Union([
  Type.Object(
    {
      builtin: Type.Literal('multiplication'),
      tools: Type.Boolean({
        default: true,
        description: 'true: SFT traces call the interpreter (markdown format); false: answer-only traces.',
      }),
      train: Type.Optional(MultiplicationSplit),
      eval: Type.Optional(MultiplicationSplit),
      rl: Type.Optional(MultiplicationSplit),
    },
    {
      additionalProperties: false,
      description:
        'Generated 3-4 digit multiplication for the tool recipe; train: 200 (seed 1), eval: 100 (seed 2); rl: answer-only prompts.',
    },
  ),
  Type.Object(
    {
      builtin: Type.Literal('arithmetic'),
      train: Type.Optional(ArithmeticSplit),
      eval: Type.Optional(ArithmeticSplit),
      rl: Type.Optional(ArithmeticSplit),
    },
    {
      additionalProperties: false,
      description:
        'Generated multi-digit arithmetic with R1 traces; train: 400 (seed 1), eval: 100 (seed 2); rl (when given): answer-only prompts for grpo and rejection_sampling stages, which otherwise draw from train.',
    },
  ),
  Type.Object(
    {
      path: Type.String({ minLength: 1, description: 'JSONL of {prompt, answer, completion?, language?}.' }),
      evalPath: Type.Optional(Type.String({ minLength: 1 })),
      rlPath: Type.Optional(
        Type.String({
          minLength: 1,
          description: 'Prompts for grpo and rejection_sampling stages; default: the train file.',
        }),
      ),
    },
    { additionalProperties: false },
  ),
]);
export type DataSpec = Static<typeof DataSpec>;

export const LrSchedule = Type.Object(
  {
    kind: Type.Union([Type.Literal('constant'), Type.Literal('cosine')], { default: 'constant' }),
    warmupSteps: Type.Integer({ minimum: 0, default: 0, description: 'Linear warmup from 0 (both kinds).' }),
    minLrRatio: Type.Number({
      minimum: 0,
      maximum: 1,
      default: 0,
      description: 'Cosine floor as a share of lr.',
    }),
  },
  { additionalProperties: false },
);
export type LrSchedule = Static<typeof LrSchedule>;

export const SamplingSpec = Type.Object(
  {
    temperature: Type.Number({ minimum: 0, maximum: 10, default: 1, description: '0 = greedy.' }),
    topP: Type.Number({ exclusiveMinimum: 0, maximum: 1, default: 1 }),
    topK: Type.Integer({ minimum: 0, default: 0, description: '0 = off.' }),
    maxTokens: Type.Integer({ minimum: 1, maximum: 32_768, default: 256 }),
  },
  { additionalProperties: false },
);
export type SamplingSpec = Static<typeof SamplingSpec>;

export const StageType = Type.Union([
  Type.Literal('sft'),
  Type.Literal('grpo'),
  Type.Literal('rejection_sampling'),
  Type.Literal('eval'),
]);
export type StageType = Static<typeof StageType>;

export const StageSpec = Type.Object(
  {
    type: StageType,
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    steps: Type.Integer({
      minimum: 0,
      maximum: 1_000_000,
      default: 10,
      description: 'Optimizer steps of the stage (eval: ignored).',
    }),
    lr: Type.Number({ minimum: 0, maximum: 1, default: 1e-3, description: 'Peak learning rate.' }),
    schedule: Type.Optional(LrSchedule),
    batch: Type.Integer({
      minimum: 1,
      maximum: 4096,
      default: 8,
      description: 'sft: examples per step; grpo / rejection_sampling: prompts per step.',
    }),
    groupSize: Type.Integer({
      minimum: 1,
      maximum: 256,
      default: 4,
      description: 'Completions per prompt (G).',
    }),
    sampling: Type.Optional(SamplingSpec),
    rolloutBatch: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 4096,
        description:
          'grpo with dynamic sampling: prompts sampled in the first round of a step (DAPO gen_batch_size), >= batch; default batch. The first `batch` informative groups are trained on.',
      }),
    ),
    overlapRollout: Type.Optional(
      Type.Boolean({
        description:
          'grpo: sample the first round of step n+1 while step n trains, with the weights before its update (one-step off-policy; the ratio to the sampling logprobs corrects for it). Default false.',
      }),
    ),
    algorithm: Type.Optional(
      Type.Object(
        {
          name: Type.String({
            minLength: 1,
            default: 'grpo',
            description:
              'A registered algorithm preset: grpo, dr_grpo, dapo, gspo, rloo, reinforce_pp, or ppo / ppo_orz (PPO with GAE and a learned critic).',
          }),
          overrides: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
        },
        { additionalProperties: false },
      ),
    ),
    acceptThreshold: Type.Number({
      default: 1,
      description: 'rejection_sampling: keep completions whose reward total is >= this.',
    }),
    evalCount: Type.Integer({
      minimum: 1,
      maximum: 100_000,
      default: 64,
      description: 'eval: held-out examples scored (greedy decoding unless sampling says otherwise).',
    }),
    split: Type.Union([Type.Literal('eval'), Type.Literal('train')], { default: 'eval' }),
    tools: Type.Optional(
      Type.Union([ToolsSpec], {
        description:
          'grpo / rejection_sampling / eval: tool-integrated rollouts (sent as /v1/rollouts tools); tool-output tokens are masked out of the loss.',
      }),
    ),
    toolMask: Type.Optional(
      Type.Object(
        {
          voidTurns: Type.Boolean({
            default: true,
            description:
              'Mask out trajectories ending on a void turn (SimpleTIR); their reward stays in the group baseline.',
          }),
          infraErrors: Type.Boolean({
            default: true,
            description:
              'Mask out trajectories ended by a sandbox infrastructure failure (tool_infra_error).',
          }),
        },
        { additionalProperties: false },
      ),
    ),
    until: Type.Optional(
      Type.Object(
        {
          accuracy: Type.Number({
            minimum: 0,
            maximum: 1,
            description: 'The stage ends at the first check whose accuracy is at or above this.',
          }),
          every: Type.Integer({ minimum: 1, maximum: 1_000_000, description: 'Steps between checks.' }),
          from: Type.Optional(
            Type.Integer({
              minimum: 1,
              maximum: 1_000_000,
              description: 'The stage step of the first check; default every.',
            }),
          ),
          evalCount: Type.Integer({
            minimum: 1,
            maximum: 100_000,
            default: 100,
            description: 'Problems scored per check (the first of the split).',
          }),
          split: Type.Union([Type.Literal('eval'), Type.Literal('rl')], {
            default: 'eval',
            description:
              'The problems checked: the eval split, or the rl split (not traced, not the eval stages’ problems, so the stop is not chosen on the problems that report it).',
          }),
        },
        {
          additionalProperties: false,
          description:
            "sft: train until the policy can do the task. Every `every` steps the stage scores `split` as an eval stage would (greedy unless the stage's sampling says otherwise; an eval record named <stage>-check) and ends as soon as the accuracy reaches `accuracy`; `steps` is then the most it trains. Needs rolloutUrl and rewardUrl.",
        },
      ),
    ),
    minAccuracy: Type.Optional(
      Type.Number({
        minimum: 0,
        maximum: 1,
        description:
          'eval: a gate. When the accuracy is below it, the run ends failed with GRPO_TRAINER_EVAL_GATE instead of training the next stages on a policy that cannot do the task.',
      }),
    ),
  },
  { additionalProperties: false },
);
export type StageSpec = Static<typeof StageSpec>;

export const RunConfig = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    model: ModelSpec,
    data: DataSpec,
    rewards: Type.Array(RewardSpecEntry, {
      minItems: 1,
      maxItems: 32,
      default: [{ name: 'accuracy' }, { name: 'format', weight: 0.5 }],
      description: 'The reward spec sent to the reward service for grpo, rejection_sampling and eval.',
    }),
    accuracyReward: Type.String({
      default: 'accuracy',
      description: 'The reward component whose score is the accuracy metric.',
    }),
    stages: Type.Array(StageSpec, { minItems: 1, maxItems: 64 }),
    rolloutUrl: Type.Optional(
      Type.String({
        minLength: 1,
        description:
          'The rollout service, an http(s) URL. Needed by grpo, rejection_sampling, eval and sft with until. Its origin must be one the trainer allows (its serviceOrigins setting; by default loopback hosts only), else 403 GRPO_TRAINER_SERVICE_URL_NOT_ALLOWED: the trainer sends its rollout key there.',
      }),
    ),
    rewardUrl: Type.Optional(
      Type.String({
        minLength: 1,
        description:
          'The reward service, an http(s) URL. Needed by grpo, rejection_sampling, eval and sft with until. Its origin must be one the trainer allows (as rolloutUrl).',
      }),
    ),
    checkpointEvery: Type.Integer({
      minimum: 1,
      default: 10,
      description: 'Checkpoint every N steps; also at the end of every stage.',
    }),
    keepCheckpoints: Type.Integer({ minimum: 1, default: 3, description: 'Older checkpoints are deleted.' }),
    syncEvery: Type.Integer({
      minimum: 1,
      default: 1,
      description: 'Push weights to the rollout service every N updates.',
    }),
    seed: Type.Integer({ default: 0, description: 'Data order and sampling seeds derive from it.' }),
    maxSeqTokens: Type.Integer({
      minimum: 8,
      maximum: 131_072,
      default: 1024,
      description: 'Prompt + completion tokens per training sequence; longer ones are truncated.',
    }),
    runDir: Type.Optional(Type.String({ minLength: 1, description: 'Default: <runsDir>/<id>.' })),
    executionProvider: Type.Optional(
      Type.Union([Type.Literal('cpu'), Type.Literal('webgpu'), Type.Literal('cuda')], {
        description:
          "ORT execution provider of the trainer's train steps and scoring; default: the trainer service's executionProvider (cpu). webgpu keeps the optimizer state on the device.",
      }),
    ),
  },
  { additionalProperties: false, title: 'RunConfig' },
);
export type RunConfig = Static<typeof RunConfig>;

export const ResumeRequest = Type.Object(
  {
    resume: Type.String({
      minLength: 1,
      description: 'A run directory to continue from its last checkpoint.',
    }),
  },
  { additionalProperties: false, title: 'ResumeRequest' },
);
export type ResumeRequest = Static<typeof ResumeRequest>;

export const CreateRunRequest = Type.Union([RunConfig, ResumeRequest], { title: 'CreateRunRequest' });
export type CreateRunRequest = Static<typeof CreateRunRequest>;

export const RunState = Type.Union([
  Type.Literal('queued'),
  Type.Literal('running'),
  Type.Literal('stopping'),
  Type.Literal('stopped'),
  Type.Literal('completed'),
  Type.Literal('failed'),
]);
export type RunState = Static<typeof RunState>;

const Nullable = <T extends ReturnType<typeof Type.Number>>(t: T) => Type.Union([t, Type.Null()]);

/** Tool-integrated rollouts of a step (null in the metric row without tools); fixed names, the dashboard plots them. */
export const ToolMetrics = Type.Object({
  turnsMean: Type.Number({ description: 'Model turns per trajectory.' }),
  callsPerTrajectory: Type.Number(),
  callRate: Type.Number({ description: 'Share of trajectories with at least one call.' }),
  errorRate: Type.Number({ description: 'Share of calls whose program raised (error, parse_error).' }),
  timeoutRate: Type.Number({ description: 'Share of calls that hit the per-call timeout.' }),
  truncationRate: Type.Number({ description: 'Share of calls whose output was cut to maxOutputChars.' }),
  infraErrorRate: Type.Number({ description: 'Share of calls the sandbox failed to run.' }),
  toolMsMean: Type.Number({ description: 'Tool wall time per trajectory (ms).' }),
  modelMsMean: Type.Number({ description: 'Trajectory wall time minus tool time (ms).' }),
  maskedFraction: Type.Number({
    description: 'Share of trajectories masked out of the loss (void turns, infra errors).',
  }),
  terminations: Type.Record(Type.String(), Type.Number(), {
    description:
      'Share of trajectories per termination reason (eos, stop, length, context_overflow, max_calls, tool_budget, tool_infra_error).',
  }),
});
export type ToolMetrics = Static<typeof ToolMetrics>;

/** One line of metrics.jsonl: every key is always present; null where the stage has no such number. */
export const MetricRow = Type.Object(
  {
    step: Type.Integer({ minimum: 1, description: 'Global optimizer step, 1-based, contiguous.' }),
    stage: Type.Integer({ minimum: 0, description: 'Index into config.stages.' }),
    stageType: StageType,
    stageStep: Type.Integer({ minimum: 1 }),
    time: Type.String({ description: 'ISO time the step finished.' }),
    lr: Type.Number(),
    loss: Nullable(Type.Number()),
    gradNorm: Nullable(Type.Number()),
    rewardMean: Nullable(Type.Number()),
    rewardStd: Nullable(Type.Number()),
    rewards: Type.Record(Type.String(), Type.Object({ mean: Type.Number(), std: Type.Number() }), {
      description: 'Per reward function: mean and std of the unweighted score.',
    }),
    accuracy: Nullable(Type.Number()),
    kl: Nullable(Type.Number()),
    entropy: Nullable(Type.Number()),
    clipFraction: Nullable(Type.Number()),
    completionLengthMean: Nullable(Type.Number()),
    completionLengthMin: Nullable(Type.Number()),
    completionLengthMax: Nullable(Type.Number()),
    zeroStdFraction: Nullable(
      Type.Number({ description: 'Share of sampled groups (every round) whose rewards are all equal.' }),
    ),
    sampleRounds: Type.Union([
      Type.Integer({
        minimum: 1,
        description:
          'grpo/rejection_sampling: sampling rounds the step took (above 1 when DAPO dynamic sampling sampled more prompts to fill the batch with informative groups).',
      }),
      Type.Null(),
    ]),
    acceptedFraction: Nullable(
      Type.Number({ description: 'rejection_sampling: share of completions kept.' }),
    ),
    timeRolloutMs: Type.Number(),
    timeRewardMs: Type.Number(),
    timeTrainMs: Type.Number(),
    timeSyncMs: Type.Number(),
    timeStepMs: Type.Number(),
    tokens: Type.Integer({ minimum: 0, description: 'Tokens trained on (prompt + completion).' }),
    tokensPerSecond: Type.Number({ description: 'tokens / step time.' }),
    serviceRetries: Type.Optional(
      Type.Integer({
        minimum: 0,
        description:
          'Calls to the rollout/reward services retried during the step (5xx, 429, timeouts, connection errors, malformed replies), with bounded backoff.',
      }),
    ),
    policyResyncs: Type.Optional(
      Type.Integer({
        minimum: 0,
        description:
          'Times the weights were pushed again because the rollout service had lost them (a restart); its samples from other weights were discarded.',
      }),
    ),
    valueLoss: Type.Optional(
      Type.Number({
        description: 'PPO: clipped value loss of the critic (times valueCoef), before its update.',
      }),
    ),
    valueClipFraction: Type.Optional(
      Type.Number({ description: 'PPO: share of action tokens where the value clip was active.' }),
    ),
    explainedVariance: Type.Optional(
      Type.Number({ description: 'PPO: 1 - Var(returns - values) / Var(returns) over action tokens.' }),
    ),
    valueMean: Type.Optional(Type.Number({ description: 'PPO: mean critic value over action tokens.' })),
    returnMean: Type.Optional(Type.Number({ description: 'PPO: mean GAE return over action tokens.' })),
    advantageMean: Type.Optional(
      Type.Number({ description: 'PPO: mean GAE advantage over action tokens, before whitening.' }),
    ),
    advantageStd: Type.Optional(
      Type.Number({ description: 'PPO: std of the GAE advantages over action tokens, before whitening.' }),
    ),
    criticWarmup: Type.Optional(
      Type.Boolean({ description: 'PPO: the step trained the critic alone (critic.warmupSteps).' }),
    ),
    tools: Type.Union([ToolMetrics, Type.Null()]),
  },
  { title: 'MetricRow' },
);
export type MetricRow = Static<typeof MetricRow>;

/** The result of an eval stage (also written to evals.jsonl). */
export const EvalRecord = Type.Object(
  {
    stage: Type.Integer({ minimum: 0 }),
    name: Type.String(),
    step: Type.Integer({ minimum: 0, description: 'Global step of the weights evaluated.' }),
    split: Type.String(),
    count: Type.Integer({ minimum: 0 }),
    accuracy: Type.Number(),
    rewardMean: Type.Number(),
    rewards: Type.Record(Type.String(), Type.Object({ mean: Type.Number(), std: Type.Number() })),
    completionLengthMean: Type.Number(),
    time: Type.String(),
  },
  { title: 'EvalRecord' },
);
export type EvalRecord = Static<typeof EvalRecord>;

export const StageCheckpoint = Type.Object(
  {
    stage: Type.Integer({ minimum: 0, description: 'Index into config.stages.' }),
    name: Type.String({ description: 'The stage name.' }),
    step: Type.Integer({ minimum: 0, description: 'Global step of the weights (the stage end).' }),
    path: Type.String({
      description: 'A Hugging Face folder, kept whatever keepCheckpoints says: <runDir>/checkpoints/<name>.',
    }),
  },
  { title: 'StageCheckpoint' },
);
export type StageCheckpoint = Static<typeof StageCheckpoint>;

export const RunStatus = Type.Object(
  {
    id: Type.String(),
    name: Type.Optional(Type.String()),
    state: RunState,
    error: Type.Optional(Type.Object({ code: Type.String(), message: Type.String() })),
    runDir: Type.String(),
    step: Type.Integer({ minimum: 0, description: 'Global steps done.' }),
    totalSteps: Type.Integer({ minimum: 0 }),
    stage: Type.Integer({ minimum: 0, description: 'Index of the current (or last) stage.' }),
    stageType: StageType,
    stageStep: Type.Integer({ minimum: 0 }),
    stageSteps: Type.Integer({ minimum: 0 }),
    resumedFrom: Type.Optional(Type.Integer({ minimum: 0, description: 'Checkpoint step resumed from.' })),
    createdAt: Type.String(),
    updatedAt: Type.String(),
    last: Type.Optional(MetricRow),
    evals: Type.Array(EvalRecord),
    checkpoints: Type.Array(StageCheckpoint, {
      description: 'The last weights of every finished training stage, in stage order.',
    }),
  },
  { title: 'RunStatus' },
);
export type RunStatus = Static<typeof RunStatus>;

export const RunList = Type.Object({ runs: Type.Array(RunStatus) }, { title: 'RunList' });
export type RunList = Static<typeof RunList>;

export const RunIdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 128 }) });
export type RunIdParams = Static<typeof RunIdParams>;

export const MetricsQuery = Type.Object(
  {
    since: Type.Optional(
      Type.String({ pattern: '^[0-9]{1,9}$', description: 'Only rows with step > since (default 0).' }),
    ),
    limit: Type.Optional(
      Type.String({
        pattern: '^[0-9]{1,6}$',
        description: 'At most this many rows (default and cap 100000).',
      }),
    ),
  },
  { additionalProperties: false },
);
export type MetricsQuery = Static<typeof MetricsQuery>;

export const MetricsResponse = Type.Object(
  { id: Type.String(), rows: Type.Array(MetricRow), evals: Type.Array(EvalRecord) },
  { title: 'MetricsResponse' },
);
export type MetricsResponse = Static<typeof MetricsResponse>;
