import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PolicyEngine } from '@grpo/model';
import { type EngineGroup, OnnxEngine } from '../src/index.js';
import { assertSameCompletions, tinyPolicy } from './helpers.js';

function group(promptIds: number[], seed: number, o: Partial<EngineGroup> = {}): EngineGroup {
  return {
    prompt: { tokenIds: promptIds },
    groupSize: 4,
    sampling: { temperature: 0.9, topP: 0.95, topK: 50 },
    maxTokens: 12,
    stop: [],
    seed,
    ...o,
  };
}

test("a single-prompt group samples exactly what libs/model's PolicyEngine samples for the same seed", async (t) => {
  const policy = await tinyPolicy(t);
  const engine = await OnnxEngine.create(policy, { maxBatchSequences: 64, batchWindowMs: 1 });
  t.after(() => engine.close());
  const ref = await PolicyEngine.create(policy);
  t.after(() => ref.release());
  const prompt = policy.tokenizer.encode('What is 3 + 4?');
  const ours = await engine.generate([group(prompt, 11)]);
  const theirs = await ref.generate({
    prompts: [prompt],
    groupSize: 4,
    temperature: 0.9,
    topP: 0.95,
    topK: 50,
    maxTokens: 12,
    seed: 11,
  });
  assert.equal(ours.completions[0]!.length, 4);
  ours.completions[0]!.forEach((c, j) => {
    const r = theirs.completions[0]![j]!;
    assert.deepEqual(c.tokenIds, r.tokenIds);
    assert.deepEqual(c.logprobs, r.logprobs);
    assert.equal(c.text, r.text);
    assert.equal(c.finishReason, r.finishReason);
  });
});

test('requests that arrive together run as one batch and each gets what it would get alone', async (t) => {
  const policy = await tinyPolicy(t);
  const engine = await OnnxEngine.create(policy, { maxBatchSequences: 64, batchWindowMs: 5 });
  t.after(() => engine.close());
  const tok = policy.tokenizer;
  const reqs: EngineGroup[][] = [
    [group(tok.encode('1+1='), 1), group(tok.encode('a longer prompt here'), 2)],
    [group(tok.encode('x'), 5, { groupSize: 2, maxTokens: 3, sampling: { temperature: 0 } })],
    [group(tok.encode('hello'), 9, { groupSize: 8, sampling: { temperature: 1.3 } })],
  ];
  const alone = [];
  for (const r of reqs) alone.push(await engine.generate(r));
  const runsBefore = engine.stats.runs;
  const together = await Promise.all(reqs.map((r) => engine.generate(r)));
  assert.equal(engine.stats.runs - runsBefore, 1, 'the three requests shared one run');
  assert.equal(engine.stats.sequencesPerRun.at(-1), 4 + 4 + 2 + 8);
  for (const [i, res] of together.entries()) assertSameCompletions(res.completions, alone[i]!.completions);
});

test('a request over maxBatchSequences is split into runs and still comes back whole and identical', async (t) => {
  const policy = await tinyPolicy(t);
  const small = await OnnxEngine.create(policy, { maxBatchSequences: 8, batchWindowMs: 1 });
  t.after(() => small.close());
  const big = await OnnxEngine.create(policy, { maxBatchSequences: 64, batchWindowMs: 1 });
  t.after(() => big.close());
  const groups = [0, 1, 2, 3, 4].map((i) => group(policy.tokenizer.encode(`prompt ${i}`), 100 + i));
  const split = await small.generate(groups);
  assert.equal(small.stats.runs, 3, '5 groups of 4 in runs of at most 8 sequences');
  assertSameCompletions(split.completions, (await big.generate(groups)).completions);
});

test('greedy groups are G copies, maxTokens 1 gives one token, and stop strings cut the text', async (t) => {
  const policy = await tinyPolicy(t);
  const engine = await OnnxEngine.create(policy, { maxBatchSequences: 64, batchWindowMs: 1 });
  t.after(() => engine.close());
  const prompt = policy.tokenizer.encode('abc');
  const greedy = await engine.generate([group(prompt, 0, { sampling: { temperature: 0 } })]);
  for (const c of greedy.completions[0]!) assert.deepEqual(c, greedy.completions[0]![0]);
  const one = await engine.generate([group(prompt, 3, { maxTokens: 1, groupSize: 1 })]);
  assert.equal(one.completions[0]![0]!.tokenIds.length, 1);
  assert.equal(one.completions[0]![0]!.finishReason, 'length');
  // Pick a character the unconstrained run produces at position >= 2, then stop on it.
  const free = (
    await engine.generate([group(prompt, 21, { groupSize: 1, maxTokens: 24, sampling: { temperature: 1 } })])
  ).completions[0]![0]!;
  const k = [...free.text].findIndex(
    (ch, i) => i >= 2 && /[a-z0-9]/i.test(ch) && free.text.indexOf(ch) === i,
  );
  assert.ok(k >= 2, `no usable stop char in ${JSON.stringify(free.text)}`);
  const stopChar = [...free.text][k]!;
  const cut = (
    await engine.generate([
      group(prompt, 21, { groupSize: 1, maxTokens: 24, sampling: { temperature: 1 }, stop: [stopChar] }),
    ])
  ).completions[0]![0]!;
  assert.equal(cut.finishReason, 'stop');
  assert.equal(cut.stopReason, stopChar);
  assert.equal(cut.text, free.text.slice(0, free.text.indexOf(stopChar)));
  assert.deepEqual(cut.tokenIds, free.tokenIds.slice(0, cut.tokenIds.length));
});

test('requests beyond maxQueuedSequences are refused with a 503 while the queue drains', async (t) => {
  const policy = await tinyPolicy(t);
  const engine = await OnnxEngine.create(policy, {
    maxBatchSequences: 8,
    batchWindowMs: 1,
    maxQueuedSequences: 8,
  });
  t.after(() => engine.close());
  const first = engine.generate([group(policy.tokenizer.encode('a'), 1, { groupSize: 8 })]);
  await assert.rejects(
    engine.generate([group(policy.tokenizer.encode('b'), 2, { groupSize: 1 })]),
    (e: unknown) => {
      const err = e as { code: string; statusCode: number };
      return err.code === 'GRPO_ROLLOUT_QUEUE_FULL' && err.statusCode === 503;
    },
  );
  assert.equal((await first).completions[0]!.length, 8);
  assert.equal(
    (await engine.generate([group(policy.tokenizer.encode('b'), 2, { groupSize: 1 })])).completions[0]!
      .length,
    1,
  );
});
