import { type Static, Type } from '@sinclair/typebox';
import type { RewardContext, RewardFunction, RewardItem, RewardResult } from '../types.js';
import { DEFAULT_MAX_ANSWER_CHARS, DEFAULT_TIMEOUT_MS } from './limits.js';
import { verifyMath } from './verify.js';

export const AccuracyParams = Type.Object(
  {
    timeoutMs: Type.Integer({
      minimum: 1,
      maximum: 60_000,
      default: DEFAULT_TIMEOUT_MS,
      description: 'Time budget per item (ms); a pair that runs out gets status error, reason timeout.',
    }),
    floatTolerance: Type.Number({
      minimum: 0,
      maximum: 0.1,
      default: 1e-6,
      description: 'Relative tolerance for numbers that are not both exact rationals.',
    }),
    lastNumberFallback: Type.Boolean({
      default: true,
      description: 'Without an answer marker, grade the last math block or number of the completion.',
    }),
    maxAnswerChars: Type.Integer({
      minimum: 1,
      maximum: 10_000,
      default: DEFAULT_MAX_ANSWER_CHARS,
      description: 'Longest extracted answer that is parsed; longer predictions are unparseable.',
    }),
    equationRhs: Type.Boolean({ default: true, description: 'Accept `x = 2` for `2` and the reverse.' }),
    strictPercent: Type.Boolean({
      default: false,
      description: 'When true `50%` matches only `0.5`; by default it also matches `50`.',
    }),
    orderedLists: Type.Boolean({
      default: true,
      description:
        'A plain comma list is ordered (`3, 8, -1` is not `8, 3, -1`) unless either side is written as a set; false compares every list as a set.',
    }),
    roundedDecimals: Type.Boolean({
      default: true,
      description:
        'A decimal with 2+ significant digits equals an exact value with no finite decimal form that it correctly rounds (`0.67` for 2/3).',
    }),
  },
  { additionalProperties: false },
);
export type AccuracyParams = Static<typeof AccuracyParams>;

function referenceOf(item: RewardItem): string | null {
  const r = item.reference;
  if (typeof r === 'string') return r;
  if (r && typeof r === 'object' && typeof r.answer === 'string') return r.answer;
  if (r && typeof r === 'object' && typeof r.answer === 'number') return String(r.answer);
  return null;
}

/**
 * The math accuracy reward of DeepSeekMath (Shao et al. 2024) and DeepSeek-R1 (2025):
 * 1 when the completion's final answer equals the reference, else 0.
 */
export const accuracy: RewardFunction<AccuracyParams> = {
  name: 'accuracy',
  description:
    'Math answer correctness: extracts the final answer (\\boxed{}, <answer>, "the answer is", ####, last number) from the completion and the reference, parses LaTeX, and checks equivalence of numbers, fractions, percentages, expressions, equations, inequalities, intervals, sets, tuples, matrices and complex numbers. 1 if equal, else 0.',
  params: AccuracyParams,
  kind: 'cpu',
  score(item: RewardItem, params: AccuracyParams, ctx: RewardContext): RewardResult {
    const reference = referenceOf(item);
    if (reference === null) return { score: 0, status: 'not_applicable', reason: 'no_reference' };
    const r = verifyMath(reference, item.completion ?? '', { ...params, deadlineMs: ctx.deadlineMs });
    const details: Record<string, unknown> = {};
    if (r.gold !== undefined) details.gold = r.gold;
    if (r.prediction !== undefined) details.extracted = r.prediction;
    if (r.predictionMethod) details.method = r.predictionMethod;
    if (r.rule) details.rule = r.rule;
    const result: RewardResult = { score: r.status === 'ok' ? 1 : 0, status: r.status, details };
    if (r.reason) result.reason = r.reason;
    return result;
  },
};
