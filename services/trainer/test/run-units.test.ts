import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import type { RewardItemResult } from '@grpo/contracts';
import { buildCharTokenizer, HfTokenizer } from '@grpo/model';
import {
  batchIndices,
  dataChars,
  emptyRow,
  loadLatestCheckpoint,
  loadRunData,
  lrAt,
  MetricsLog,
  parseRunConfig,
  previousQuickstartRecipe,
  quickstartRecipe,
  runPlotSvg,
  summariseRewards,
  zeroStdFraction,
} from '../src/index.js';
import { tempDir } from './helpers.js';

test('constant lr with warmup ramps linearly, then holds', () => {
  const s = { kind: 'constant' as const, warmupSteps: 4, minLrRatio: 0 };
  assert.deepEqual(
    [1, 2, 3, 4, 5, 10].map((i) => lrAt(1, s, i, 10)),
    [0.25, 0.5, 0.75, 1, 1, 1],
  );
  assert.equal(lrAt(0.1, undefined, 7, 10), 0.1);
});

test('cosine lr starts at the peak after warmup and ends at the floor on the last step', () => {
  const s = { kind: 'cosine' as const, warmupSteps: 2, minLrRatio: 0.1 };
  assert.equal(lrAt(1, s, 3, 12), 1);
  assert.ok(Math.abs(lrAt(1, s, 12, 12) - 0.1) < 1e-12);
  const mid = lrAt(1, s, 7.5, 12);
  assert.ok(Math.abs(mid - 0.55) < 1e-12, String(mid));
  assert.equal(
    lrAt(1, { kind: 'cosine', warmupSteps: 0, minLrRatio: 0 }, 1, 1),
    1,
    'a one-step stage gets the peak',
  );
});

test('each epoch of the data order is a permutation, and the order is a pure function of the step', () => {
  const n = 10;
  const seen: number[] = [];
  for (let step = 1; step <= 5; step++) seen.push(...batchIndices(n, 4, 7, 0, step));
  assert.deepEqual(
    [...seen.slice(0, 10)].sort((a, b) => a - b),
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
  );
  assert.deepEqual(
    [...seen.slice(10, 20)].sort((a, b) => a - b),
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
  );
  assert.notDeepEqual(seen.slice(0, 10), seen.slice(10, 20), 'a fresh shuffle per epoch');
  assert.deepEqual(batchIndices(n, 4, 7, 0, 4), seen.slice(12, 16));
  assert.notDeepEqual(batchIndices(n, 4, 7, 1, 1), batchIndices(n, 4, 7, 0, 1), 'stages draw differently');
  assert.deepEqual(batchIndices(0, 4, 7, 0, 1), []);
});

test('reward summaries report totals, unweighted component scores and the accuracy component', () => {
  const results: RewardItemResult[] = [
    { id: 'a', total: 1.5, components: [c('accuracy', 1, 1), c('format', 0.5, 1)] },
    { id: 'b', total: 0.5, components: [c('accuracy', 1, 0), c('format', 0.5, 1)] },
  ];
  const s = summariseRewards(results, 'accuracy');
  assert.equal(s.rewardMean, 1);
  assert.equal(s.rewardStd, 0.5);
  assert.deepEqual(s.rewards, { accuracy: { mean: 0.5, std: 0.5 }, format: { mean: 1, std: 0 } });
  assert.equal(s.accuracy, 0.5);
  assert.equal(summariseRewards(results, 'missing').accuracy, null);
  assert.equal(summariseRewards([], 'accuracy').rewardMean, 0);
});

function c(name: string, weight: number, score: number) {
  return { name, weight, score, weighted: weight * score, status: 'ok' as const };
}

test('the zero-std fraction counts groups whose rewards are all equal, a group of one included', () => {
  assert.equal(zeroStdFraction([[1, 1], [0, 1], [0.5], [0, 0]]), 0.75);
  assert.equal(zeroStdFraction([]), 0);
});

test('metrics.jsonl: a torn last line is dropped and truncate keeps steps up to the checkpoint', async (t) => {
  const dir = await tempDir(t);
  const rows = [1, 2, 3].map((s) => JSON.stringify(emptyRow(s, 0, 'sft', s, 0.1)));
  await fs.writeFile(path.join(dir, 'metrics.jsonl'), `${rows.join('\n')}\n{"step": 4, "sta`);
  const log = await MetricsLog.open(dir);
  assert.deepEqual(
    log.rows.map((r) => r.step),
    [1, 2, 3],
  );
  await log.truncate(2, 0);
  const again = await MetricsLog.open(dir);
  assert.deepEqual(
    again.rows.map((r) => r.step),
    [1, 2],
  );
});

test('a corrupt line in the middle of metrics.jsonl is an error naming the line', async (t) => {
  const dir = await tempDir(t);
  await fs.writeFile(path.join(dir, 'metrics.jsonl'), '{"step":1}\nnot json\n{"step":3}\n');
  await assert.rejects(MetricsLog.open(dir), /metrics\.jsonl:2/);
});

test('without latest.json the highest complete checkpoint is used; a folder without state is skipped', async (t) => {
  const dir = await tempDir(t);
  const ck = path.join(dir, 'checkpoints');
  const state = (step: number) =>
    JSON.stringify({ format: 1, step, stage: 0, stageStep: step, optimizer: null });
  await fs.mkdir(path.join(ck, 'step-2'), { recursive: true });
  await fs.writeFile(path.join(ck, 'step-2', 'trainer_state.json'), state(2));
  await fs.mkdir(path.join(ck, 'step-4'), { recursive: true });
  await fs.writeFile(path.join(ck, 'step-4', 'trainer_state.json'), state(4));
  await fs.mkdir(path.join(ck, 'step-6'), { recursive: true });
  assert.equal((await loadLatestCheckpoint(dir))?.state.step, 4);
  await fs.writeFile(path.join(ck, 'latest.json'), JSON.stringify({ step: 2, dir: 'step-2' }));
  assert.equal((await loadLatestCheckpoint(dir))?.state.step, 2, 'latest.json wins');
  assert.equal(await loadLatestCheckpoint(path.join(dir, 'none')), null);
});

test('parseRunConfig fills every documented default', () => {
  const c = parseRunConfig({
    model: { tiny: {} },
    data: { builtin: 'arithmetic' },
    stages: [{ type: 'sft' }],
  });
  assert.deepEqual(c.rewards, [
    { name: 'accuracy', weight: 1 },
    { name: 'format', weight: 0.5 },
  ]);
  assert.equal(c.checkpointEvery, 10);
  assert.equal(c.stages[0]?.steps, 10);
  assert.equal(c.stages[0]?.batch, 8);
  assert.equal(c.maxSeqTokens, 1024);
});

test('the plot is a self-contained SVG with one path per series and a dot per eval', () => {
  const rows = [1, 2, 3].map((s) => ({
    ...emptyRow(s, 0, 'grpo', s, 0.1),
    loss: 1 / s,
    rewardMean: s / 3,
    accuracy: s / 6,
  }));
  const evals = [
    {
      stage: 1,
      name: 'e',
      step: 3,
      split: 'eval',
      count: 4,
      accuracy: 0.5,
      rewardMean: 1,
      rewards: {},
      completionLengthMean: 9,
      time: '',
    },
  ];
  const svg = runPlotSvg(rows, evals, 'a <run>');
  assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  assert.equal((svg.match(/<path /g) ?? []).length, 3);
  assert.equal((svg.match(/<circle /g) ?? []).length, 1);
  assert.match(svg, /a &lt;run&gt;/);
});

test('the quick-start recipe is a valid run config: SFT, eval, GRPO, eval', () => {
  const c = quickstartRecipe({ rolloutUrl: 'http://127.0.0.1:1', rewardUrl: 'http://127.0.0.1:2' });
  assert.deepEqual(
    c.stages.map((s) => s.type),
    ['sft', 'eval', 'grpo', 'eval'],
  );
  assert.deepEqual(
    c.rewards.map((r) => r.name),
    ['accuracy', 'format', 'language_consistency'],
  );
});

test('the quick-start runs SFT until past the plateau on 3,000 written traces; the previous recipe stays as it was', () => {
  const urls = { rolloutUrl: 'http://127.0.0.1:1', rewardUrl: 'http://127.0.0.1:2', seed: 4 };
  const shape = (c: ReturnType<typeof quickstartRecipe>) => {
    if (typeof c.model === 'string' || !('builtin' in c.data) || c.data.builtin !== 'arithmetic')
      throw new Error('not the built-in recipe');
    return {
      kvHeads: c.model.tiny.kvHeads,
      train: c.data.train?.count,
      traces: [c.data.train?.trace, c.data.eval?.trace, c.data.rl?.trace],
      steps: c.stages.map((s) => s.steps),
      until: c.stages[0]?.until,
      sftMaxTokens: c.stages[0]?.sampling?.maxTokens,
      seed: c.seed,
    };
  };
  assert.deepEqual(shape(quickstartRecipe(urls)), {
    kvHeads: 4,
    train: 3000,
    traces: ['written', 'written', 'written'],
    steps: [1600, 10, 200, 10],
    until: { accuracy: 0.3, every: 50, from: 500, evalCount: 100, split: 'rl' },
    sftMaxTokens: 240,
    seed: 4,
  });
  assert.deepEqual(shape(previousQuickstartRecipe(urls)), {
    kvHeads: 2,
    train: 300,
    traces: [undefined, undefined, undefined],
    steps: [800, 10, 450, 10],
    until: undefined,
    sftMaxTokens: undefined,
    seed: 4,
  });
  // Everything else is shared: rewards, eval and GRPO sampling, the eval gate.
  const a = quickstartRecipe(urls);
  const b = previousQuickstartRecipe(urls);
  assert.deepEqual(b.rewards, a.rewards);
  assert.deepEqual(
    b.stages.slice(1).map((s) => ({ ...s, steps: 0 })),
    a.stages.slice(1).map((s) => ({ ...s, steps: 0 })),
  );
  assert.equal(quickstartRecipe({ ...urls, sftSteps: 900 }).stages[0]?.steps, 900);
});

test('the quick-start decodes room for its longest trace in every stage that samples', () => {
  const c = quickstartRecipe({ rolloutUrl: 'http://127.0.0.1:1', rewardUrl: 'http://127.0.0.1:2' });
  const data = loadRunData(c.data);
  // The tokenizer the tiny policy gets for this data (prepareBaseModel: extraChars from the data).
  const files = buildCharTokenizer({ extraChars: dataChars(data) });
  const tok = new HfTokenizer(files.tokenizer, files.tokenizerConfig);
  const longest = Math.max(...data.train.map((e) => tok.encode(e.completion ?? '').length));
  assert.ok(longest > 200, String(longest));
  for (const s of c.stages.filter((x) => x.type !== 'sft'))
    assert.ok(
      (s.sampling?.maxTokens ?? 256) >= longest + 16,
      `${s.name}: ${s.sampling?.maxTokens} < ${longest}`,
    );
});
