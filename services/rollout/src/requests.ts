import { randomInt } from 'node:crypto';
import { RolloutErrorCodes as E, type RolloutPrompt } from '@grpo/contracts';
import { ModelError } from '@grpo/model';
import { FieldError } from '@grpo/service-kit';
import type { RolloutConfig } from './config.js';
import type { EngineGroup, EnginePrompt, RolloutEngine } from './engine/types.js';

/** Sampling settings of one request, in our names, before limits are checked. */
export interface SamplingInput {
  groupSize?: number;
  temperature?: number;
  topP?: number;
  topK?: number;
  maxTokens?: number;
  stop?: readonly string[];
  seed?: number;
}

/** Field names of the request dialect, for error messages (`groupSize` vs OpenAI's `n`). */
export interface FieldNames {
  prompts: string;
  groupSize: string;
  maxTokens: string;
  stop: string;
}

export const ROLLOUT_FIELDS: FieldNames = {
  prompts: 'prompts',
  groupSize: 'groupSize',
  maxTokens: 'maxTokens',
  stop: 'stop',
};

/** Runs `fn`, turning libs/model input errors into 400s that keep the field. */
export function modelErrorsAs400<T>(field: string, code: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof ModelError) throw new FieldError(code, 400, field, err.message);
    throw err;
  }
}

/** Prompts per request; checked before anything is tokenised. */
export function checkPromptCount(config: Readonly<RolloutConfig>, count: number, field: string): void {
  if (count > config.maxPrompts)
    throw new FieldError(E.limit, 400, field, `${count} prompts exceed maxPrompts ${config.maxPrompts}`);
}

/** Checks a token-id prompt against the limits and the model. */
export function checkPromptIds(
  engine: RolloutEngine,
  config: Readonly<RolloutConfig>,
  ids: readonly number[],
  field: string,
): void {
  if (ids.length === 0) throw new FieldError(E.badPrompt, 400, field, 'the prompt encodes to no tokens');
  if (ids.length > config.maxPromptTokens)
    throw new FieldError(
      E.limit,
      400,
      field,
      `prompt of ${ids.length} tokens exceeds maxPromptTokens ${config.maxPromptTokens}`,
    );
  const max = engine.maxPositions();
  if (max !== null && ids.length >= max)
    throw new FieldError(
      E.limit,
      400,
      field,
      `prompt of ${ids.length} tokens leaves no room under the model's ${max} positions`,
    );
  const vocab = engine.vocabSize();
  if (vocab !== null) {
    const bad = ids.findIndex((id) => !Number.isInteger(id) || id < 0 || id >= vocab);
    if (bad >= 0)
      throw new FieldError(
        E.badPrompt,
        400,
        `${field}[${bad}]`,
        `token id ${ids[bad]} is outside [0, ${vocab})`,
      );
  }
}

/** One rollout prompt (text, chat messages or token ids) as the engine takes it. */
export function resolvePrompt(
  engine: RolloutEngine,
  config: Readonly<RolloutConfig>,
  p: RolloutPrompt,
  field: string,
): EnginePrompt {
  const given = (['text', 'messages', 'tokenIds'] as const).filter((k) => p[k] !== undefined);
  if (given.length !== 1)
    throw new FieldError(
      E.badPrompt,
      400,
      field,
      `a prompt needs exactly one of text, messages, tokenIds; got ${given.length ? given.join(', ') : 'none'}`,
    );
  const tok = engine.tokenizer();
  let ids: readonly number[];
  if (p.tokenIds !== undefined) ids = p.tokenIds;
  else if (p.messages !== undefined) {
    if (!tok)
      throw new FieldError(
        E.noTokenizer,
        400,
        `${field}.messages`,
        'chat prompts need a tokenizer: configure model',
      );
    const messages = p.messages;
    ids = modelErrorsAs400(`${field}.messages`, E.badPrompt, () => tok.encodeChat(messages));
  } else {
    const text = p.text!;
    if (!tok) return { text };
    ids = modelErrorsAs400(`${field}.text`, E.badPrompt, () => tok.encode(text));
  }
  checkPromptIds(engine, config, ids, p.tokenIds !== undefined ? `${field}.tokenIds` : field);
  return { tokenIds: ids };
}

/**
 * Checks the per-request limits and builds the engine groups; prompt i gets seed `seed + i`, so
 * a group samples the same completions whether it runs alone, batched with others or upstream.
 */
export function buildGroups(
  config: Readonly<RolloutConfig>,
  prompts: readonly EnginePrompt[],
  s: SamplingInput,
  names: FieldNames,
  defaultMaxTokens: number,
): { groups: EngineGroup[]; seed: number } {
  checkPromptCount(config, prompts.length, names.prompts);
  const groupSize = s.groupSize ?? 1;
  if (groupSize > config.maxGroupSize)
    throw new FieldError(
      E.limit,
      400,
      names.groupSize,
      `${names.groupSize} ${groupSize} exceeds maxGroupSize ${config.maxGroupSize}`,
    );
  const maxTokens = s.maxTokens ?? Math.min(defaultMaxTokens, config.maxNewTokens);
  if (maxTokens > config.maxNewTokens)
    throw new FieldError(
      E.limit,
      400,
      names.maxTokens,
      `${names.maxTokens} ${maxTokens} exceeds maxNewTokens ${config.maxNewTokens}`,
    );
  const seed = s.seed ?? randomInt(0, 2 ** 31);
  const sampling = {
    temperature: s.temperature ?? 1,
    ...(s.topP !== undefined ? { topP: s.topP } : {}),
    ...(s.topK !== undefined ? { topK: s.topK } : {}),
  };
  const stop = s.stop ?? [];
  return {
    seed,
    groups: prompts.map((prompt, i) => ({ prompt, groupSize, sampling, maxTokens, stop, seed: seed + i })),
  };
}
