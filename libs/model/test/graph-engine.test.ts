import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  bindWeights,
  generateReference,
  initTensors,
  PolicyEngine,
  PolicyScorer,
  ReferenceModel,
} from '../src/index.js';
import { FAMILIES, fixture, sampleIds } from './graph-helpers.js';
import { maxAbsDiff } from './helpers.js';

for (const name of FAMILIES) {
  test(`${name}: sampled-token logprobs equal the logprob graph's and the tokens equal the reference sampler's`, async (t) => {
    const p = await fixture(name);
    const engine = await PolicyEngine.create(p);
    const scorer = await PolicyScorer.create(p.config, p.tensors);
    t.after(async () => {
      await engine.release();
      await scorer.release();
    });
    const ids = sampleIds(p);
    const prompts = [ids.slice(0, 11), ids.slice(0, 4)];
    const G = 3;
    const temperature = 0.8;
    const res = await engine.generate({ prompts, groupSize: G, maxTokens: 10, temperature, seed: 11 });
    const ref = new ReferenceModel(p.config, p.weights);
    assert.equal(res.completions.length, 2);
    for (let i = 0; i < prompts.length; i++) {
      assert.equal(res.completions[i]!.length, G);
      for (let j = 0; j < G; j++) {
        const comp = res.completions[i]![j]!;
        const [scored] = await scorer.score(
          [{ ids: [...prompts[i]!, ...comp.tokenIds], promptLength: prompts[i]!.length }],
          temperature,
        );
        assert.ok(maxAbsDiff(scored!.logprobs, comp.logprobs) < 1e-4);
        const want = generateReference(ref, {
          promptIds: prompts[i]!,
          maxTokens: 10,
          sampling: { temperature },
          seed: 11,
          stream: i * G + j,
          eosTokenIds: p.config.eosTokenIds,
        });
        assert.deepEqual(comp.tokenIds, want.tokenIds);
        assert.equal(comp.finishReason, want.finishReason === 'length' ? 'length' : 'stop');
      }
    }
  });
}

test('sequences finishing at different steps leave the others unchanged (cache rows dropped mid-batch)', async (t) => {
  const p = await fixture('tiny-llama');
  const engine = await PolicyEngine.create(p);
  t.after(() => engine.release());
  const ids = sampleIds(p);
  const prompts = [ids.slice(0, 7), ids.slice(2, 12)];
  const req = { prompts, groupSize: 3, maxTokens: 12, temperature: 1, seed: 21 };
  const base = await engine.generate({ ...req, eosTokenIds: [] });
  // Two ids that occur early in some rows: those rows stop there, the rest run on.
  const eos = [base.completions[0]![0]!.tokenIds[2]!, base.completions[1]![1]!.tokenIds[5]!];
  const out = await engine.generate({ ...req, eosTokenIds: eos });
  const ref = new ReferenceModel(p.config, p.weights);
  const lengths = new Set<number>();
  out.completions.forEach((group, i) => {
    group.forEach((comp, j) => {
      const want = generateReference(ref, {
        promptIds: prompts[i]!,
        maxTokens: 12,
        sampling: { temperature: 1 },
        seed: 21,
        stream: i * 3 + j,
        eosTokenIds: eos,
      });
      assert.deepEqual(comp.tokenIds, want.tokenIds);
      assert.ok(maxAbsDiff(comp.logprobs, want.logprobs) < 1e-4);
      lengths.add(comp.tokenIds.length);
    });
  });
  assert.ok(lengths.size > 1, 'rows finished at different steps');
  assert.equal(out.completions[0]![0]!.finishReason, 'stop');
});

test('the same seed gives the same completions and another seed different ones', async (t) => {
  const p = await fixture('tiny-qwen2');
  const engine = await PolicyEngine.create(p);
  t.after(() => engine.release());
  const req = {
    prompts: [sampleIds(p).slice(0, 7)],
    groupSize: 4,
    maxTokens: 8,
    temperature: 1,
    topP: 0.9,
    topK: 50,
  };
  const a = await engine.generate({ ...req, seed: 3 });
  const b = await engine.generate({ ...req, seed: 3 });
  const c = await engine.generate({ ...req, seed: 4 });
  assert.deepEqual(a.completions, b.completions);
  assert.notDeepEqual(
    a.completions[0]!.map((x) => x.tokenIds),
    c.completions[0]!.map((x) => x.tokenIds),
  );
  // Different samples of one group draw from different streams.
  assert.notDeepEqual(a.completions[0]![0]!.tokenIds, a.completions[0]![1]!.tokenIds);
});

test('EOS ends a completion with finishReason stop; its text omits the EOS token', async (t) => {
  const p = await fixture('tiny-qwen3');
  const engine = await PolicyEngine.create(p);
  t.after(() => engine.release());
  const prompt = sampleIds(p).slice(0, 6);
  const greedy = await engine.generate({ prompts: [prompt], maxTokens: 4, temperature: 0 });
  const first = greedy.completions[0]![0]!;
  assert.equal(first.finishReason, 'length');
  assert.equal(first.tokenIds.length, 4);
  // Declare the second greedy token an EOS id: generation stops right after it.
  const eos = first.tokenIds[1]!;
  const out = await engine.generate({ prompts: [prompt], maxTokens: 4, temperature: 0, eosTokenIds: [eos] });
  const comp = out.completions[0]![0]!;
  const stopAt = first.tokenIds.indexOf(eos);
  assert.deepEqual(comp.tokenIds, first.tokenIds.slice(0, stopAt + 1));
  assert.equal(comp.finishReason, 'stop');
  assert.equal(comp.stopReason, eos);
  assert.equal(comp.text, stopAt === 0 ? '' : p.tokenizer.decode(first.tokenIds.slice(0, stopAt)));
});

test('a stop string ends a completion and is cut from its text', async (t) => {
  const p = await fixture('tiny-llama');
  const engine = await PolicyEngine.create(p);
  t.after(() => engine.release());
  const prompt = sampleIds(p).slice(0, 8);
  // Random weights emit arbitrary bytes: find a generated token whose text is one ASCII letter
  // or digit and use it as the stop string.
  const base = await engine.generate({ prompts: [prompt], groupSize: 4, maxTokens: 16, seed: 5 });
  let found: { j: number; k: number; ch: string } | null = null;
  base.completions[0]!.forEach((comp, j) => {
    comp.tokenIds.forEach((id, k) => {
      const ch = p.tokenizer.decode([id]);
      if (!found && /^[A-Za-z0-9]$/.test(ch)) found = { j, k, ch };
    });
  });
  assert.ok(found, 'some completion holds an ASCII letter or digit');
  const { j, ch } = found as { j: number; k: number; ch: string };
  const out = await engine.generate({ prompts: [prompt], groupSize: 4, maxTokens: 16, seed: 5, stop: [ch] });
  const comp = out.completions[0]![j]!;
  const orig = base.completions[0]![j]!;
  const at = orig.tokenIds.findIndex((id) => p.tokenizer.decode([id]) === ch);
  assert.equal(comp.finishReason, 'stop');
  assert.equal(comp.stopReason, ch);
  assert.deepEqual(comp.tokenIds, orig.tokenIds.slice(0, at + 1));
  assert.ok(comp.text !== null && !comp.text.includes(ch));
});

test('degenerate requests: one prompt token, group of one, one new token, the context limit', async (t) => {
  const p = await fixture('tiny-qwen2');
  const engine = await PolicyEngine.create(p);
  t.after(() => engine.release());
  const one = await engine.generate({ prompts: [[5]], maxTokens: 1 });
  assert.equal(one.completions[0]![0]!.tokenIds.length, 1);
  assert.equal(one.completions[0]![0]!.finishReason, 'length');
  // max_position_embeddings is 256: a 250-token prompt leaves room for 6 fed tokens + 1 sampled.
  const long = Array.from({ length: 250 }, (_, i) => 70 + (i % 50));
  const out = await engine.generate({ prompts: [long], maxTokens: 50, temperature: 0, eosTokenIds: [] });
  const want = generateReference(new ReferenceModel(p.config, p.weights), {
    promptIds: long,
    maxTokens: 50,
    sampling: { temperature: 0 },
    seed: 0,
    eosTokenIds: [],
  });
  assert.equal(out.completions[0]![0]!.tokenIds.length, 7);
  assert.deepEqual(out.completions[0]![0]!.tokenIds, want.tokenIds);
  assert.equal(out.completions[0]![0]!.finishReason, 'length');
});

for (const weights of ['inputs', 'constants', 'auto'] as const) {
  test(`swapWeights replaces the policy for the next generate (weights: ${weights})`, async (t) => {
    const p = await fixture('tiny-qwen2');
    const engine = await PolicyEngine.create(p, { weights });
    t.after(() => engine.release());
    const prompt = sampleIds(p).slice(0, 6);
    const req = { prompts: [prompt], maxTokens: 6, temperature: 0, eosTokenIds: [] };
    const before = await engine.generate(req);
    const tensors = initTensors(p.config, 99, true);
    await engine.swapWeights(tensors);
    const out = await engine.generate(req);
    const want = generateReference(new ReferenceModel(p.config, bindWeights(p.config, tensors)), {
      promptIds: prompt,
      maxTokens: 6,
      sampling: { temperature: 0 },
      seed: 0,
      eosTokenIds: [],
    });
    assert.deepEqual(out.completions[0]![0]!.tokenIds, want.tokenIds);
    assert.notDeepEqual(out.completions[0]![0]!.tokenIds, before.completions[0]![0]!.tokenIds);
  });
}

test('weights baked in as constants give the same completions as weights fed as inputs', async (t) => {
  const p = await fixture('tiny-llama');
  const a = await PolicyEngine.create(p, { weights: 'inputs' });
  const b = await PolicyEngine.create(p, { weights: 'constants' });
  t.after(async () => {
    await a.release();
    await b.release();
  });
  const req = { prompts: [sampleIds(p).slice(0, 9)], groupSize: 2, maxTokens: 6, seed: 1 };
  const ra = await a.generate(req);
  const rb = await b.generate(req);
  ra.completions[0]!.forEach((c, j) => {
    assert.deepEqual(rb.completions[0]![j]!.tokenIds, c.tokenIds);
    assert.ok(maxAbsDiff(rb.completions[0]![j]!.logprobs, c.logprobs) < 1e-5);
  });
});

test('bad generate requests are rejected with a code and the field', async (t) => {
  const p = await fixture('tiny-qwen2');
  const engine = await PolicyEngine.create(p, { maxSequences: 8 });
  t.after(() => engine.release());
  const cases: [Parameters<PolicyEngine['generate']>[0], string, string][] = [
    [{ prompts: [], maxTokens: 1 }, 'GRPO_MODEL_BAD_INPUT', 'prompts'],
    [{ prompts: [[]], maxTokens: 1 }, 'GRPO_MODEL_BAD_INPUT', 'prompts[0]'],
    [{ prompts: [[1, 9999]], maxTokens: 1 }, 'GRPO_MODEL_BAD_INPUT', 'prompts[0][1]'],
    [{ prompts: [[1]], groupSize: 0, maxTokens: 1 }, 'GRPO_MODEL_BAD_INPUT', 'groupSize'],
    [{ prompts: [[1], [2]], groupSize: 5, maxTokens: 1 }, 'GRPO_MODEL_BAD_INPUT', 'groupSize'],
    [{ prompts: [[1]], maxTokens: 0 }, 'GRPO_MODEL_BAD_INPUT', 'maxTokens'],
    [{ prompts: [[1]], maxTokens: 1, temperature: -1 }, 'GRPO_MODEL_BAD_SAMPLING', 'temperature'],
    [{ prompts: [[1]], maxTokens: 1, topP: 0 }, 'GRPO_MODEL_BAD_SAMPLING', 'topP'],
    [{ prompts: [[1]], maxTokens: 1, stop: [''] }, 'GRPO_MODEL_BAD_INPUT', 'stop[0]'],
  ];
  for (const [req, code, field] of cases) await assert.rejects(engine.generate(req), { code, field });
});

test('generateGroups with one group per prompt equals generate (seed s, streams i * G .. i * G + G - 1)', async (t) => {
  const p = await fixture('tiny-llama');
  const engine = await PolicyEngine.create(p);
  t.after(() => engine.release());
  const ids = sampleIds(p);
  const prompts = [ids.slice(0, 9), ids.slice(3, 8)];
  const params = { groupSize: 3, maxTokens: 8, temperature: 0.9, topP: 0.95, topK: 40, seed: 17 };
  const whole = await engine.generate({ ...params, prompts });
  const groups = await engine.generateGroups(
    prompts.map((promptIds, i) => ({ ...params, promptIds, stream: i * params.groupSize })),
  );
  assert.deepEqual(groups.completions, whole.completions);
  assert.equal(groups.promptTokens, whole.promptTokens);
  assert.equal(groups.generatedTokens, whole.generatedTokens);
  // A single prompt: streams 0..G-1, the default of a group.
  const one = await engine.generate({ ...params, prompts: [prompts[1]!] });
  const alone = await engine.generateGroups([{ ...params, promptIds: prompts[1]! }]);
  assert.deepEqual(alone.completions, one.completions);
});

test('two groups with their own seed, temperature, maxTokens and stop in one call sample what each samples alone', async (t) => {
  const p = await fixture('tiny-llama');
  const engine = await PolicyEngine.create(p);
  t.after(() => engine.release());
  const ids = sampleIds(p);
  const a = { promptIds: ids.slice(0, 7), groupSize: 3, temperature: 0.7, topK: 20, maxTokens: 14, seed: 3 };
  const b = {
    promptIds: ids.slice(2, 16),
    groupSize: 2,
    temperature: 1.3,
    topP: 0.9,
    maxTokens: 5,
    seed: 8,
    eosTokenIds: [],
  };
  // A stop string that group a hits: the text of one of its generated tokens (an ASCII letter or digit).
  const free = await engine.generateGroups([a]);
  let stop: string | null = null;
  for (const comp of free.completions[0]!)
    for (const id of comp.tokenIds.slice(1)) {
      const ch = p.tokenizer.decode([id]);
      if (!stop && /^[A-Za-z0-9]$/.test(ch)) stop = ch;
    }
  assert.ok(stop, 'some completion of group a holds an ASCII letter or digit');
  const aStop = { ...a, stop: [stop] };
  const aloneA = await engine.generateGroups([aStop]);
  const aloneB = await engine.generateGroups([b]);
  const together = await engine.generateGroups([aStop, b]);
  assert.equal(together.completions.length, 2);
  const check = (got: typeof together.completions, want: typeof together.completions) => {
    got.forEach((comps, j) => {
      const w = want[j]!;
      assert.deepEqual(comps.tokenIds, w.tokenIds);
      assert.equal(comps.text, w.text);
      assert.equal(comps.finishReason, w.finishReason);
      assert.equal(comps.stopReason, w.stopReason);
      assert.ok(maxAbsDiff(comps.logprobs, w.logprobs) <= 1e-5, `logprobs of sample ${j}`);
    });
  };
  check(together.completions[0]!, aloneA.completions[0]!);
  check(together.completions[1]!, aloneB.completions[0]!);
  assert.ok(
    together.completions[0]!.some((c) => c.finishReason === 'stop' && c.stopReason === stop),
    'a stop string ended some completion of group a',
  );
  for (const c of together.completions[1]!) {
    assert.equal(c.tokenIds.length, 5);
    assert.equal(c.finishReason, 'length');
  }
  assert.equal(together.promptTokens, a.promptIds.length + b.promptIds.length);
  assert.equal(together.generatedTokens, aloneA.generatedTokens + aloneB.generatedTokens);
});

test('bad generateGroups requests are rejected with a code and the group field', async (t) => {
  const p = await fixture('tiny-qwen2');
  const engine = await PolicyEngine.create(p, { maxSequences: 8 });
  t.after(() => engine.release());
  const ok = { promptIds: [1, 2], maxTokens: 2 };
  const cases: [Parameters<PolicyEngine['generateGroups']>[0], string, string][] = [
    [[], 'GRPO_MODEL_BAD_INPUT', 'groups'],
    [[ok, { ...ok, promptIds: [] }], 'GRPO_MODEL_BAD_INPUT', 'groups[1].promptIds'],
    [[{ ...ok, promptIds: [1, 9999] }], 'GRPO_MODEL_BAD_INPUT', 'groups[0].promptIds[1]'],
    [[ok, { ...ok, groupSize: 0 }], 'GRPO_MODEL_BAD_INPUT', 'groups[1].groupSize'],
    [
      [
        { ...ok, groupSize: 5 },
        { ...ok, groupSize: 4 },
      ],
      'GRPO_MODEL_BAD_INPUT',
      'groups',
    ],
    [[{ ...ok, maxTokens: 0 }], 'GRPO_MODEL_BAD_INPUT', 'groups[0].maxTokens'],
    [[{ ...ok, seed: 0.5 }], 'GRPO_MODEL_BAD_INPUT', 'groups[0].seed'],
    [[{ ...ok, stream: -1 }], 'GRPO_MODEL_BAD_INPUT', 'groups[0].stream'],
    [[ok, { ...ok, temperature: -1 }], 'GRPO_MODEL_BAD_SAMPLING', 'groups[1].temperature'],
    [[{ ...ok, topK: 1.5 }], 'GRPO_MODEL_BAD_SAMPLING', 'groups[0].topK'],
    [[{ ...ok, stop: [''] }], 'GRPO_MODEL_BAD_INPUT', 'groups[0].stop[0]'],
  ];
  for (const [groups, code, field] of cases)
    await assert.rejects(engine.generateGroups(groups), { code, field });
});
