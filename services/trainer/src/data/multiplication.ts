import type { Example } from './example.js';
import { mulberry32, randInt } from './rng.js';

/**
 * The tool recipe's task: multi-digit multiplication, which a tiny character-level policy
 * cannot carry out in its head but can hand to the interpreter. With `tools`, the trace writes
 * the product as JavaScript (markdown format), reads the tool output and copies it into the
 * answer; the output segment is tool text (masked in SFT, inserted by the rollout service in
 * RL). Without tools, the trace is the answer alone.
 */
export interface MultiplicationOptions {
  seed: number;
  count: number;
  /** Digits of each operand: uniform in [minDigits, maxDigits]. */
  minDigits: number;
  maxDigits: number;
  tools: boolean;
  idPrefix: string;
}

export const defaultMultiplicationOptions: Readonly<MultiplicationOptions> = Object.freeze({
  seed: 1,
  count: 200,
  minDigits: 3,
  maxDigits: 4,
  tools: true,
  idPrefix: 'mul',
});

/** The prompt of a product (the operands are what the held-out check compares). */
export const mulPrompt = (a: number, b: number) => `Compute ${a} * ${b}.`;

export function generateMultiplication(options: Partial<MultiplicationOptions> = {}): Example[] {
  const o = { ...defaultMultiplicationOptions, ...options };
  if (!(o.minDigits >= 1 && o.maxDigits >= o.minDigits && o.maxDigits <= 6))
    throw new RangeError(
      `digits must satisfy 1 <= minDigits <= maxDigits <= 6, got ${o.minDigits}..${o.maxDigits}`,
    );
  const rand = mulberry32(o.seed);
  const operand = () => {
    const d = randInt(rand, o.minDigits, o.maxDigits);
    return randInt(rand, 10 ** (d - 1), 10 ** d - 1);
  };
  const out: Example[] = [];
  for (let i = 0; i < o.count; i++) {
    const a = operand();
    const b = operand();
    const p = String(a * b);
    const answer = `<answer>${p}</answer>`;
    out.push({
      id: `${o.idPrefix}-${i}`,
      prompt: mulPrompt(a, b),
      answer: p,
      ...(o.tools
        ? {
            segments: [
              { text: `\`\`\`javascript\nconsole.log(${a} * ${b})\n\`\`\`` },
              { text: `\n\`\`\`output\n${p}\n\`\`\`\n`, tool: true },
              { text: answer },
            ],
          }
        : { completion: answer }),
    });
  }
  return out;
}
