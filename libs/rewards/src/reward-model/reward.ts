import { type Static, Type } from '@sinclair/typebox';
import { BAD_PARAMS, RewardSpecError } from '../errors.js';
import type { RewardContext, RewardFunction, RewardItem, RewardResult } from '../types.js';
import { BatchAbortedError } from './batcher.js';
import type { RewardModelError } from './errors.js';
import type { LoadedRewardModel } from './loader.js';
import { type RewardModelSet, rewardModels } from './models.js';

/** Largest `maxTokens` accepted (positions of today's long-context reward models). */
export const MAX_TOKENS_LIMIT = 131_072;
/** Largest `batchSize` accepted. */
export const MAX_BATCH_SIZE = 1024;

export const RewardModelParams = Type.Object(
  {
    model: Type.String({
      default: '',
      maxLength: 64,
      description: 'Name of a configured model (env GRPO_REWARD_MODELS: name → exported folder). Required.',
    }),
    label: Type.Optional(
      Type.Union([Type.Integer({ minimum: 0 }), Type.String({ minLength: 1, maxLength: 256 })], {
        description:
          'Logit scored: an index or a name from config.json id2label. Default: the single logit of a one-label model, else label 1.',
      }),
    ),
    normalize: Type.Union(
      [Type.Literal('none'), Type.Literal('sigmoid'), Type.Literal('softmax'), Type.Literal('zscore')],
      {
        default: 'none',
        description:
          '`none`: the raw logit; `sigmoid`: 1/(1+e^-logit); `softmax`: the label’s probability over all labels; `zscore`: (logit − mean)/std.',
      },
    ),
    mean: Type.Number({
      default: 0,
      description: 'Mean subtracted by `zscore` (e.g. measured on a reference set).',
    }),
    std: Type.Number({
      exclusiveMinimum: 0,
      default: 1,
      description: 'Standard deviation divided by `zscore`.',
    }),
    maxTokens: Type.Integer({
      minimum: 1,
      maximum: MAX_TOKENS_LIMIT,
      default: 1024,
      description: 'Truncation: longer formatted sequences are cut on the model’s truncation side.',
    }),
    batchSize: Type.Integer({
      minimum: 1,
      maximum: MAX_BATCH_SIZE,
      default: 32,
      description:
        'Most items per session.run; concurrent items are sorted by length and batched up to this (also capped by the model’s maxBatchTokens).',
    }),
    format: Type.Union([Type.Literal('chat'), Type.Literal('raw')], {
      default: 'chat',
      description:
        '`chat`: prompt as the user turn and completion as the assistant turn through the model’s chat template; `raw`: prompt + completion as one text (for prompts already rendered), with the tokenizer’s special tokens.',
    }),
    truncationSide: Type.Optional(
      Type.Union([Type.Literal('left'), Type.Literal('right')], {
        description: 'Overrides the model’s truncation side (tokenizer_config.json `truncation_side`).',
      }),
    ),
  },
  { additionalProperties: false },
);
export type RewardModelParams = Static<typeof RewardModelParams>;

/** Token ids of one item as the model sees them, before padding. */
export interface EncodedItem {
  ids: number[];
  /** Length before truncation. */
  fullLength: number;
  truncated: boolean;
}

/** Formats and tokenizes an item, then truncates it to `maxTokens` on the model's (or the given) side. */
export function encodeForRewardModel(
  model: LoadedRewardModel,
  item: Pick<RewardItem, 'prompt' | 'completion'>,
  p: Pick<RewardModelParams, 'maxTokens' | 'format' | 'truncationSide'>,
): EncodedItem {
  const tok = model.tokenizer;
  const full =
    p.format === 'raw' || !tok.chatTemplate
      ? tok.encode(item.prompt + item.completion, { addSpecialTokens: true })
      : tok.encodeChat(
          [
            { role: 'user', content: item.prompt },
            { role: 'assistant', content: item.completion },
          ],
          { addGenerationPrompt: false },
        );
  if (full.length <= p.maxTokens) return { ids: full, fullLength: full.length, truncated: false };
  const side = p.truncationSide ?? model.truncationSide;
  const ids = side === 'left' ? full.slice(full.length - p.maxTokens) : full.slice(0, p.maxTokens);
  return { ids, fullLength: full.length, truncated: true };
}

/** The logit index a `label` param names; null when the model has no such label. */
export function labelIndex(labels: readonly string[], label: number | string | undefined): number | null {
  if (label === undefined) return labels.length === 1 ? 0 : 1;
  if (typeof label === 'number') return label < labels.length ? label : null;
  const i = labels.indexOf(label);
  return i >= 0 ? i : null;
}

/** The score of one logits row under the params' label and normalization. */
export function normalizeLogit(
  logits: Float32Array,
  index: number,
  p: Pick<RewardModelParams, 'normalize' | 'mean' | 'std'>,
): number {
  const x = logits[index] as number;
  switch (p.normalize) {
    case 'none':
      return x;
    case 'sigmoid':
      return 1 / (1 + Math.exp(-x));
    case 'zscore':
      return (x - p.mean) / p.std;
    case 'softmax': {
      let max = Number.NEGATIVE_INFINITY;
      for (const v of logits) max = Math.max(max, v);
      let sum = 0;
      for (const v of logits) sum += Math.exp(v - max);
      return Math.exp(x - max) / sum;
    }
  }
}

const fail = (reason: string, message: string, details: Record<string, unknown> = {}): RewardResult => ({
  score: 0,
  status: 'error',
  reason,
  details: { message, ...details },
});

/** Scores one item on a model set (the process-wide one by default). Never throws. */
export async function scoreRewardModel(
  item: RewardItem,
  p: RewardModelParams,
  ctx: RewardContext = {},
  set?: RewardModelSet,
): Promise<RewardResult> {
  let models: RewardModelSet;
  try {
    models = set ?? rewardModels();
  } catch (e) {
    return fail('model_config', (e as Error).message);
  }
  if (!models.has(p.model)) return fail('model_not_found', models.notFound(p.model).message);
  let served: Awaited<ReturnType<RewardModelSet['get']>>;
  try {
    served = await models.get(p.model);
  } catch (e) {
    const err = e as RewardModelError;
    return fail('model_load', err.message, { code: err.code, field: err.field });
  }
  const { model, batcher } = served;
  const index = labelIndex(model.labels, p.label);
  if (index === null)
    return fail(
      'bad_label',
      `label ${JSON.stringify(p.label)} is not one of ${model.labels.map((l, i) => `${i}:${l}`).join(', ')}`,
    );
  let enc: EncodedItem;
  try {
    enc = encodeForRewardModel(model, item, p);
  } catch (e) {
    return fail('tokenization', (e as Error).message);
  }
  if (enc.ids.length === 0)
    return { score: 0, status: 'unparseable', reason: 'empty', details: { tokens: 0 } };
  let logits: Float32Array;
  try {
    logits = await batcher.submit(enc.ids, p.batchSize, ctx.signal);
  } catch (e) {
    if (e instanceof BatchAbortedError) return fail('aborted', e.message);
    return fail('inference', (e as Error).message);
  }
  if (index >= logits.length)
    return fail('bad_label', `label index ${index} is past the model's ${logits.length} logits`);
  const logit = logits[index] as number;
  const score = normalizeLogit(logits, index, p);
  if (!Number.isFinite(score)) return fail('inference', `the model returned a non-finite score (${logit})`);
  return {
    score,
    status: 'ok',
    details: {
      logit,
      label: model.labels[index] ?? `LABEL_${index}`,
      tokens: enc.ids.length,
      // A last-token-pooling export finds the end of a row by the pad id, so a pad token inside
      // the text can make it read the wrong position.
      ...(enc.ids.includes(model.padTokenId) ? { warning: 'pad_token_in_text' } : {}),
      ...(enc.truncated ? { truncated: true, fullTokens: enc.fullLength } : {}),
    },
  };
}

/** The `reward_model` reward function. */
export const rewardModelReward: RewardFunction<RewardModelParams> = {
  name: 'reward_model',
  description:
    'Scores prompt + completion with a sequence-classification reward model exported to ONNX (optimum-cli export onnx ' +
    '--task text-classification: model.onnx, config.json, tokenizer.json, tokenizer_config.json), loaded from a folder ' +
    'configured by name (env GRPO_REWARD_MODELS). The pair is formatted with the model’s chat template, tokenized, ' +
    'truncated to maxTokens and scored in length-sorted micro-batches on onnxruntime-node. Score: the chosen label’s ' +
    'logit, optionally normalized (sigmoid, softmax, zscore). Errors: model_not_found, model_config, model_load, ' +
    'bad_label, tokenization, inference, aborted.',
  params: RewardModelParams,
  kind: 'async',
  validate(p) {
    if (p.model === '')
      throw new RewardSpecError(
        BAD_PARAMS,
        'params.model',
        'params.model is required: the name of a configured reward model',
      );
    let models: RewardModelSet;
    try {
      models = rewardModels();
    } catch {
      // A malformed GRPO_REWARD_MODELS is the server's fault: each item reports it, not a 400.
      return;
    }
    if (!models.has(p.model)) {
      const err = models.notFound(p.model);
      throw new RewardSpecError(err.code, 'params.model', err.message);
    }
  },
  score: (item, params, ctx) => scoreRewardModel(item, params, ctx),
};
