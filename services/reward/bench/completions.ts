import type { RewardItem } from '@grpo/contracts';

/** mulberry32: a tiny seeded PRNG so every bench run scores the same batch. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const steps = [
  'First, I need to understand what the question is asking.',
  'Let me compute the product of the two numbers step by step.',
  'Wait, I should double-check the carry in the tens place.',
  'So the intermediate result is correct, and I can move on.',
  'Alternatively, I could factor the expression before expanding it.',
  'Hmm, that does not match the earlier estimate, let me recheck.',
  'Adding the partial sums gives the final value.',
];
const zhSteps = ['首先，我需要理解这个问题。', '让我一步一步地计算。', '所以答案是正确的。'];

/**
 * R1-style completions for `count` arithmetic prompts: mostly the
 * `<think>\n...\n</think>\n<answer>\n...\n</answer>` template with 4-12 reasoning steps,
 * plus the failure shapes a policy produces early in training: missing answer tags,
 * mixed-language reasoning, wrong answers, repetition loops and empty output.
 */
export function r1Batch(count: number, seed = 1): RewardItem[] {
  const rand = rng(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
  return Array.from({ length: count }, (_, i) => {
    const a = 2 + Math.floor(rand() * 97);
    const b = 2 + Math.floor(rand() * 97);
    const answer = String(a * b);
    const n = 4 + Math.floor(rand() * 9);
    const think = Array.from({ length: n }, () => pick(steps));
    const kind = rand();
    let completion: string;
    let given = answer;
    if (kind < 0.1) given = String(a * b + 1 + Math.floor(rand() * 9));
    if (kind < 0.6) {
      completion = `<think>\n${think.join(' ')}\n${a} * ${b} = ${given}.\n</think>\n<answer>\n${given}\n</answer>`;
    } else if (kind < 0.75) {
      completion = `<think>\n${think.join(' ')} ${zhSteps.join('')}\n</think>\n<answer>\n${given}\n</answer>`;
    } else if (kind < 0.85) {
      completion = `${think.join(' ')} The answer is ${given}.`;
    } else if (kind < 0.95) {
      completion = `<think>\n${`${pick(steps)} `.repeat(12)}\n</think>\n<answer>\n\\boxed{${given}}\n</answer>`;
    } else {
      completion = '';
    }
    return {
      id: `q${i}`,
      prompt: `What is ${a} * ${b}? Think inside <think></think>, then answer inside <answer></answer>.`,
      completion,
      reference: answer,
      language: 'en',
    };
  });
}
