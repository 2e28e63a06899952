import { ErrorBody, GetRewardRequest, GetRewardResponse } from '@grpo/contracts';
import type { RewardItem, RewardSpecEntry } from '@grpo/rewards';
import { BEARER_SECURITY, FieldError, type KitApp } from '@grpo/service-kit';
import type { RewardConfig } from '../config.js';
import {
  checkRequestChars,
  LENGTH_MISMATCH,
  NO_DEFAULT_SPEC,
  referenceChars,
  specErrorsAs400,
  tooManyItems,
} from '../errors.js';
import { extractCompletion } from '../openrlhf.js';
import type { ScoreObserver } from '../reward-metrics.js';
import type { RewardScorer } from '../scorer.js';

/** Functions used by /get_reward when the config names none, in this order, those registered. */
export const DEFAULT_GET_REWARD_FNS = ['accuracy', 'format'];

export function getRewardSpec(scorer: RewardScorer, config: Readonly<RewardConfig>): RewardSpecEntry[] {
  if (config.getRewardSpec.length > 0) return config.getRewardSpec.map((s) => ({ ...s }));
  return DEFAULT_GET_REWARD_FNS.filter((n) => scorer.registry.get(n)).map((name) => ({ name }));
}

/** OpenRLHF remote reward model endpoint (`--remote_rm_url http://host:port/get_reward`). */
export function getRewardRoute(
  app: KitApp,
  scorer: RewardScorer,
  config: Readonly<RewardConfig>,
  observer: ScoreObserver,
): void {
  app.post(
    '/get_reward',
    {
      config: { scope: 'score' },
      schema: {
        tags: ['compat'],
        summary: 'OpenRLHF remote reward model',
        description:
          'query[i] is prompt + response; the prompt prefix and the configured special tokens are removed. ' +
          'labels[i] is the reference. The spec is the config getRewardSpec (default: accuracy + format). ' +
          'Costs one rate-limit token per query (API key scope: score).',
        security: BEARER_SECURITY,
        body: GetRewardRequest,
        response: {
          200: GetRewardResponse,
          400: ErrorBody,
          401: ErrorBody,
          403: ErrorBody,
          413: ErrorBody,
          429: ErrorBody,
          500: ErrorBody,
          503: ErrorBody,
        },
      },
    },
    async (request, reply) => {
      const { query, prompts, labels } = request.body;
      if (query.length > config.maxItems) throw tooManyItems('query', query.length, config.maxItems);
      for (const [name, list] of [
        ['prompts', prompts],
        ['labels', labels],
      ] as const) {
        if (list && list.length > 0 && list.length !== query.length) {
          throw new FieldError(
            LENGTH_MISMATCH,
            400,
            name,
            `${name} has ${list.length} entries but query has ${query.length}`,
          );
        }
      }
      let chars = 0;
      for (const q of query) chars += q.length;
      for (const p of prompts ?? []) chars += p.length;
      for (const l of labels ?? []) chars += referenceChars(l);
      checkRequestChars('query', chars, config.maxRequestChars);
      const spec = getRewardSpec(scorer, config);
      if (spec.length === 0) {
        throw new FieldError(
          NO_DEFAULT_SPEC,
          500,
          'getRewardSpec',
          'no reward function for /get_reward is configured',
        );
      }
      app.access.charge(request, reply, query.length);
      observer.request(query.length);
      const items: RewardItem[] = query.map((q, i) => {
        const prompt = prompts?.[i];
        const label = labels?.[i];
        const completion = extractCompletion(q, prompt, config.specialTokens);
        return {
          id: String(i),
          prompt: prompt ?? '',
          completion,
          ...(label !== undefined && label !== null ? { reference: label } : {}),
        };
      });
      const { results } = await specErrorsAs400(scorer.score(items, spec, 'getRewardSpec'));
      const rewards = results.map((r) => r.total);
      const extraLogs: Record<string, number[]> = {};
      spec.forEach((s, j) => {
        extraLogs[s.name] = results.map((r) => r.components[j]!.score);
      });
      return { rewards, scores: rewards, extra_logs: extraLogs };
    },
  );
}
