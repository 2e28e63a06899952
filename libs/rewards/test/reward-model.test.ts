import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { Graph } from '@grpo/graph';
import { HfTokenizer } from '@grpo/model';
import { createSession, type OnnxSession, tensor } from '@grpo/onnx';
import { Value } from '@sinclair/typebox/value';
import { FIXTURE_DIR, writeRewardModelFolder } from '../scripts/make-reward-model.js';
import {
  closeRewardModels,
  configureRewardModels,
  createDefaultRegistry,
  type RewardItem,
  RewardModelParams,
  RewardModelSet,
  RewardSpecError,
  rewardModelReward,
  scoreRewardModel,
  toRewardModelTable,
} from '../src/index.js';

after(() => closeRewardModels());

const params = (p: Partial<RewardModelParams> = {}) =>
  Value.Default(RewardModelParams, structuredClone({ model: 'tiny', ...p })) as RewardModelParams;
const item = (prompt: string, completion: string, id = 'i'): RewardItem => ({ id, prompt, completion });
const setOf = (entry: Record<string, unknown> = {}) =>
  new RewardModelSet(toRewardModelTable({ tiny: { path: FIXTURE_DIR, batchWaitMs: 5, ...entry } }));

/** Prompts and completions of very different lengths, so batches need padding. */
const ITEMS: RewardItem[] = [
  item('What is 2+3?', '<think>2 plus 3</think><answer>5</answer>', 'a'),
  item('Hi', '', 'b'),
  item('Explain gradient descent in detail.', 'It follows the negative gradient. '.repeat(12), 'c'),
  item('?', 'x', 'd'),
  item('Name a prime.', '7', 'e'),
  item('Count to ten.', '1 2 3 4 5 6 7 8 9 10', 'f'),
  item(
    'Write a haiku about rain.',
    'soft rain on the roof\nthe gutters hum a low tune\nsleep comes, then the sun',
    'g',
  ),
];

let direct: { session: OnnxSession; tok: HfTokenizer } | undefined;
/** The label-1 logit of one item from a direct ORT run of model.onnx on the item's own ids (batch of 1, no padding). */
async function directLogits(prompt: string, completion: string, maxTokens = Number.POSITIVE_INFINITY) {
  if (!direct) {
    const bytes = await fs.readFile(path.join(FIXTURE_DIR, 'model.onnx'));
    direct = {
      session: await createSession(bytes, { intraOpNumThreads: 1 }),
      tok: await HfTokenizer.fromFolder(FIXTURE_DIR),
    };
  }
  const text = `<|im_start|>user\n${prompt}<|im_end|>\n<|im_start|>assistant\n${completion}<|im_end|>\n`;
  const ids = direct.tok.encode(text).slice(0, maxTokens);
  const n = ids.length;
  const out = await direct.session.run({
    input_ids: tensor('int64', ids, [1, n]),
    attention_mask: tensor('int64', new Array<number>(n).fill(1), [1, n]),
  });
  return { logits: out.logits?.data as Float32Array, tokens: n };
}
after(() => direct?.session.release());

test('scores of a batch mixing lengths equal a direct ORT run of model.onnx on the same ids (1e-5)', async (t) => {
  const models = setOf();
  t.after(() => models.close());
  const results = await Promise.all(ITEMS.map((it) => scoreRewardModel(it, params(), {}, models)));
  const { batcher } = await models.get('tiny');
  assert.equal(batcher.stats.rows, ITEMS.length);
  assert.ok(batcher.stats.batches < ITEMS.length, `expected batching, got ${batcher.stats.batches} runs`);
  assert.ok(batcher.stats.paddedTokens > batcher.stats.tokens, 'the batch needed padding');
  for (const [i, r] of results.entries()) {
    const it = ITEMS[i] as RewardItem;
    const want = await directLogits(it.prompt, it.completion);
    assert.equal(r.status, 'ok', JSON.stringify(r));
    assert.equal(r.details?.tokens, want.tokens);
    assert.equal(r.details?.label, 'positive');
    assert.ok(
      Math.abs(r.score - (want.logits[1] as number)) <= 1e-5,
      `${it.id}: ${r.score} vs ${want.logits[1]}`,
    );
  }
});

test('right padding gives the same scores as the fixture’s left padding', async (t) => {
  const left = setOf();
  const right = setOf({ paddingSide: 'right' });
  t.after(() => Promise.all([left.close(), right.close()]));
  const a = await Promise.all(ITEMS.map((it) => scoreRewardModel(it, params(), {}, left)));
  const b = await Promise.all(ITEMS.map((it) => scoreRewardModel(it, params(), {}, right)));
  assert.equal((await left.get('tiny')).model.paddingSide, 'left');
  assert.equal((await right.get('tiny')).model.paddingSide, 'right');
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i]!.score - b[i]!.score) <= 1e-5);
});

test('a sequence longer than maxTokens is cut on the right and scored as the direct run of its first maxTokens ids', async (t) => {
  const models = setOf();
  t.after(() => models.close());
  const it = ITEMS[2] as RewardItem;
  const r = await scoreRewardModel(it, params({ maxTokens: 40 }), {}, models);
  const want = await directLogits(it.prompt, it.completion, 40);
  assert.equal(r.status, 'ok');
  assert.equal(r.details?.tokens, 40);
  assert.equal(r.details?.truncated, true);
  assert.ok((r.details?.fullTokens as number) > 40);
  assert.ok(Math.abs(r.score - (want.logits[1] as number)) <= 1e-5);
  const full = await scoreRewardModel(it, params(), {}, models);
  assert.notEqual(full.score, r.score);
});

test('left truncation keeps the last maxTokens ids', async (t) => {
  const models = setOf();
  t.after(() => models.close());
  const it = ITEMS[2] as RewardItem;
  const tok = await HfTokenizer.fromFolder(FIXTURE_DIR);
  const ids = tok.encodeChat(
    [
      { role: 'user', content: it.prompt },
      { role: 'assistant', content: it.completion },
    ],
    { addGenerationPrompt: false },
  );
  const tail = ids.slice(-30);
  const { model } = await models.get('tiny');
  const [logits] = await model.run([tail]);
  const r = await scoreRewardModel(it, params({ maxTokens: 30, truncationSide: 'left' }), {}, models);
  assert.equal(r.details?.tokens, 30);
  assert.ok(Math.abs(r.score - (logits?.[1] as number)) <= 1e-6);
});

test('batchSize 1 runs one session.run per item and gives the same scores', async (t) => {
  const models = setOf();
  t.after(() => models.close());
  const batched = await Promise.all(ITEMS.map((it) => scoreRewardModel(it, params(), {}, models)));
  const before = (await models.get('tiny')).batcher.stats.batches;
  const single = await Promise.all(
    ITEMS.map((it) => scoreRewardModel(it, params({ batchSize: 1 }), {}, models)),
  );
  assert.equal((await models.get('tiny')).batcher.stats.batches - before, ITEMS.length);
  for (let i = 0; i < ITEMS.length; i++) assert.ok(Math.abs(batched[i]!.score - single[i]!.score) <= 1e-5);
});

test('maxBatchTokens splits a round into batches under the token cap', async (t) => {
  const models = setOf({ maxBatchTokens: 200 });
  t.after(() => models.close());
  const rs = await Promise.all(ITEMS.map((it) => scoreRewardModel(it, params(), {}, models)));
  const { batcher } = await models.get('tiny');
  assert.ok(rs.every((r) => r.status === 'ok'));
  assert.ok(batcher.stats.batches >= 3, `got ${batcher.stats.batches} batches`);
});

test('label by name or index and the normalizations transform the same logits', async (t) => {
  const models = setOf();
  t.after(() => models.close());
  const it = ITEMS[0] as RewardItem;
  const { logits } = await directLogits(it.prompt, it.completion);
  const [l0, l1] = [logits[0] as number, logits[1] as number];
  const s = async (p: Partial<RewardModelParams>) =>
    (await scoreRewardModel(it, params(p), {}, models)).score;
  const close = (a: number, b: number) => assert.ok(Math.abs(a - b) <= 1e-5, `${a} vs ${b}`);
  close(await s({ label: 'negative' }), l0);
  close(await s({ label: 0 }), l0);
  close(await s({ label: 1 }), l1);
  close(await s({ normalize: 'sigmoid' }), 1 / (1 + Math.exp(-l1)));
  close(await s({ normalize: 'softmax' }), Math.exp(l1) / (Math.exp(l0) + Math.exp(l1)));
  close(await s({ normalize: 'zscore', mean: 0.5, std: 2 }), (l1 - 0.5) / 2);
});

test('a label the model does not have is an error listing its labels', async (t) => {
  const models = setOf();
  t.after(() => models.close());
  const r = await scoreRewardModel(ITEMS[0] as RewardItem, params({ label: 'helpful' }), {}, models);
  assert.equal(r.status, 'error');
  assert.equal(r.reason, 'bad_label');
  assert.match(r.details?.message as string, /0:negative, 1:positive/);
  const r2 = await scoreRewardModel(ITEMS[0] as RewardItem, params({ label: 2 }), {}, models);
  assert.equal(r2.reason, 'bad_label');
});

test('an unknown model name is an error listing the configured names', async (t) => {
  const models = new RewardModelSet(toRewardModelTable({ tiny: FIXTURE_DIR, other: FIXTURE_DIR }));
  t.after(() => models.close());
  const r = await scoreRewardModel(ITEMS[0] as RewardItem, params({ model: 'helpful' }), {}, models);
  assert.equal(r.status, 'error');
  assert.equal(r.score, 0);
  assert.equal(r.reason, 'model_not_found');
  assert.match(r.details?.message as string, /unknown reward model "helpful"; configured: other, tiny/);
});

test('the registry rejects an unknown or missing model name once per request, naming the field', async () => {
  await configureRewardModels({ tiny: FIXTURE_DIR });
  const registry = createDefaultRegistry();
  assert.throws(
    () => registry.resolve([{ name: 'format' }, { name: 'reward_model', params: { model: 'nope' } }]),
    (e: unknown) =>
      e instanceof RewardSpecError &&
      e.code === 'GRPO_REWARD_MODEL_NOT_FOUND' &&
      e.field === 'rewards[1].params.model' &&
      /configured: tiny/.test(e.message),
  );
  assert.throws(
    () => registry.resolve([{ name: 'reward_model' }]),
    (e: unknown) => e instanceof RewardSpecError && e.field === 'rewards[0].params.model',
  );
  assert.throws(
    () => registry.resolve([{ name: 'reward_model', params: { model: 'tiny', std: 0 } }]),
    (e: unknown) => e instanceof RewardSpecError && e.field === 'rewards[0].params.std',
  );
  const [spec] = registry.resolve([{ name: 'reward_model', params: { model: 'tiny' } }]);
  assert.equal(spec?.params.maxTokens, 1024);
});

test('the registered function scores through the process-wide model table', async () => {
  await configureRewardModels({ tiny: FIXTURE_DIR });
  const it = ITEMS[4] as RewardItem;
  const r = await rewardModelReward.score(it, params(), {});
  const want = await directLogits(it.prompt, it.completion);
  assert.equal(r.status, 'ok');
  assert.ok(Math.abs(r.score - (want.logits[1] as number)) <= 1e-5);
});

test('a folder that cannot be loaded is an item error with the file named, and is retried on the next call', async (t) => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'grpo-rm-'));
  t.after(() => fs.rm(dir, { recursive: true, force: true }));
  const models = new RewardModelSet(toRewardModelTable({ broken: dir }));
  t.after(() => models.close());
  const r = await scoreRewardModel(ITEMS[0] as RewardItem, params({ model: 'broken' }), {}, models);
  assert.equal(r.status, 'error');
  assert.equal(r.reason, 'model_load');
  assert.equal(r.details?.code, 'GRPO_REWARD_MODEL_BAD_FOLDER');
  assert.match(r.details?.message as string, /config\.json/);
  await writeRewardModelFolder(dir);
  const ok = await scoreRewardModel(ITEMS[0] as RewardItem, params({ model: 'broken' }), {}, models);
  assert.equal(ok.status, 'ok');
});

test('an item whose signal fired before its batch ran is an error, not a score', async (t) => {
  const models = setOf();
  t.after(() => models.close());
  const ctrl = new AbortController();
  const pending = scoreRewardModel(ITEMS[0] as RewardItem, params(), { signal: ctrl.signal }, models);
  // The item is still waiting for its model to load when the signal fires, so it never joins a batch.
  ctrl.abort();
  const r = await pending;
  assert.equal(r.status, 'error');
  assert.equal(r.reason, 'aborted');
});

test('the committed fixture is exactly what the generator script writes', async (t) => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'grpo-rm-'));
  t.after(() => fs.rm(dir, { recursive: true, force: true }));
  const names = await writeRewardModelFolder(dir);
  assert.deepEqual(names.sort(), ['config.json', 'model.onnx', 'tokenizer.json', 'tokenizer_config.json']);
  for (const n of names) {
    const [a, b] = await Promise.all([
      fs.readFile(path.join(dir, n)),
      fs.readFile(path.join(FIXTURE_DIR, n)),
    ]);
    assert.ok(a.equals(b), `${n} differs from the committed fixture; rerun scripts/make-reward-model.ts`);
  }
});

test('a pad token inside the text is flagged, since last-token pooling finds row ends by the pad id', async (t) => {
  const models = setOf();
  t.after(() => models.close());
  const r = await scoreRewardModel(item('Hi', 'done<|endoftext|>'), params(), {}, models);
  assert.equal(r.status, 'ok');
  assert.equal(r.details?.warning, 'pad_token_in_text');
  const clean = await scoreRewardModel(item('Hi', 'done'), params(), {}, models);
  assert.equal(clean.details?.warning, undefined);
});

test('a model with inputs other than input_ids, attention_mask, token_type_ids, position_ids is refused by name', async (t) => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'grpo-rm-'));
  t.after(() => fs.rm(dir, { recursive: true, force: true }));
  await writeRewardModelFolder(dir);
  const g = new Graph();
  const ids = g.input('input_ids', 'int64', ['batch', 'seq']);
  const past = g.input('past_key_values.0.key', 'float32', ['batch', 2]);
  g.output('logits', g.add(g.sum(g.cast(ids, 'float32'), [1], true), past));
  await fs.writeFile(path.join(dir, 'model.onnx'), g.toOnnx());
  const models = new RewardModelSet(toRewardModelTable({ kv: dir }));
  t.after(() => models.close());
  const r = await scoreRewardModel(ITEMS[0] as RewardItem, params({ model: 'kv' }), {}, models);
  assert.equal(r.reason, 'model_load');
  assert.equal(r.details?.code, 'GRPO_REWARD_MODEL_UNSUPPORTED');
  assert.match(r.details?.message as string, /past_key_values\.0\.key/);
});

test('padding with another id than the export compares with changes padded rows, so pad_token_id is honoured', async (t) => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'grpo-rm-'));
  t.after(() => fs.rm(dir, { recursive: true, force: true }));
  await writeRewardModelFolder(dir);
  const cfgPath = path.join(dir, 'config.json');
  const cfg = JSON.parse(await fs.readFile(cfgPath, 'utf8'));
  await fs.writeFile(cfgPath, JSON.stringify({ ...cfg, pad_token_id: 5 }));
  const right = new RewardModelSet(toRewardModelTable({ tiny: { path: FIXTURE_DIR, paddingSide: 'right' } }));
  const wrong = new RewardModelSet(toRewardModelTable({ tiny: { path: dir, paddingSide: 'right' } }));
  t.after(() => Promise.all([right.close(), wrong.close()]));
  const pair = [ITEMS[0] as RewardItem, ITEMS[2] as RewardItem];
  const good = await Promise.all(pair.map((it) => scoreRewardModel(it, params(), {}, right)));
  const bad = await Promise.all(pair.map((it) => scoreRewardModel(it, params(), {}, wrong)));
  assert.equal((await wrong.get('tiny')).model.padTokenId, 5);
  // The longest row has no padding and agrees; the padded one is read past its end.
  assert.ok(Math.abs(good[1]!.score - bad[1]!.score) <= 1e-5);
  assert.ok(Math.abs(good[0]!.score - bad[0]!.score) > 1e-3);
});
