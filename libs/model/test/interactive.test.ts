import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import {
  createTinyPolicy,
  type Policy,
  PolicyEngine,
  PolicyScorer,
  type SequenceHook,
} from '../src/index.js';

const session = { intraOpNumThreads: 1, interOpNumThreads: 1 };

async function tiny(t: { after: (fn: () => Promise<void>) => void }): Promise<Policy> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'grpo-interactive-'));
  t.after(() => fs.rm(dir, { recursive: true, force: true }));
  return createTinyPolicy({ dir, seed: 11, hiddenSize: 32, layers: 2, heads: 2, kvHeads: 1 });
}

/** Pauses every `every` sampled ids of a turn and inserts `insert` after a delay, `calls` times. */
function hook(every: number, insert: number[], calls: number, delayMs: number): SequenceHook {
  let left = calls;
  return {
    pause: (turn) => left > 0 && !turn.eos && turn.ids.length === every,
    resume: async () => {
      left--;
      await new Promise((r) => setTimeout(r, delayMs));
      return { insert };
    },
  };
}

test('inserted ids sit between turns with logprob 0 and mask 0; sampled logprobs match a full rescoring', async (t) => {
  const p = await tiny(t);
  const engine = await PolicyEngine.create(p, { session });
  t.after(() => engine.release());
  const scorer = await PolicyScorer.create(p.config, p.tensors, session);
  t.after(() => scorer.release());
  const prompts = ['ab', 'Hello there'].map((s) => p.tokenizer.encode(s));
  const inserts = [
    [40, 41, 42],
    [50, 51, 52, 53, 54, 55, 56],
  ];
  const eos = p.config.eosTokenIds;
  const out = await engine.generateInteractive(
    prompts.map((promptIds, i) => ({
      promptIds,
      groupSize: 3,
      maxTokens: 40,
      seed: 3,
      eosTokenIds: [...eos],
      // Different pause points and delays, so sequences leave and rejoin the batch at different steps.
      hook: (j) => hook(3 + j + i, inserts[i]!, 2, 5 + 20 * j),
    })),
  );
  let checked = 0;
  for (const [i, group] of out.completions.entries()) {
    for (const [j, c] of group.entries()) {
      assert.equal(c.tokenIds.length, c.logprobs.length);
      assert.equal(c.tokenIds.length, c.lossMask.length);
      const every = 3 + j + i;
      // Layout: `every` sampled ids, the insert, `every` sampled, the insert, then the rest.
      const ins = inserts[i]!;
      const first = c.tokenIds.length > every;
      if (first) {
        assert.deepEqual(c.tokenIds.slice(every, every + ins.length), ins);
        assert.deepEqual(c.lossMask.slice(0, every + ins.length), [
          ...Array(every).fill(1),
          ...ins.map(() => 0),
        ]);
      }
      c.tokenIds.forEach((_, k) => {
        if (c.lossMask[k] === 0) assert.equal(c.logprobs[k], 0);
      });
      assert.equal(
        c.turns,
        1 + c.lossMask.filter((m, k) => m === 0 && (k === 0 || c.lossMask[k - 1] === 1)).length,
      );
      const [s] = await scorer.score(
        [{ ids: [...prompts[i]!, ...c.tokenIds], promptLength: prompts[i]!.length }],
        1,
      );
      c.tokenIds.forEach((_, k) => {
        if (c.lossMask[k] !== 1) return;
        assert.ok(
          Math.abs(s!.logprobs[k]! - c.logprobs[k]!) <= 1e-4,
          `[${i}][${j}] position ${k}: ${s!.logprobs[k]} vs ${c.logprobs[k]}`,
        );
        checked++;
      });
    }
  }
  assert.ok(checked > 100, `checked ${checked} positions`);
  assert.equal(
    out.generatedTokens,
    out.completions.flat().reduce((n, c) => n + c.lossMask.filter((m) => m === 1).length, 0),
  );
});

test('an interactive run that never pauses samples what generateGroups samples', async (t) => {
  const p = await tiny(t);
  const engine = await PolicyEngine.create(p, { session });
  t.after(() => engine.release());
  const prompts = ['ab', 'Hello there', 'x'].map((s) => p.tokenizer.encode(s));
  const groups = prompts.map((promptIds) => ({ promptIds, groupSize: 2, maxTokens: 12, seed: 9 }));
  const plain = await engine.generateGroups(groups);
  const never: SequenceHook = { pause: () => false, resume: async () => ({ end: 'x' }) };
  const inter = await engine.generateInteractive(groups.map((g) => ({ ...g, hook: () => never })));
  for (const [i, group] of inter.completions.entries()) {
    for (const [j, c] of group.entries()) {
      const want = plain.completions[i]![j]!;
      assert.deepEqual(c.tokenIds, want.tokenIds);
      assert.equal(c.text, want.text);
      assert.equal(c.finishReason, want.finishReason);
      assert.ok(c.lossMask.every((m) => m === 1));
      for (const [k, lp] of c.logprobs.entries()) assert.ok(Math.abs(lp - want.logprobs[k]!) < 1e-5);
    }
  }
});

test('an insert that does not fit ends the sequence with context_overflow and inserts nothing', async (t) => {
  const p = await tiny(t);
  const engine = await PolicyEngine.create(p, { session });
  t.after(() => engine.release());
  let room = -1;
  const out = await engine.generateInteractive([
    {
      promptIds: p.tokenizer.encode('ab'),
      maxTokens: 10,
      seed: 1,
      eosTokenIds: [],
      hook: () => ({
        pause: (turn) => turn.ids.length === 4,
        resume: async (_turn, r) => {
          room = r;
          return { insert: Array(6).fill(40) };
        },
      }),
    },
  ]);
  const c = out.completions[0]![0]!;
  assert.equal(room, 5); // 10 - 4 sampled - 1 for the next sampled id
  assert.equal(c.endReason, 'context_overflow');
  assert.equal(c.tokenIds.length, 4);
  assert.ok(c.lossMask.every((m) => m === 1));
});
