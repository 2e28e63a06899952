import type { RunConfig } from '@grpo/contracts';
import { parseRunConfig } from './run/manager.js';

export interface QuickstartRecipeOptions {
  rolloutUrl: string;
  rewardUrl: string;
  runDir?: string;
}

/**
 * The built-in quick-start recipe (`npm start`), after DeepSeek-R1's pipeline at toy scale: a
 * tiny policy (hidden 64, 2 layers) is cold-started with SFT on worked arithmetic traces in the
 * R1 format (English and Chinese), evaluated on a held-out split, trained with GRPO on
 * answer-only prompts with accuracy + format + language-consistency rewards, and evaluated again.
 */
export function quickstartRecipe(o: QuickstartRecipeOptions): RunConfig {
  return parseRunConfig({
    name: 'quickstart',
    model: { tiny: { hiddenSize: 64, layers: 2, heads: 4, kvHeads: 2, seed: 1 } },
    data: {
      builtin: 'arithmetic',
      train: { count: 300, minDigits: 2, maxDigits: 2, zhFraction: 0.25, ops: ['+'], seed: 1 },
      eval: { count: 100, minDigits: 2, maxDigits: 2, zhFraction: 0.25, ops: ['+'], seed: 2 },
      rl: { count: 2000, minDigits: 2, maxDigits: 2, zhFraction: 0.25, ops: ['+'], seed: 3 },
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
        steps: 800,
        lr: 3e-3,
        batch: 16,
        schedule: { kind: 'cosine', warmupSteps: 10, minLrRatio: 0.1 },
      },
      { type: 'eval', name: 'eval-sft', evalCount: 100, sampling: { temperature: 0, maxTokens: 240 } },
      {
        type: 'grpo',
        name: 'grpo',
        steps: 300,
        lr: 5e-5,
        batch: 8,
        groupSize: 8,
        sampling: { temperature: 0.5, maxTokens: 240 },
        algorithm: { name: 'dapo' },
      },
      { type: 'eval', name: 'eval-grpo', evalCount: 100, sampling: { temperature: 0, maxTokens: 240 } },
    ],
    rolloutUrl: o.rolloutUrl,
    rewardUrl: o.rewardUrl,
    checkpointEvery: 50,
    seed: 1,
    ...(o.runDir ? { runDir: o.runDir } : {}),
  });
}
