import { randomUUID } from 'node:crypto';
import {
  ChatCompletionRequest,
  ChatCompletionResponse,
  CompletionRequest,
  CompletionResponse,
  RolloutErrorCodes as E,
  ErrorBody,
  ModelList,
} from '@grpo/contracts';
import { FieldError, type KitApp } from '@grpo/service-kit';
import type { RolloutConfig } from '../config.js';
import type { EnginePrompt, RolloutEngine, SampledCompletion } from '../engine/types.js';
import {
  buildGroups,
  checkPromptCount,
  checkPromptIds,
  modelErrorsAs400,
  type SamplingInput,
} from '../requests.js';

/** OpenAI's default max_tokens of the legacy completions API. */
const OPENAI_DEFAULT_MAX_TOKENS = 16;

const FIELDS = { prompts: 'prompt', groupSize: 'n', maxTokens: 'max_tokens', stop: 'stop' };

interface OpenAISampling {
  n?: number;
  max_tokens?: number | null;
  temperature?: number | null;
  top_p?: number | null;
  top_k?: number;
  stop?: string | string[] | null;
  seed?: number | null;
  stream?: boolean | null;
}

function sampling(b: OpenAISampling, maxTokens: number | null | undefined): SamplingInput {
  if (b.stream)
    throw new FieldError(E.unsupported, 400, 'stream', 'streaming is not supported; send stream: false');
  return {
    groupSize: b.n,
    maxTokens: maxTokens ?? undefined,
    temperature: b.temperature ?? undefined,
    topP: b.top_p ?? undefined,
    topK: b.top_k,
    stop: b.stop == null ? undefined : typeof b.stop === 'string' ? [b.stop] : b.stop,
    seed: b.seed ?? undefined,
  };
}

/** The prompt forms of the legacy API: a string, strings, token ids, or lists of token ids. */
function completionPrompts(
  engine: RolloutEngine,
  config: Readonly<RolloutConfig>,
  prompt: CompletionRequest['prompt'],
): EnginePrompt[] {
  const list: (string | number[])[] =
    typeof prompt === 'string'
      ? [prompt]
      : prompt.length > 0 && typeof prompt[0] === 'number'
        ? [prompt as number[]]
        : (prompt as (string | number[])[]);
  checkPromptCount(config, list.length, 'prompt');
  const tok = engine.tokenizer();
  return list.map((p, i) => {
    const field = typeof prompt === 'string' || typeof prompt[0] === 'number' ? 'prompt' : `prompt[${i}]`;
    if (typeof p === 'string') {
      if (p.length === 0) throw new FieldError(E.badPrompt, 400, field, 'the prompt is empty');
      if (!tok) return { text: p };
      const ids = modelErrorsAs400(field, E.badPrompt, () => tok.encode(p));
      checkPromptIds(engine, config, ids, field);
      return { tokenIds: ids };
    }
    checkPromptIds(engine, config, p, field);
    return { tokenIds: p };
  });
}

/** Token strings for the logprobs: vLLM's `token_id:<n>` form, or each id decoded alone. */
function tokenStrings(engine: RolloutEngine, c: SampledCompletion, asIds: boolean): string[] {
  const tok = engine.tokenizer();
  return c.tokenIds.map((id) => (asIds || !tok ? `token_id:${id}` : tok.decode([id])));
}

function usage(promptTokens: number, completionTokens: number) {
  return {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
  };
}

export function openAIRoutes(app: KitApp, engine: RolloutEngine, config: Readonly<RolloutConfig>): void {
  const started = Math.floor(Date.now() / 1000);
  app.get(
    '/v1/models',
    {
      schema: {
        tags: ['openai'],
        summary:
          'OpenAI-compatible model list: the served policy (any model name is accepted by the other routes)',
        response: { 200: ModelList },
      },
    },
    async () => ({
      object: 'list' as const,
      data: [{ id: engine.policyInfo().model, object: 'model' as const, created: started, owned_by: 'grpo' }],
    }),
  );

  app.post(
    '/v1/completions',
    {
      schema: {
        tags: ['openai'],
        summary:
          'OpenAI-compatible completions (legacy), with vLLM extensions top_k and return_tokens_as_token_ids',
        description:
          'Choices are ordered prompt by prompt (index = promptIndex * n + j). logprobs (0 or 1) returns the ' +
          'sampled token logprobs in token_logprobs; top_logprobs holds only the sampled token. Prompt i uses seed + i.',
        body: CompletionRequest,
        response: { 200: CompletionResponse, 400: ErrorBody, 413: ErrorBody, 502: ErrorBody, 503: ErrorBody },
      },
    },
    async (request) => {
      const b = request.body;
      if (b.echo) throw new FieldError(E.unsupported, 400, 'echo', 'echo is not supported; send echo: false');
      const prompts = completionPrompts(engine, config, b.prompt);
      const { groups } = buildGroups(
        config,
        prompts,
        sampling(b, b.max_tokens),
        FIELDS,
        OPENAI_DEFAULT_MAX_TOKENS,
      );
      const out = await engine.generate(groups);
      const asIds = b.return_tokens_as_token_ids === true;
      const withLogprobs = b.logprobs != null;
      const choices = out.completions.flatMap((group, i) =>
        group.map((c, j) => {
          let logprobs = null;
          if (withLogprobs) {
            const tokens = tokenStrings(engine, c, asIds);
            const offsets: number[] = [];
            let at = 0;
            for (const t of tokens) {
              offsets.push(at);
              at += t.length;
            }
            logprobs = {
              tokens,
              token_logprobs: c.logprobs,
              top_logprobs: b.logprobs ? tokens.map((t, k) => ({ [t]: c.logprobs[k]! })) : null,
              text_offset: offsets,
            };
          }
          return {
            index: i * groups[i]!.groupSize + j,
            text: c.text,
            logprobs,
            finish_reason: c.finishReason,
            stop_reason: c.stopReason,
          };
        }),
      );
      return {
        id: `cmpl-${randomUUID()}`,
        object: 'text_completion' as const,
        created: Math.floor(Date.now() / 1000),
        model: out.model,
        policy_version: out.policyVersion,
        choices,
        usage: usage(out.promptTokens, out.generatedTokens),
      };
    },
  );

  app.post(
    '/v1/chat/completions',
    {
      schema: {
        tags: ['openai'],
        summary: "OpenAI-compatible chat completions; messages are rendered with the model's chat template",
        description:
          'logprobs: true returns logprobs.content (the sampled tokens; top_logprobs holds at most the sampled token).',
        body: ChatCompletionRequest,
        response: {
          200: ChatCompletionResponse,
          400: ErrorBody,
          413: ErrorBody,
          502: ErrorBody,
          503: ErrorBody,
        },
      },
    },
    async (request) => {
      const b = request.body;
      const tok = engine.tokenizer();
      if (!tok)
        throw new FieldError(
          E.noTokenizer,
          400,
          'messages',
          'chat prompts need a tokenizer: configure model',
        );
      const ids = modelErrorsAs400('messages', E.badPrompt, () => tok.encodeChat(b.messages));
      checkPromptIds(engine, config, ids, 'messages');
      const { groups } = buildGroups(
        config,
        [{ tokenIds: ids }],
        sampling(b, b.max_completion_tokens ?? b.max_tokens),
        {
          ...FIELDS,
          prompts: 'messages',
          maxTokens: b.max_completion_tokens != null ? 'max_completion_tokens' : 'max_tokens',
        },
        config.defaultMaxTokens,
      );
      const out = await engine.generate(groups);
      const top = (b.top_logprobs ?? 0) > 0;
      const choices = out.completions[0]!.map((c, j) => ({
        index: j,
        message: { role: 'assistant' as const, content: c.text },
        logprobs: b.logprobs
          ? {
              content: tokenStrings(engine, c, false).map((token, k) => {
                const entry = { token, logprob: c.logprobs[k]!, bytes: [...Buffer.from(token, 'utf8')] };
                return { ...entry, top_logprobs: top ? [entry] : [] };
              }),
            }
          : null,
        finish_reason: c.finishReason,
      }));
      return {
        id: `chatcmpl-${randomUUID()}`,
        object: 'chat.completion' as const,
        created: Math.floor(Date.now() / 1000),
        model: out.model,
        policy_version: out.policyVersion,
        choices,
        usage: usage(out.promptTokens, out.generatedTokens),
      };
    },
  );
}
