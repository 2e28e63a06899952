import { type Static, Type } from '@sinclair/typebox';
import { ToolCompletionFields, ToolsSpec } from './tools.js';

/** Error codes of the rollout service (the shared ones are in errors.ts). */
export const RolloutErrorCodes = {
  limit: 'GRPO_ROLLOUT_LIMIT',
  badPrompt: 'GRPO_ROLLOUT_BAD_PROMPT',
  badSampling: 'GRPO_ROLLOUT_BAD_SAMPLING',
  noTokenizer: 'GRPO_ROLLOUT_NO_TOKENIZER',
  unsupported: 'GRPO_ROLLOUT_UNSUPPORTED',
  badPolicy: 'GRPO_ROLLOUT_BAD_POLICY',
  upstream: 'GRPO_ROLLOUT_UPSTREAM',
  queueFull: 'GRPO_ROLLOUT_QUEUE_FULL',
} as const;

export const ChatMessage = Type.Object(
  {
    role: Type.String({ minLength: 1, maxLength: 64 }),
    content: Type.String(),
  },
  { additionalProperties: false },
);
export type ChatMessage = Static<typeof ChatMessage>;

/** One prompt: exactly one of `text`, `messages` (rendered with the chat template) or `tokenIds`. */
export const RolloutPrompt = Type.Object(
  {
    text: Type.Optional(Type.String({ minLength: 1 })),
    messages: Type.Optional(Type.Array(ChatMessage, { minItems: 1 })),
    tokenIds: Type.Optional(Type.Array(Type.Integer({ minimum: 0 }), { minItems: 1 })),
  },
  { additionalProperties: false, description: 'Exactly one of text, messages, tokenIds.' },
);
export type RolloutPrompt = Static<typeof RolloutPrompt>;

/**
 * Largest request seed: prompt i samples with seed + i, which must stay a safe integer for any
 * prompt count, and an upstream rollout service must accept seed + i again.
 */
export const MAX_SEED = 2 ** 52;
/** The OpenAI routes take any seed an upstream caller can send (MAX_SEED + prompt index) and still add their own prompt index. */
export const MAX_OPENAI_SEED = 2 ** 53 - 2 ** 21;

/** Sampling parameters shared by every prompt of a request. */
export const SamplingFields = {
  temperature: Type.Optional(
    Type.Number({ minimum: 0, maximum: 100, description: '>= 0; 0 is greedy. Default 1.' }),
  ),
  topP: Type.Optional(
    Type.Number({
      exclusiveMinimum: 0,
      maximum: 1,
      description: 'Nucleus sampling, (0, 1]; default 1 (off).',
    }),
  ),
  topK: Type.Optional(
    Type.Integer({ minimum: -1, description: 'Keep the k most likely tokens; 0 or -1 off.' }),
  ),
  maxTokens: Type.Optional(
    Type.Integer({ minimum: 1, description: 'New tokens per completion; default and cap from config.' }),
  ),
  stop: Type.Optional(
    Type.Array(Type.String({ minLength: 1 }), {
      maxItems: 16,
      description: 'Stop strings: a completion ends when its text contains one (cut before it).',
    }),
  ),
  seed: Type.Optional(
    Type.Integer({
      minimum: 0,
      maximum: MAX_SEED,
      description:
        'Prompt i samples completion j from stream j of seed + i, so results do not depend on batching. Default: random (returned).',
    }),
  ),
};

export const RolloutRequest = Type.Object(
  {
    prompts: Type.Array(RolloutPrompt, { minItems: 1 }),
    groupSize: Type.Optional(
      Type.Integer({ minimum: 1, description: 'Completions per prompt (G); default 1.' }),
    ),
    ...SamplingFields,
    tools: Type.Optional(
      Type.Union([ToolsSpec], {
        description:
          'Tool-integrated rollout: the model may run code mid-generation; tool output is appended as tokens with lossMask 0. Without it the API is unchanged.',
      }),
    ),
  },
  { additionalProperties: false, title: 'RolloutRequest' },
);
export type RolloutRequest = Static<typeof RolloutRequest>;

export const FinishReason = Type.Union([Type.Literal('stop'), Type.Literal('length')]);

export const RolloutCompletion = Type.Object({
  tokenIds: Type.Array(Type.Integer(), {
    description: 'Sampled ids, a final EOS id included; with tools, model and tool-output ids interleaved.',
  }),
  text: Type.String({ description: 'Decoded completion, without a final EOS and cut before a stop string.' }),
  logprobs: Type.Array(Type.Number(), {
    description:
      'Per token: log softmax(logits / T) (T = 1 when greedy), before top-k/top-p; 0 at tool-output tokens.',
  }),
  finishReason: FinishReason,
  stopReason: Type.Union([Type.Integer(), Type.String(), Type.Null()], {
    description: 'The EOS id or stop string that ended the completion, else null.',
  }),
  ...ToolCompletionFields,
});
export type RolloutCompletion = Static<typeof RolloutCompletion>;

export const RolloutGroup = Type.Object({
  promptTokenIds: Type.Union([Type.Array(Type.Integer()), Type.Null()], {
    description: 'The prompt as token ids (null when an upstream engine tokenised a text prompt).',
  }),
  seed: Type.Integer({ description: 'The seed this group sampled with (request seed + prompt index).' }),
  completions: Type.Array(RolloutCompletion),
});
export type RolloutGroup = Static<typeof RolloutGroup>;

export const RolloutResponse = Type.Object(
  {
    model: Type.String(),
    policyVersion: Type.Integer({
      description: 'Policy version that produced every group of this response.',
    }),
    seed: Type.Integer(),
    groups: Type.Array(RolloutGroup),
    usage: Type.Object({ promptTokens: Type.Integer(), completionTokens: Type.Integer() }),
  },
  { title: 'RolloutResponse' },
);
export type RolloutResponse = Static<typeof RolloutResponse>;

export const PolicyInfo = Type.Object(
  {
    model: Type.String(),
    version: Type.Integer({ minimum: 0 }),
    engine: Type.Union([Type.Literal('onnx'), Type.Literal('openai')]),
    path: Type.Union([Type.String(), Type.Null()]),
    upstreams: Type.Optional(
      Type.Array(Type.Object({ url: Type.String(), healthy: Type.Boolean(), failures: Type.Integer() })),
    ),
  },
  { title: 'PolicyInfo' },
);
export type PolicyInfo = Static<typeof PolicyInfo>;

export const PutPolicyRequest = Type.Object(
  {
    path: Type.String({ minLength: 1, description: 'A Hugging Face checkpoint folder on the service host.' }),
  },
  { additionalProperties: false, title: 'PutPolicyRequest' },
);
export type PutPolicyRequest = Static<typeof PutPolicyRequest>;

export const PutPolicyResponse = Type.Object(
  { version: Type.Integer(), previousVersion: Type.Integer(), model: Type.String() },
  { title: 'PutPolicyResponse' },
);
export type PutPolicyResponse = Static<typeof PutPolicyResponse>;

/** SGLang's `POST /update_weights_from_disk` body and reply. */
export const UpdateWeightsRequest = Type.Object(
  { model_path: Type.String({ minLength: 1 }), load_format: Type.Optional(Type.String()) },
  { title: 'UpdateWeightsRequest' },
);
export const UpdateWeightsResponse = Type.Object({ success: Type.Boolean(), message: Type.String() });

const StopParam = Type.Optional(
  Type.Union([
    Type.String({ minLength: 1 }),
    Type.Array(Type.String({ minLength: 1 }), { maxItems: 16 }),
    Type.Null(),
  ]),
);
const OpenAISampling = {
  model: Type.Optional(Type.String()),
  n: Type.Optional(Type.Integer({ minimum: 1 })),
  max_tokens: Type.Optional(Type.Union([Type.Integer({ minimum: 1 }), Type.Null()])),
  temperature: Type.Optional(Type.Union([Type.Number({ minimum: 0, maximum: 100 }), Type.Null()])),
  top_p: Type.Optional(Type.Union([Type.Number({ exclusiveMinimum: 0, maximum: 1 }), Type.Null()])),
  top_k: Type.Optional(Type.Integer({ minimum: -1 })),
  stop: StopParam,
  seed: Type.Optional(Type.Union([Type.Integer({ minimum: 0, maximum: MAX_OPENAI_SEED }), Type.Null()])),
  stream: Type.Optional(Type.Union([Type.Boolean(), Type.Null()])),
};

/** OpenAI legacy completions (`POST /v1/completions`), with vLLM's `top_k` and `return_tokens_as_token_ids`. */
export const CompletionRequest = Type.Object(
  {
    prompt: Type.Union([
      Type.String(),
      Type.Array(Type.String(), { minItems: 1 }),
      Type.Array(Type.Integer({ minimum: 0 }), { minItems: 1 }),
      Type.Array(Type.Array(Type.Integer({ minimum: 0 }), { minItems: 1 }), { minItems: 1 }),
    ]),
    ...OpenAISampling,
    logprobs: Type.Optional(Type.Union([Type.Integer({ minimum: 0, maximum: 1 }), Type.Null()])),
    echo: Type.Optional(Type.Union([Type.Boolean(), Type.Null()])),
    return_tokens_as_token_ids: Type.Optional(Type.Boolean()),
  },
  { title: 'CompletionRequest' },
);
export type CompletionRequest = Static<typeof CompletionRequest>;

const Usage = Type.Object({
  prompt_tokens: Type.Integer(),
  completion_tokens: Type.Integer(),
  total_tokens: Type.Integer(),
});

export const CompletionResponse = Type.Object(
  {
    id: Type.String(),
    object: Type.Literal('text_completion'),
    created: Type.Integer(),
    model: Type.String(),
    policy_version: Type.Integer(),
    choices: Type.Array(
      Type.Object({
        index: Type.Integer(),
        text: Type.String(),
        logprobs: Type.Union([
          Type.Object({
            tokens: Type.Array(Type.String()),
            token_logprobs: Type.Array(Type.Number()),
            top_logprobs: Type.Union([
              Type.Array(Type.Object({}, { additionalProperties: Type.Number() })),
              Type.Null(),
            ]),
            text_offset: Type.Array(Type.Integer()),
          }),
          Type.Null(),
        ]),
        finish_reason: FinishReason,
        stop_reason: Type.Union([Type.Integer(), Type.String(), Type.Null()]),
      }),
    ),
    usage: Usage,
  },
  { title: 'CompletionResponse' },
);
export type CompletionResponse = Static<typeof CompletionResponse>;

export const ChatCompletionRequest = Type.Object(
  {
    messages: Type.Array(Type.Object({ role: Type.String({ minLength: 1 }), content: Type.String() }), {
      minItems: 1,
    }),
    ...OpenAISampling,
    max_completion_tokens: Type.Optional(Type.Union([Type.Integer({ minimum: 1 }), Type.Null()])),
    logprobs: Type.Optional(Type.Union([Type.Boolean(), Type.Null()])),
    top_logprobs: Type.Optional(Type.Union([Type.Integer({ minimum: 0, maximum: 1 }), Type.Null()])),
  },
  { title: 'ChatCompletionRequest' },
);
export type ChatCompletionRequest = Static<typeof ChatCompletionRequest>;

const TokenLogprob = Type.Object({
  token: Type.String(),
  logprob: Type.Number(),
  bytes: Type.Array(Type.Integer()),
  top_logprobs: Type.Array(
    Type.Object({ token: Type.String(), logprob: Type.Number(), bytes: Type.Array(Type.Integer()) }),
  ),
});

export const ChatCompletionResponse = Type.Object(
  {
    id: Type.String(),
    object: Type.Literal('chat.completion'),
    created: Type.Integer(),
    model: Type.String(),
    policy_version: Type.Integer(),
    choices: Type.Array(
      Type.Object({
        index: Type.Integer(),
        message: Type.Object({ role: Type.Literal('assistant'), content: Type.String() }),
        logprobs: Type.Union([Type.Object({ content: Type.Array(TokenLogprob) }), Type.Null()]),
        finish_reason: FinishReason,
      }),
    ),
    usage: Usage,
  },
  { title: 'ChatCompletionResponse' },
);
export type ChatCompletionResponse = Static<typeof ChatCompletionResponse>;

/** OpenAI's `GET /v1/models`: the served policy as the one model. */
export const ModelList = Type.Object(
  {
    object: Type.Literal('list'),
    data: Type.Array(
      Type.Object({
        id: Type.String(),
        object: Type.Literal('model'),
        created: Type.Integer(),
        owned_by: Type.String(),
      }),
    ),
  },
  { title: 'ModelList' },
);
export type ModelList = Static<typeof ModelList>;
