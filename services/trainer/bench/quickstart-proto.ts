/**
 * Prototype of the quick-start recipe, in-process (no HTTP): a tiny policy, an SFT cold start
 * on worked arithmetic traces, then GRPO on answer-only prompts with accuracy + format +
 * language-consistency rewards; held-out accuracy (greedy, 100 problems) after each stage.
 *
 *   node --conditions=source --import tsx services/trainer/bench/quickstart-proto.ts
 *
 * Every knob is an env var (defaults below: the best settings measured so far). Prints one
 * JSON line per stage and a summary. `SHOW=n` prints the first n eval completions.
 *
 * Findings (2 cores, Node 20, hidden 64, 2 layers, 2-digit problems; not yet at the target):
 * - 300 traces (+ and -, 25% zh), 600 SFT steps: the policy learns the template (format 1.0)
 *   but not to copy the operands from the prompt; held-out accuracy 1-6%. Hidden 128 (400
 *   steps) and SFT lr 1e-2 did no better. It memorises the few traces instead of learning the
 *   copy (a fresh-data copy task is learned in 100 steps by the same model).
 * - 3000 traces (+ only, en), 400 SFT steps (batch 16, lr 3e-3 cosine): copying is learned,
 *   held-out accuracy 13% greedy, 6-8% when sampled at T 0.5-0.7; about 60-160 s.
 * - GRPO from there (8 prompts x G 8, preset dapo, T 0.7): the learning rate decides it.
 *   lr 1e-3 collapses the template within 10 steps; 1e-4..5e-4 drift the policy (Adam's
 *   normalised steps on a gradient that is mostly noise when 38-88% of groups have equal
 *   rewards) and accuracy falls to 0-3%, with accuracy-only rewards and with dr_grpo too;
 *   5e-5 holds (13% -> 11%); 2e-5 gains: 13% -> 18% after 60 steps (212 s in all).
 *   An overlong cache of maxTokens/4 penalised normal-length traces and shortened them, hence
 *   maxTokens/8 with MAX_TOKENS 240 (traces are <= ~175 tokens).
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createTinyPolicy, type Policy, PolicyEngine } from '@grpo/model';
import { createDefaultRegistry, type RewardItem } from '@grpo/rewards';
import { type GroupBatch, GrpoStep, SftStep } from '../src/algorithm/index.js';
import { type Example, generateArithmetic } from '../src/data/index.js';

const env = (k: string, d: number) => (process.env[k] !== undefined ? Number(process.env[k]) : d);
const S = {
  seed: env('SEED', 1),
  hidden: env('HIDDEN', 64),
  layers: env('LAYERS', 2),
  heads: env('HEADS', 4),
  threads: env('THREADS', 2),
  minDigits: env('MIN_DIGITS', 2),
  maxDigits: env('MAX_DIGITS', 2),
  zh: env('ZH', 0),
  sftExamples: env('SFT_EXAMPLES', 3000),
  sftSteps: env('SFT_STEPS', 400),
  sftBatch: env('SFT_BATCH', 16),
  sftLr: env('SFT_LR', 3e-3),
  grpoSteps: env('GRPO_STEPS', 60),
  prompts: env('PROMPTS', 8),
  G: env('G', 8),
  grpoLr: env('GRPO_LR', 2e-5),
  temperature: env('TEMP', 0.7),
  maxTokens: env('MAX_TOKENS', 240),
  evalCount: env('EVAL', 100),
  wFormat: env('W_FORMAT', 0.25),
  wLang: env('W_LANG', 0.25),
  sftEvalEvery: env('SFT_EVAL_EVERY', 0),
};
const preset = (process.env.PRESET ?? 'dapo') as 'grpo' | 'dapo' | 'dr_grpo';

function mulberry(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ops = (process.env.OPS ?? '+').split('') as ('+' | '-')[];
const opts = { minDigits: S.minDigits, maxDigits: S.maxDigits, zhFraction: S.zh, ops };
const zhChars = [
  ...new Set(
    generateArithmetic({ ...opts, count: 500, zhFraction: 1, seed: 99 })
      .map((e) => e.prompt + e.completion)
      .join(''),
  ),
]
  .filter((c) => c.charCodeAt(0) > 127)
  .join('');

const key = (e: Example) => e.prompt.replace(/[^0-9+-]/g, ' ').trim();
const evalSet = generateArithmetic({ ...opts, seed: 1000 + S.seed, count: S.evalCount, idPrefix: 'eval' });
const held = new Set(evalSet.map(key));
const sftSet = generateArithmetic({ ...opts, seed: S.seed, count: S.sftExamples * 2, idPrefix: 'sft' })
  .filter((e) => !held.has(key(e)))
  .slice(0, S.sftExamples);
const rlSet = generateArithmetic({ ...opts, seed: 2000 + S.seed, count: 4000, idPrefix: 'rl' }).filter(
  (e) => !held.has(key(e)),
);

const registry = createDefaultRegistry();
const spec = registry.resolve([
  { name: 'accuracy', weight: 1 },
  { name: 'format', weight: S.wFormat },
  { name: 'language_consistency', weight: S.wLang },
]);

async function reward(e: Example, completion: string) {
  const item: RewardItem = {
    id: e.id,
    prompt: e.prompt,
    completion,
    reference: e.answer,
    ...(e.language ? { language: e.language } : {}),
  };
  const components: Record<string, number> = {};
  let total = 0;
  for (const s of spec) {
    const r = await s.fn.score(item, s.params, {});
    components[s.name] = r.score;
    total += s.weight * r.score;
  }
  return { total, components };
}

const promptText = (e: Example) => `${e.prompt}\n`;

async function evaluate(engine: PolicyEngine, p: Policy) {
  const t0 = performance.now();
  let correct = 0;
  let formatted = 0;
  const chunk = 50;
  for (let i = 0; i < evalSet.length; i += chunk) {
    const part = evalSet.slice(i, i + chunk);
    const out = await engine.generate({
      prompts: part.map((e) => p.tokenizer.encode(promptText(e))),
      maxTokens: S.maxTokens,
      temperature: 0,
    });
    for (let j = 0; j < part.length; j++) {
      if (process.env.SHOW && i + j < Number(process.env.SHOW))
        console.log(
          JSON.stringify({
            prompt: part[j]!.prompt,
            answer: part[j]!.answer,
            completion: out.completions[j]![0]!.text,
          }),
        );
      const r = await reward(part[j]!, out.completions[j]![0]!.text ?? '');
      correct += r.components.accuracy!;
      formatted += r.components.format!;
    }
  }
  return {
    accuracy: correct / evalSet.length,
    format: formatted / evalSet.length,
    ms: Math.round(performance.now() - t0),
  };
}

async function main() {
  const tAll = performance.now();
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'quickstart-'));
  const session = { intraOpNumThreads: S.threads, interOpNumThreads: 1 };
  const p = await createTinyPolicy({
    dir,
    seed: S.seed,
    hiddenSize: S.hidden,
    layers: S.layers,
    heads: S.heads,
    kvHeads: Math.min(2, S.heads),
    extraChars: zhChars,
  });
  const eos = p.config.eosTokenIds[0]!;
  console.log(JSON.stringify({ settings: S, ops, preset, vocab: p.config.vocabSize }));

  // Stage 1: SFT cold start.
  const sft = await SftStep.create({ config: p.config, tensors: p.tensors, session });
  const examples = sftSet.map((e) => ({
    promptIds: p.tokenizer.encode(promptText(e)),
    completionIds: [...p.tokenizer.encode(e.completion!), eos],
  }));
  const rand = mulberry(S.seed);
  const tSft = performance.now();
  let order: number[] = [];
  for (let s = 0; s < S.sftSteps; s++) {
    if (order.length < S.sftBatch) {
      const perm = examples.map((_, i) => i);
      for (let i = perm.length - 1; i > 0; i--) {
        const j = Math.floor(rand() * (i + 1));
        [perm[i], perm[j]] = [perm[j]!, perm[i]!];
      }
      order = order.concat(perm);
    }
    const idx = order.splice(0, S.sftBatch);
    // Cosine decay to 10% over the stage.
    const lr = S.sftLr * (0.1 + 0.45 * (1 + Math.cos((Math.PI * s) / S.sftSteps)));
    const m = await sft.step(
      idx.map((i) => examples[i]!),
      lr,
    );
    if (s % 25 === 0 || s === S.sftSteps - 1)
      console.log(
        JSON.stringify({ stage: 'sft', step: s, loss: +m.loss.toFixed(4), ms: Math.round(m.time_total_ms) }),
      );
    if (S.sftEvalEvery > 0 && (s + 1) % S.sftEvalEvery === 0) {
      const e = await PolicyEngine.create({ ...p, tensors: sft.tensors() }, { session });
      const cpuS = +((process.cpuUsage().user + process.cpuUsage().system) / 1e6).toFixed(1);
      console.log(JSON.stringify({ stage: 'sft-eval', step: s + 1, cpuS, ...(await evaluate(e, p)) }));
      await e.release();
    }
  }
  const sftMs = performance.now() - tSft;
  const sftWeights = sft.tensors();
  await sft.release();
  const engine = await PolicyEngine.create({ ...p, tensors: sftWeights }, { session });
  const afterSft = await evaluate(engine, p);
  console.log(JSON.stringify({ stage: 'eval-sft', ...afterSft, sftMs: Math.round(sftMs) }));

  // Stage 2: GRPO on answer-only prompts.
  const step = await GrpoStep.create({
    config: p.config,
    tensors: sftWeights,
    algorithm: {
      preset,
      overlong: { maxLength: S.maxTokens, cacheLength: Math.max(1, Math.floor(S.maxTokens / 8)) },
    },
    session,
  });
  const tGrpo = performance.now();
  let cursor = 0;
  let sampleMs = 0;
  let rewardMs = 0;
  for (let s = 0; s < S.grpoSteps; s++) {
    const part = rlSet.slice(cursor, cursor + S.prompts);
    cursor += S.prompts;
    const prompts = part.map((e) => p.tokenizer.encode(promptText(e)));
    const t0 = performance.now();
    const out = await engine.generate({
      prompts,
      groupSize: S.G,
      maxTokens: S.maxTokens,
      temperature: S.temperature,
      seed: 10_000 + s,
    });
    const t1 = performance.now();
    const batch: GroupBatch[] = [];
    for (let i = 0; i < part.length; i++) {
      const completions = [];
      for (const c of out.completions[i]!) {
        const r = await reward(part[i]!, c.text ?? '');
        completions.push({
          tokenIds: c.tokenIds,
          logprobs: c.logprobs,
          rewardTotal: r.total,
          rewardComponents: r.components,
        });
      }
      batch.push({ promptIds: prompts[i]!, completions });
    }
    const t2 = performance.now();
    sampleMs += t1 - t0;
    rewardMs += t2 - t1;
    const { metrics: m } = await step.step(batch, { lr: S.grpoLr, temperature: S.temperature });
    await engine.swapWeights(step.tensors());
    if (s % 5 === 0 || s === S.grpoSteps - 1)
      console.log(
        JSON.stringify({
          stage: 'grpo',
          step: s,
          reward: +m.reward_mean.toFixed(3),
          acc: +(m.reward_components.accuracy ?? 0).toFixed(3),
          fmt: +(m.reward_components.format ?? 0).toFixed(3),
          len: Math.round(m.completion_length_mean),
          zeroStd: +m.zero_std_group_fraction.toFixed(2),
          clip: +m.clip_fraction.toFixed(3),
          entropy: +m.entropy.toFixed(3),
          sampleMs: Math.round(t1 - t0),
          scoreMs: Math.round(m.time_score_ms + m.time_reference_ms),
          updateMs: Math.round(m.time_update_ms),
        }),
      );
  }
  const grpoMs = performance.now() - tGrpo;
  const afterGrpo = await evaluate(engine, p);
  console.log(JSON.stringify({ stage: 'eval-grpo', ...afterGrpo, grpoMs: Math.round(grpoMs) }));
  console.log(
    JSON.stringify({
      summary: true,
      accuracyAfterSft: afterSft.accuracy,
      accuracyAfterGrpo: afterGrpo.accuracy,
      gainPoints: +(100 * (afterGrpo.accuracy - afterSft.accuracy)).toFixed(1),
      sftS: +(sftMs / 1000).toFixed(1),
      grpoS: +(grpoMs / 1000).toFixed(1),
      grpoSampleS: +(sampleMs / 1000).toFixed(1),
      grpoRewardS: +(rewardMs / 1000).toFixed(1),
      totalS: +((performance.now() - tAll) / 1000).toFixed(1),
      cpuS: +((process.cpuUsage().user + process.cpuUsage().system) / 1e6).toFixed(1),
    }),
  );
  await engine.release();
  await step.release();
  await fs.rm(dir, { recursive: true, force: true });
}

await main();
