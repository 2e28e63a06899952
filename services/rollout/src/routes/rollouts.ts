import { ErrorBody, RolloutErrorCodes, RolloutRequest, RolloutResponse } from '@grpo/contracts';
import { FieldError, type KitApp } from '@grpo/service-kit';
import type { RolloutConfig } from '../config.js';
import type { RolloutEngine } from '../engine/types.js';
import { buildGroups, checkPromptCount, ROLLOUT_FIELDS, resolvePrompt } from '../requests.js';
import { resolveTools, type ToolExecutor } from '../tools/index.js';

export function rolloutsRoute(
  app: KitApp,
  engine: RolloutEngine,
  config: Readonly<RolloutConfig>,
  executor: ToolExecutor | null = null,
): void {
  app.post(
    '/v1/rollouts',
    {
      schema: {
        tags: ['rollouts'],
        summary: 'Sample groupSize completions per prompt with per-token logprobs',
        description:
          'Groups of one request all come from one policy version (policyVersion). Prompt i samples ' +
          'completion j from stream j of seed + i, so the same seed gives the same groups however requests are batched.',
        body: RolloutRequest,
        response: { 200: RolloutResponse, 400: ErrorBody, 413: ErrorBody, 502: ErrorBody, 503: ErrorBody },
      },
    },
    async (request) => {
      const b = request.body;
      checkPromptCount(config, b.prompts.length, 'prompts');
      const prompts = b.prompts.map((p, i) => resolvePrompt(engine, config, p, `prompts[${i}]`));
      const tools = b.tools ? resolveTools(b.tools, executor, engine.tokenizer()) : null;
      if (tools && prompts.some((p) => !('tokenIds' in p)))
        throw new FieldError(
          RolloutErrorCodes.noTokenizer,
          400,
          'tools',
          'tool rollouts need a tokenizer: configure model',
        );
      const { groups, seed } = buildGroups(config, prompts, b, ROLLOUT_FIELDS, config.defaultMaxTokens);
      if (tools) for (const g of groups) g.tools = tools;
      const out = await engine.generate(groups);
      return {
        model: out.model,
        policyVersion: out.policyVersion,
        seed,
        groups: groups.map((g, i) => ({
          promptTokenIds: 'tokenIds' in g.prompt ? [...g.prompt.tokenIds] : null,
          seed: g.seed,
          completions: out.completions[i]!,
        })),
        usage: { promptTokens: out.promptTokens, completionTokens: out.generatedTokens },
      };
    },
  );
}
