import { ErrorBody, RewardsRequest, RewardsResponse } from '@grpo/contracts';
import { BEARER_SECURITY, type KitApp } from '@grpo/service-kit';
import type { RewardConfig } from '../config.js';
import { checkRequestChars, referenceChars, specErrorsAs400, tooManyItems } from '../errors.js';
import type { ScoreObserver } from '../reward-metrics.js';
import type { RewardScorer } from '../scorer.js';

export function rewardsRoute(
  app: KitApp,
  scorer: RewardScorer,
  config: Readonly<RewardConfig>,
  observer: ScoreObserver,
): void {
  app.post(
    '/v1/rewards',
    {
      config: { scope: 'score' },
      schema: {
        tags: ['rewards'],
        summary: 'Score a batch of completions',
        description:
          'Per item: total = sum(weight * score) over components; components with status error or ' +
          'not_applicable score 0 and add nothing. One failing item or function never fails the batch. ' +
          'Costs one rate-limit token per item (API key scope: score).',
        security: BEARER_SECURITY,
        body: RewardsRequest,
        response: {
          200: RewardsResponse,
          400: ErrorBody,
          401: ErrorBody,
          403: ErrorBody,
          413: ErrorBody,
          429: ErrorBody,
          503: ErrorBody,
        },
      },
    },
    async (request, reply) => {
      const { items, rewards } = request.body;
      if (items.length > config.maxItems) throw tooManyItems('items', items.length, config.maxItems);
      let chars = 0;
      for (const it of items) chars += it.prompt.length + it.completion.length + referenceChars(it.reference);
      checkRequestChars('items', chars, config.maxRequestChars);
      app.access.charge(request, reply, items.length);
      observer.request(items.length);
      return specErrorsAs400(scorer.score(items, rewards));
    },
  );
}
