import { ErrorBody, RewardsRequest, RewardsResponse } from '@grpo/contracts';
import type { KitApp } from '@grpo/service-kit';
import type { RewardConfig } from '../config.js';
import { specErrorsAs400, tooManyItems } from '../errors.js';
import type { RewardScorer } from '../scorer.js';

export function rewardsRoute(app: KitApp, scorer: RewardScorer, config: Readonly<RewardConfig>): void {
  app.post(
    '/v1/rewards',
    {
      schema: {
        tags: ['rewards'],
        summary: 'Score a batch of completions',
        description:
          'Per item: total = sum(weight * score) over components; components with status error or ' +
          'not_applicable score 0 and add nothing. One failing item or function never fails the batch.',
        body: RewardsRequest,
        response: { 200: RewardsResponse, 400: ErrorBody, 413: ErrorBody, 503: ErrorBody },
      },
    },
    async (request) => {
      const { items, rewards } = request.body;
      if (items.length > config.maxItems) throw tooManyItems('items', items.length, config.maxItems);
      return specErrorsAs400(scorer.score(items, rewards));
    },
  );
}
