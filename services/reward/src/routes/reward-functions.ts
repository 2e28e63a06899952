import { ErrorBody, RewardFunctionsResponse } from '@grpo/contracts';
import type { RewardRegistry } from '@grpo/rewards';
import { BEARER_SECURITY, type KitApp } from '@grpo/service-kit';

export function rewardFunctionsRoute(app: KitApp, registry: RewardRegistry): void {
  app.get(
    '/v1/reward-functions',
    {
      schema: {
        tags: ['rewards'],
        summary: 'List reward functions with their param schemas',
        description: 'Any known API key may list them (no scope needed, no rate-limit cost).',
        security: BEARER_SECURITY,
        response: { 200: RewardFunctionsResponse, 401: ErrorBody, 503: ErrorBody },
      },
    },
    async () => ({
      functions: registry.list().map((fn) => ({
        name: fn.name,
        description: fn.description,
        kind: fn.kind,
        // JSON round trip drops TypeBox's symbol keys, leaving plain JSON Schema.
        params: JSON.parse(JSON.stringify(fn.params)) as unknown,
      })),
    }),
  );
}
