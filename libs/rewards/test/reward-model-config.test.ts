import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  closeRewardModels,
  createDefaultRegistry,
  MicroBatcher,
  parseRewardModelTable,
  RewardModelError,
  rewardModelReward,
  rewardModelTableFromEnv,
} from '../src/index.js';

const fails = (text: string, field: string, message: RegExp) =>
  assert.throws(
    () => parseRewardModelTable(text, 'GRPO_REWARD_MODELS', '/srv'),
    (e: unknown) =>
      e instanceof RewardModelError &&
      e.code === 'GRPO_REWARD_MODEL_CONFIG' &&
      e.field === field &&
      message.test(e.message),
  );

test('the short form name=path,name2=path2 resolves relative paths against cwd', () => {
  const t = parseRewardModelTable(' helpful=/models/rm , safety=models/s ', 'GRPO_REWARD_MODELS', '/srv');
  assert.deepEqual(t, { helpful: { path: '/models/rm' }, safety: { path: '/srv/models/s' } });
});

test('the JSON form takes a path or an object with options', () => {
  const t = parseRewardModelTable(
    '{"a": "/m/a", "b": {"path": "/m/b", "paddingSide": "right", "truncationSide": "left", "intraOpNumThreads": 2, "maxBatchTokens": 4096, "batchWaitMs": 0}}',
    'GRPO_REWARD_MODELS',
    '/srv',
  );
  assert.deepEqual(t, {
    a: { path: '/m/a' },
    b: {
      path: '/m/b',
      paddingSide: 'right',
      truncationSide: 'left',
      intraOpNumThreads: 2,
      maxBatchTokens: 4096,
      batchWaitMs: 0,
    },
  });
});

test('an unset or empty env var is an empty table', () => {
  assert.deepEqual(rewardModelTableFromEnv({}), {});
  assert.deepEqual(rewardModelTableFromEnv({ GRPO_REWARD_MODELS: '  ' }), {});
});

test('malformed tables fail with GRPO_REWARD_MODEL_CONFIG naming the field', () => {
  fails('{"a": ', 'GRPO_REWARD_MODELS', /not valid JSON/);
  fails('helpful', 'GRPO_REWARD_MODELS', /expected name=path/);
  fails('a=/x,a=/y', 'GRPO_REWARD_MODELS.a', /listed twice/);
  fails('bad name=/x', 'GRPO_REWARD_MODELS.bad name', /must match/);
  fails('a=', 'GRPO_REWARD_MODELS.a.path', /non-empty folder path/);
  fails('{"a": 3}', 'GRPO_REWARD_MODELS.a', /folder path or an object/);
  fails(
    '{"a": {"path": "/x", "paddingSide": "up"}}',
    'GRPO_REWARD_MODELS.a.paddingSide',
    /"left" or "right"/,
  );
  fails(
    '{"a": {"path": "/x", "maxBatchTokens": 0}}',
    'GRPO_REWARD_MODELS.a.maxBatchTokens',
    /integer in 1\.\./,
  );
  fails('{"a": {"path": "/x", "device": "gpu"}}', 'GRPO_REWARD_MODELS.a.device', /unknown option/);
  fails(
    '{"a": {"path": "/x", "executionProvider": "tpu"}}',
    'GRPO_REWARD_MODELS.a.executionProvider',
    /cpu, cuda or webgpu/,
  );
});

test('the batcher sorts a round by length and respects the smallest batchSize in a batch', async () => {
  const runs: number[][] = [];
  const b = new MicroBatcher(
    async (rows) => {
      runs.push(rows.map((r) => r.length));
      return rows.map((r) => Float32Array.of(r.length));
    },
    { waitMs: 1, maxBatchTokens: 1000 },
  );
  const lens = [5, 1, 9, 3, 7, 2];
  const out = await Promise.all(lens.map((n, i) => b.submit(new Array<number>(n).fill(1), i === 3 ? 2 : 8)));
  assert.deepEqual(
    out.map((o) => o[0]),
    lens,
  );
  // Sorted: 1 2 3(cap 2) 5 7 9 → [1, 2] then [3, 5] (the cap-2 item caps its batch) then [7, 9].
  assert.deepEqual(runs, [
    [1, 2],
    [3, 5],
    [7, 9],
  ]);
});

test('a row that makes its batch fail is rerun alone, so only that item fails', async () => {
  const b = new MicroBatcher(
    async (rows) => {
      if (rows.some((r) => r.includes(99))) throw new Error('index 99 is out of bounds');
      return rows.map((r) => Float32Array.of(r.length));
    },
    { waitMs: 1, maxBatchTokens: 1000 },
  );
  const rs = await Promise.allSettled([b.submit([1, 2], 8), b.submit([99], 8), b.submit([3], 8)]);
  assert.deepEqual(
    rs.map((r) => r.status),
    ['fulfilled', 'rejected', 'fulfilled'],
  );
  assert.deepEqual(rs[0]?.status === 'fulfilled' && rs[0].value, Float32Array.of(2));
  assert.equal(b.stats.rows, 2);
});

test('a failing run rejects every item of its batch and the batcher keeps serving', async () => {
  let fail = true;
  const b = new MicroBatcher(
    async (rows) => {
      if (fail) throw new Error('session.run failed');
      return rows.map(() => Float32Array.of(1));
    },
    { waitMs: 0, maxBatchTokens: 1000 },
  );
  const rs = await Promise.allSettled([b.submit([1], 4), b.submit([1, 2], 4)]);
  assert.deepEqual(
    rs.map((r) => r.status),
    ['rejected', 'rejected'],
  );
  fail = false;
  assert.deepEqual(await b.submit([1], 4), Float32Array.of(1));
});

test('a malformed GRPO_REWARD_MODELS makes each item an error, not a 400 or a crash', async (t) => {
  const saved = process.env.GRPO_REWARD_MODELS;
  process.env.GRPO_REWARD_MODELS = '{"a": ';
  await closeRewardModels();
  t.after(async () => {
    if (saved === undefined) delete process.env.GRPO_REWARD_MODELS;
    else process.env.GRPO_REWARD_MODELS = saved;
    await closeRewardModels();
  });
  const [spec] = createDefaultRegistry().resolve([{ name: 'reward_model', params: { model: 'a' } }]);
  const r = await rewardModelReward.score(
    { id: 'x', prompt: 'p', completion: 'c' },
    spec?.params as never,
    {},
  );
  assert.equal(r.status, 'error');
  assert.equal(r.reason, 'model_config');
  assert.match(r.details?.message as string, /GRPO_REWARD_MODELS is not valid JSON/);
});
