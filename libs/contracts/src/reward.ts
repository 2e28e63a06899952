import { type Static, Type } from '@sinclair/typebox';

/** Statuses a reward component can end with; see libs/rewards `RewardStatus`. */
export const RewardStatus = Type.Union(
  [
    Type.Literal('ok'),
    Type.Literal('wrong'),
    Type.Literal('unparseable'),
    Type.Literal('not_applicable'),
    Type.Literal('error'),
  ],
  {
    description:
      'ok / wrong / unparseable: the check ran; not_applicable / error: it did not (these count 0).',
  },
);
export type RewardStatus = Static<typeof RewardStatus>;

export const RewardItem = Type.Object(
  {
    id: Type.String({ minLength: 1, maxLength: 256 }),
    prompt: Type.String(),
    completion: Type.String(),
    reference: Type.Optional(
      Type.Union([Type.String(), Type.Record(Type.String(), Type.Unknown())], {
        description:
          'The reference answer, or an object whose fields the reward functions define ({answer}, code tests).',
      }),
    ),
    language: Type.Optional(
      Type.String({ maxLength: 16, description: 'Target language of the reasoning, e.g. en, zh.' }),
    ),
    task: Type.Optional(Type.String({ maxLength: 64 })),
  },
  { additionalProperties: false },
);
export type RewardItem = Static<typeof RewardItem>;

export const RewardSpecEntry = Type.Object(
  {
    name: Type.String({ minLength: 1 }),
    weight: Type.Optional(Type.Number({ default: 1 })),
    params: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  },
  { additionalProperties: false },
);
export type RewardSpecEntry = Static<typeof RewardSpecEntry>;

export const RewardsRequest = Type.Object(
  {
    items: Type.Array(RewardItem, {
      description: 'Completions to score; the limit is the service config maxItems.',
    }),
    rewards: Type.Array(RewardSpecEntry, { minItems: 1, maxItems: 32 }),
  },
  { title: 'RewardsRequest', additionalProperties: false },
);
export type RewardsRequest = Static<typeof RewardsRequest>;

export const RewardComponent = Type.Object({
  name: Type.String(),
  weight: Type.Number(),
  score: Type.Number({ description: 'Score before weighting; 0 when status is error or not_applicable.' }),
  weighted: Type.Number({ description: 'weight * score, the amount added to total.' }),
  status: RewardStatus,
  reason: Type.Optional(Type.String()),
  details: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
});
export type RewardComponent = Static<typeof RewardComponent>;

export const RewardItemResult = Type.Object({
  id: Type.String(),
  total: Type.Number({
    description: 'Sum of weight * score over components; error and not_applicable add 0.',
  }),
  components: Type.Array(RewardComponent),
});
export type RewardItemResult = Static<typeof RewardItemResult>;

export const RewardStats = Type.Object({
  items: Type.Integer(),
  components: Type.Integer({ description: 'items * reward functions.' }),
  errors: Type.Integer({ description: 'Components that ended with status error.' }),
  timeouts: Type.Integer({ description: 'Components that ended with status error, reason timeout.' }),
  chunks: Type.Integer({ description: 'Pool tasks the batch was split into.' }),
  retriedItems: Type.Integer({ description: 'Items re-run one by one after their chunk overran.' }),
  workers: Type.Integer(),
  ms: Type.Number({ description: 'Wall time spent scoring, in milliseconds.' }),
});
export type RewardStats = Static<typeof RewardStats>;

export const RewardsResponse = Type.Object(
  { results: Type.Array(RewardItemResult), stats: RewardStats },
  { title: 'RewardsResponse' },
);
export type RewardsResponse = Static<typeof RewardsResponse>;

export const RewardFunctionInfo = Type.Object({
  name: Type.String(),
  description: Type.String(),
  kind: Type.Union([Type.Literal('cpu'), Type.Literal('async')]),
  params: Type.Unknown({ description: 'JSON Schema of the params object.' }),
});
export type RewardFunctionInfo = Static<typeof RewardFunctionInfo>;

export const RewardFunctionsResponse = Type.Object(
  { functions: Type.Array(RewardFunctionInfo) },
  { title: 'RewardFunctionsResponse' },
);
export type RewardFunctionsResponse = Static<typeof RewardFunctionsResponse>;

/**
 * OpenRLHF remote reward model request (`--remote_rm_url`): `query` holds prompt + response
 * as decoded by the actor, `prompts` the prompts, `labels` the `--label_key` values.
 */
export const GetRewardRequest = Type.Object(
  {
    query: Type.Array(Type.String()),
    prompts: Type.Optional(Type.Array(Type.String())),
    labels: Type.Optional(Type.Array(Type.Union([Type.String(), Type.Null()]))),
  },
  { title: 'GetRewardRequest' },
);
export type GetRewardRequest = Static<typeof GetRewardRequest>;

export const GetRewardResponse = Type.Object(
  {
    rewards: Type.Array(Type.Number(), { description: 'Weighted totals, used as the RL reward.' }),
    scores: Type.Array(Type.Number(), {
      description: 'Same as rewards; OpenRLHF uses it for dynamic filtering.',
    }),
    extra_logs: Type.Record(Type.String(), Type.Array(Type.Number()), {
      description: 'Per-component scores, one list per reward function, logged by OpenRLHF.',
    }),
  },
  { title: 'GetRewardResponse' },
);
export type GetRewardResponse = Static<typeof GetRewardResponse>;
