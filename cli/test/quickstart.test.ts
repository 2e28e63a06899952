import assert from 'node:assert/strict';
import { test } from 'node:test';
import { QUICKSTART_MIN_SFT_ACCURACY, quickstartRecipe } from '@grpo/trainer-service';
import { checkLine, gateAdvice, loaderArgs, spawnRolloutService } from '../src/quickstart.js';

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

test('below the SFT gate the quick-start says what happened and what to do, with the run seed and its paths', () => {
  const text = gateAdvice(
    {
      runDir: '/r/run-1',
      checkpoints: [{ stage: 0, name: 'sft', step: 800, path: '/r/run-1/checkpoints/sft' }],
      evals: [
        {
          stage: 1,
          name: 'eval-sft',
          step: 800,
          split: 'eval',
          count: 400,
          accuracy: 0.0025,
          rewardMean: 0.4,
          rewards: {},
          completionLengthMean: 180,
          time: '',
        },
      ],
    },
    2,
    800,
  );
  assert.match(
    text,
    /ended at 0\.3% held-out accuracy, below the quick-start's 10% gate,\nso GRPO was not started/,
  );
  assert.match(text, /another seed: +npm start -- --seed 3\n/);
  assert.match(text, /a longer SFT stage: +npm start -- --seed 2 --sft-steps 1600 /);
  assert.match(text, /grpo serve rollout --model \/r\/run-1\/checkpoints\/sft\n$/);
});

test('the quick-start recipe gates GRPO on the SFT eval and takes the seed and SFT steps it is given', () => {
  const r = quickstartRecipe({ rolloutUrl: 'http://a', rewardUrl: 'http://b', seed: 4, sftSteps: 1000 });
  assert.equal(r.seed, 4);
  assert.equal(r.stages[0]?.steps, 1000);
  assert.equal(r.stages[1]?.name, 'eval-sft');
  assert.equal(r.stages[1]?.minAccuracy, QUICKSTART_MIN_SFT_ACCURACY);
  assert.equal(quickstartRecipe({ rolloutUrl: 'http://a', rewardUrl: 'http://b' }).seed, 1);
});

test('the SFT checks print on one line and stay out of the held-out table', () => {
  const rec = (name: string, step: number, accuracy: number, split = 'rl') => ({
    stage: 0,
    name,
    step,
    split,
    count: 100,
    accuracy,
    rewardMean: accuracy,
    rewards: {},
    completionLengthMean: 90,
    time: '',
  });
  assert.equal(
    checkLine([rec('sft-check', 500, 0.02), rec('sft-check', 550, 0.31), rec('eval-sft', 550, 0.3, 'eval')]),
    '\nsft checks on 100 rl problems: 2.0% @500, 31.0% @550\n',
  );
  assert.equal(checkLine([rec('eval-sft', 800, 0.3, 'eval')]), '');
});
