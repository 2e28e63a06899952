import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loaderArgs, spawnRolloutService } from '../src/quickstart.js';

test('a child service loads modules like its parent: loader flags pass, --eval and --test do not', () => {
  assert.deepEqual(
    loaderArgs([
      '--conditions=source',
      '--import',
      'tsx',
      '--test',
      '--eval',
      'spawn()',
      '-r',
      'hook.cjs',
      '--max-old-space-size=4096',
      '--loader=ts-node/esm',
    ]),
    ['--conditions=source', '--import', 'tsx', '-r', 'hook.cjs', '--loader=ts-node/esm'],
  );
  assert.deepEqual(loaderArgs(['--import']), []);
});

test('the quick-start rollout service runs in a child process with one ORT thread and stops with close()', async () => {
  const rollout = await spawnRolloutService({ GRPO_ROLLOUT_MAX_GROUP_SIZE: '7' });
  let closed = false;
  try {
    assert.match(rollout.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    const health = (await (await fetch(`${rollout.url}/health`)).json()) as { service: string };
    assert.equal(health.service, 'rollout');
    // The env reaches the child's config: a group larger than maxGroupSize is refused there.
    const res = await fetch(`${rollout.url}/v1/rollouts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ prompts: [{ tokenIds: [5, 6] }], groupSize: 8, maxTokens: 2 }),
    });
    assert.equal(res.status, 400);
    assert.equal(((await res.json()) as { error: { field: string } }).error.field, 'groupSize');
    await rollout.close();
    closed = true;
    await assert.rejects(fetch(`${rollout.url}/health`));
  } finally {
    if (!closed) await rollout.close();
  }
});
