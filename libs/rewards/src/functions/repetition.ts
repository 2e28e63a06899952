import { type Static, Type } from '@sinclair/typebox';
import type { RewardFunction, RewardItem, RewardResult } from '../types.js';
import { splitWords } from './measure.js';

export const RepetitionParams = Type.Object(
  {
    ngramSize: Type.Integer({
      default: 3,
      minimum: 1,
      maximum: 64,
      description: 'n of the n-grams (open-r1 and TRL default 3).',
    }),
    maxPenalty: Type.Number({
      default: -1,
      maximum: 0,
      description:
        'Score of a completion made of one repeated n-gram (must be <= 0; open-r1 and TRL default -1).',
    }),
    words: Type.Union([Type.Literal('whitespace_cjk'), Type.Literal('whitespace')], {
      default: 'whitespace_cjk',
      description:
        '`whitespace`: open-r1 exactly, `text.lower().split()`; `whitespace_cjk` (default): the same, and every ' +
        'Han/kana/Thai character is a word of its own so unspaced scripts are not one giant word. Identical on text ' +
        'without those scripts.',
    }),
  },
  { additionalProperties: false },
);
export type RepetitionParams = Static<typeof RepetitionParams>;

/** Distinct and total n-grams of a word sequence. */
export function ngramStats(words: readonly string[], n: number): { unique: number; total: number } {
  const total = words.length - n + 1;
  if (total <= 0) return { unique: 0, total: 0 };
  const seen = new Set<string>();
  if (n === 1) {
    for (const w of words) seen.add(w);
  } else {
    for (let i = 0; i < total; i++) {
      let key = words[i] as string;
      for (let j = 1; j < n; j++) key += `\u0000${words[i + j]}`;
      seen.add(key);
    }
  }
  return { unique: seen.size, total };
}

/**
 * N-gram repetition penalty (Yeo et al. 2025, arXiv:2502.03373, App. C.2; open-r1 get_repetition_penalty_reward):
 * (1 - distinct n-grams / total n-grams) * maxPenalty over the lowercased words. 0 for an empty completion or
 * one shorter than n words.
 */
export function repetitionPenalty(
  text: string,
  p: RepetitionParams,
): { score: number; unique: number; total: number } {
  const words = splitWords(text.toLowerCase(), p.words === 'whitespace_cjk');
  const { unique, total } = ngramStats(words, p.ngramSize);
  if (total === 0) return { score: 0, unique, total };
  // `+ 0` turns the -0 of a repetition-free text into 0.
  return { score: (1 - unique / total) * p.maxPenalty + 0, unique, total };
}

export const repetitionReward: RewardFunction<RepetitionParams> = {
  name: 'repetition',
  description:
    'N-gram repetition penalty (Demystifying Long CoT, App. C.2; open-r1): (1 - distinct/total n-grams) * maxPenalty, ' +
    'in [maxPenalty, 0], over lowercased whitespace words (CJK characters as words).',
  params: RepetitionParams,
  kind: 'cpu',
  score(item: RewardItem, p: RepetitionParams): RewardResult {
    const { score, unique, total } = repetitionPenalty(item.completion, p);
    return { score, status: 'ok', details: { ngrams: total, distinct: unique, ngramSize: p.ngramSize } };
  },
};
