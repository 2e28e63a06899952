import type { RunConfig, StageSpec } from '@grpo/contracts';
import { parseRunConfig } from './run/manager.js';

export interface QuickstartRecipeOptions {
  rolloutUrl: string;
  rewardUrl: string;
  runDir?: string;
  /** The run seed (data order and sampling); default 1, the seed the README's figures are from. */
  seed?: number;
  /** Most steps of the SFT cold start (it stops earlier at 30% on its checks); default 1,600. */
  sftSteps?: number;
}

/**
 * Below this held-out accuracy after the SFT cold start the quick-start stops instead of running
 * GRPO: from a policy still on the SFT plateau (0-6%) GRPO samples almost no correct answer
 * and has nothing to learn from (measured: 1-3% sampled accuracy over 130 steps from 6%).
 */
export const QUICKSTART_MIN_SFT_ACCURACY = 0.1;

/**
 * The quick-start's task: 3-digit addition and subtraction, a quarter of it in Chinese, worked
 * in the `written` trace (every column line writes its digit, so the answer is read back from
 * the written digits).
 */
const TASK = { minDigits: 3, maxDigits: 3, zhFraction: 0.25, ops: ['+', '-'], trace: 'written' } as const;
const GREEDY = { temperature: 0, maxTokens: 240 };

/**
 * The built-in quick-start recipe (`npm start`), after DeepSeek-R1's pipeline at toy scale: a
 * tiny policy (hidden 128, 2 layers, 4 heads each with its own key/value head) is cold-started
 * with SFT on 3,000 worked arithmetic traces in the R1 format (English and Chinese) until it
 * solves 30% of 100 `rl` problems (checked every 50 steps from step 500; at most `sftSteps`, the
 * span of its cosine schedule), evaluated on 400 held-out problems, trained with GRPO on
 * answer-only prompts with accuracy + format + language-consistency rewards, and evaluated
 * again. GRPO samples the next step while the current one trains (`overlapRollout`), which
 * needs the rollout service in a process of its own (`npm start` spawns it).
 */
export function quickstartRecipe(o: QuickstartRecipeOptions): RunConfig {
  return parseRunConfig({
    name: 'quickstart',
    model: { tiny: { hiddenSize: 128, layers: 2, heads: 4, kvHeads: 4, seed: 1 } },
    data: {
      builtin: 'arithmetic',
      train: { count: 3000, ...TASK, seed: 1 },
      eval: { count: 400, ...TASK, seed: 2 },
      rl: { count: 2000, ...TASK, seed: 3 },
    },
    rewards: [
      { name: 'accuracy', weight: 1 },
      { name: 'format', weight: 0.25 },
      { name: 'language_consistency', weight: 0.25 },
    ],
    stages: [
      {
        type: 'sft',
        name: 'sft',
        steps: o.sftSteps ?? 1600,
        lr: 3e-3,
        batch: 16,
        schedule: { kind: 'cosine', warmupSteps: 10, minLrRatio: 0.1 },
        sampling: GREEDY,
        until: { accuracy: 0.3, every: 50, from: 500, evalCount: 100, split: 'rl' },
      },
      {
        type: 'eval',
        name: 'eval-sft',
        evalCount: 400,
        sampling: GREEDY,
        minAccuracy: QUICKSTART_MIN_SFT_ACCURACY,
      },
      {
        type: 'grpo',
        name: 'grpo',
        steps: 200,
        lr: 5e-5,
        batch: 8,
        rolloutBatch: 16,
        overlapRollout: true,
        groupSize: 8,
        sampling: { temperature: 0.5, maxTokens: 240 },
        algorithm: { name: 'dapo' },
      },
      { type: 'eval', name: 'eval-grpo', evalCount: 400, sampling: GREEDY },
    ],
    rolloutUrl: o.rolloutUrl,
    rewardUrl: o.rewardUrl,
    checkpointEvery: 50,
    seed: o.seed ?? 1,
    ...(o.runDir ? { runDir: o.runDir } : {}),
  });
}

/**
 * The quick-start recipe shipped before the current one, kept so that the figures measured with
 * it reproduce (the benches take RECIPE=previous): 4 heads on 2 key/value heads, 300 `columns`
 * traces, 800 SFT steps (or `sftSteps`) with no early stop, 450 GRPO steps. Its SFT cold start
 * leaves the plateau within 800 steps for seed 1 only (README: "The previous recipe").
 */
export function previousQuickstartRecipe(o: QuickstartRecipeOptions): RunConfig {
  const r = quickstartRecipe(o);
  if (typeof r.model === 'string' || !('builtin' in r.data) || r.data.builtin !== 'arithmetic')
    throw new Error('unreachable: the built-in recipe');
  // Its splits had no trace field: the generator's default, `columns`.
  const untraced = <T extends { trace?: unknown }>({ trace: _, ...split }: T) => split;
  const data = {
    ...r.data,
    train: { ...untraced(r.data.train ?? {}), count: 300 },
    eval: untraced(r.data.eval ?? {}),
    rl: untraced(r.data.rl ?? {}),
  };
  const [sft, evalSft, grpo, evalGrpo] = r.stages as [StageSpec, StageSpec, StageSpec, StageSpec];
  const { until: _until, sampling: _sampling, ...fixed } = sft;
  return {
    ...r,
    model: { tiny: { ...r.model.tiny, kvHeads: 2 } },
    data,
    stages: [{ ...fixed, steps: o.sftSteps ?? 800 }, evalSft, { ...grpo, steps: 450 }, evalGrpo],
  };
}

export interface ToolRecipeOptions extends QuickstartRecipeOptions {
  /** true: SFT on tool traces and GRPO with the javascript tool; false: answer-only, no tools. */
  tools: boolean;
  sftSteps?: number;
  grpoSteps?: number;
  evalCount?: number;
  /** Digits of each operand (default 3). */
  digits?: number;
}

/**
 * The tool recipe: 3-digit multiplication (2-digit with `digits: 2`), which the tiny policy cannot do in its head. The
 * tools arm cold-starts on traces that call the interpreter (tool output masked), then trains
 * GRPO with tool-integrated rollouts; the no-tools arm gets the same budget (steps, batch,
 * group size, tokens) on answer-only traces without tools. Held-out accuracy after SFT and
 * after GRPO; measured in the README.
 */
export function toolRecipe(o: ToolRecipeOptions): RunConfig {
  const tools = o.tools
    ? { tools: { names: ['javascript' as const], maxCalls: 2, timeoutMs: 1000, maxOutputChars: 64 } }
    : {};
  const evalCount = o.evalCount ?? 100;
  const d = o.digits ?? 3;
  // A tool trace is about 70 tokens (call, output, answer): 96 leaves room; the same for both arms.
  const greedy = { sampling: { temperature: 0, maxTokens: 96 }, evalCount, ...tools };
  return parseRunConfig({
    name: o.tools ? 'tools' : 'no-tools',
    model: { tiny: { hiddenSize: 64, layers: 2, heads: 4, kvHeads: 2, seed: 1 } },
    data: {
      builtin: 'multiplication',
      tools: o.tools,
      train: { count: 400, seed: 1, minDigits: d, maxDigits: d },
      eval: { count: evalCount, seed: 2, minDigits: d, maxDigits: d },
      rl: { count: 1000, seed: 3, minDigits: d, maxDigits: d },
    },
    rewards: [{ name: 'accuracy', weight: 1 }],
    stages: [
      {
        type: 'sft',
        name: 'sft',
        steps: o.sftSteps ?? 1000,
        lr: 5e-3,
        batch: 16,
        schedule: { kind: 'cosine', warmupSteps: 10, minLrRatio: 0.1 },
      },
      { type: 'eval', name: 'eval-sft', ...greedy },
      {
        type: 'grpo',
        name: 'grpo',
        steps: o.grpoSteps ?? 30,
        lr: 2e-4,
        batch: 8,
        groupSize: 4,
        sampling: { temperature: 1, maxTokens: 96 },
        ...tools,
      },
      { type: 'eval', name: 'eval-grpo', ...greedy },
    ],
    rolloutUrl: o.rolloutUrl,
    rewardUrl: o.rewardUrl,
    checkpointEvery: 1000,
    seed: 1,
    ...(o.runDir ? { runDir: o.runDir } : {}),
  });
}
