import { type Static, Type } from '@sinclair/typebox';
import { BAD_PARAMS, RewardSpecError } from '../errors.js';
import type { RewardFunction, RewardItem, RewardResult } from '../types.js';
import { answersMatch, extractFinalAnswer } from './answer-match.js';
import { codePointLength, wordCount } from './measure.js';

export const LengthParams = Type.Object(
  {
    method: Type.Union([Type.Literal('overlong'), Type.Literal('cosine')], {
      default: 'overlong',
      description:
        '`overlong`: DAPO soft overlong punishment (arXiv:2503.14476, Eq. 13); `cosine`: cosine-scaled length reward ' +
        "(Yeo et al., arXiv:2502.03373; open-r1 get_cosine_scaled_reward), which needs the completion's correctness.",
    }),
    unit: Type.Union([Type.Literal('chars'), Type.Literal('words')], {
      default: 'chars',
      description:
        'How length is measured (items carry text, not token ids): `chars` = Unicode code points (Python len, as open-r1); ' +
        '`words` = whitespace-separated words, each Han/kana/Thai character counting as one word.',
    }),
    maxLength: Type.Integer({
      default: 1000,
      minimum: 1,
      description: 'L_max of DAPO / max_len of the cosine reward (open-r1 default 1000), in `unit`s.',
    }),
    cacheLength: Type.Integer({
      default: 200,
      minimum: 0,
      description:
        '`overlong`: L_cache, the soft band before maxLength where the penalty ramps from 0 to -penaltyFactor. Must be <= maxLength.',
    }),
    penaltyFactor: Type.Number({
      default: 1,
      minimum: 0,
      description: '`overlong`: the penalty at and beyond maxLength (verl overlong_penalty_factor).',
    }),
    minValueWrong: Type.Number({
      default: -1,
      description: '`cosine`: reward of a wrong answer of length 0.',
    }),
    maxValueWrong: Type.Number({
      default: -0.5,
      description: '`cosine`: reward of a wrong answer of length >= maxLength.',
    }),
    minValueCorrect: Type.Number({
      default: 0.5,
      description: '`cosine`: reward of a correct answer of length >= maxLength.',
    }),
    maxValueCorrect: Type.Number({
      default: 1,
      description: '`cosine`: reward of a correct answer of length 0.',
    }),
    correctness: Type.Union([Type.Literal('auto'), Type.Literal('flag'), Type.Literal('match')], {
      default: 'auto',
      description:
        "`cosine`: where correctness comes from. `flag`: `reference.correct` (a boolean, e.g. the accuracy reward's verdict); " +
        '`match`: the final answer (last `<answer>` block or `\\boxed{}`) compared with the reference string or `reference.answer` ' +
        'after light normalization; `auto`: the flag when present, else match.',
    }),
  },
  { additionalProperties: false },
);
export type LengthParams = Static<typeof LengthParams>;

/** Length of `text` in `unit`. */
export function measureLength(text: string, unit: LengthParams['unit']): number {
  return unit === 'chars' ? codePointLength(text) : wordCount(text);
}

/**
 * DAPO soft overlong punishment (arXiv:2503.14476, Eq. 13; TRL get_soft_overlong_punishment):
 * 0 up to L_max - L_cache, then linear down to -1 at L_max, -1 beyond; scaled by `factor`.
 */
export function softOverlongPenalty(
  length: number,
  maxLength: number,
  cacheLength: number,
  factor = 1,
): number {
  const soft = maxLength - cacheLength;
  if (length <= soft) return 0;
  if (length > maxLength) return -factor;
  return ((soft - length) / cacheLength) * factor + 0;
}

/**
 * Cosine length scaling (Yeo et al. 2025, arXiv:2502.03373, Sec. 3.2; open-r1 get_cosine_scaled_reward):
 * correct answers go from maxValueCorrect (length 0) down to minValueCorrect (maxLength); wrong answers
 * from minValueWrong (length 0) up to maxValueWrong, so a long wrong attempt is penalized less than a short
 * guess. Lengths past maxLength are clamped (TRL does the same; open-r1's cosine would climb back up).
 */
export function cosineLengthReward(length: number, correct: boolean, p: LengthParams): number {
  const progress = Math.min(length / p.maxLength, 1);
  const cosine = Math.cos(progress * Math.PI);
  const [lo, hi] = correct ? [p.minValueCorrect, p.maxValueCorrect] : [p.maxValueWrong, p.minValueWrong];
  return lo + 0.5 * (hi - lo) * (1 + cosine);
}

/** The completion's correctness for the cosine reward, or a reason why it cannot be known. */
function correctnessOf(
  item: RewardItem,
  mode: LengthParams['correctness'],
): { correct: boolean; via: string } | string {
  const ref = item.reference;
  if (ref !== undefined && typeof ref === 'object' && mode !== 'match') {
    if (typeof ref.correct === 'boolean') return { correct: ref.correct, via: 'flag' };
    if (ref.correct !== undefined) return 'bad_reference';
  }
  if (mode === 'flag') return 'no_correct_flag';
  const answer = typeof ref === 'string' ? ref : typeof ref?.answer === 'string' ? ref.answer : undefined;
  if (answer === undefined) return ref === undefined ? 'no_reference' : 'bad_reference';
  const given = extractFinalAnswer(item.completion);
  return {
    correct: given !== undefined && answersMatch(given, answer),
    via: given === undefined ? 'no_answer' : 'match',
  };
}

export const lengthReward: RewardFunction<LengthParams> = {
  name: 'length',
  description:
    'Length shaping: DAPO soft overlong punishment (0 up to maxLength - cacheLength, linear to -1 at maxLength), or a ' +
    'cosine length reward that prefers short correct and long wrong answers. Length in chars or words.',
  params: LengthParams,
  kind: 'cpu',
  validate(p: LengthParams): void {
    if (p.method === 'overlong' && p.cacheLength > p.maxLength) {
      throw new RewardSpecError(
        BAD_PARAMS,
        'params.cacheLength',
        `params.cacheLength (${p.cacheLength}) must be <= params.maxLength (${p.maxLength})`,
      );
    }
  },
  score(item: RewardItem, p: LengthParams): RewardResult {
    const length = measureLength(item.completion, p.unit);
    if (p.method === 'overlong') {
      const score = softOverlongPenalty(length, p.maxLength, p.cacheLength, p.penaltyFactor);
      return {
        score,
        status: 'ok',
        ...(length > p.maxLength ? { reason: 'overlong' } : {}),
        details: { length, unit: p.unit, maxLength: p.maxLength, cacheLength: p.cacheLength },
      };
    }
    const c = correctnessOf(item, p.correctness);
    if (typeof c === 'string') {
      const status = c === 'bad_reference' ? 'error' : 'not_applicable';
      return { score: 0, status, reason: c, details: { length, unit: p.unit } };
    }
    const score = cosineLengthReward(length, c.correct, p);
    return {
      score,
      status: c.correct ? 'ok' : 'wrong',
      details: { length, unit: p.unit, maxLength: p.maxLength, correct: c.correct, correctness: c.via },
    };
  },
};
