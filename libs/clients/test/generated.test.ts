import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { REWARD_TYPES_FILE, rewardTypesText } from '../codegen/reward-types.js';

const specFile = new URL('../../../openapi/reward.json', import.meta.url);

test('src/generated/reward.generated.ts matches openapi/reward.json (regenerate with npm run openapi)', async () => {
  const spec = JSON.parse(readFileSync(specFile, 'utf8')) as Record<string, unknown>;
  assert.equal(
    readFileSync(REWARD_TYPES_FILE, 'utf8'),
    await rewardTypesText(spec),
    'the generated reward client types are stale: run `npm run openapi` and commit the result',
  );
});

test('the generated types cover every reward route', () => {
  const text = readFileSync(REWARD_TYPES_FILE, 'utf8');
  for (const route of ['/v1/rewards', '/v1/reward-functions', '/get_reward', '/health', '/ready']) {
    assert.ok(text.includes(`"${route}": {`), route);
  }
});
