import { type Static, Type } from '@sinclair/typebox';
import type { RewardFunction, RewardItem, RewardResult } from '../types.js';
import {
  ANSWER_CLOSE,
  ANSWER_OPEN,
  countOf,
  maskCode,
  PrefillParam,
  prefillPrefix,
  THINK_CLOSE,
  THINK_OPEN,
} from './template.js';

export const TagsParams = Type.Object(
  {
    mode: Type.Union([Type.Literal('count'), Type.Literal('position')], {
      default: 'count',
      description:
        '`count`: open-r1 `tag_count_reward`, credit when each of `<think>\\n`, `\\n</think>\\n`, `\\n<answer>\\n`, ' +
        '`\\n</answer>` occurs exactly once; `position`: credit per tag when it occurs exactly once outside code ' +
        'blocks and in its place (`<think>` first, then `</think>`, `<answer>`, and `</answer>` last), whitespace-tolerant.',
    }),
    perTag: Type.Number({
      default: 0.25,
      minimum: 0,
      description:
        'Credit per well-placed tag; 4 tags, so the default 0.25 gives 1 for a perfect completion.',
    }),
    prefill: PrefillParam,
  },
  { additionalProperties: false },
);
export type TagsParams = Static<typeof TagsParams>;

/** Which of the four tags earned credit, in template order. */
export type TagChecks = [thinkOpen: boolean, thinkClose: boolean, answerOpen: boolean, answerClose: boolean];

/**
 * open-r1 src/open_r1/rewards.py tag_count_reward (adapted there from willccbb's GRPO demo): each marker
 * with its newlines must occur exactly once.
 */
export function countTags(text: string): TagChecks {
  return [
    countOf(text, '<think>\n') === 1,
    countOf(text, '\n</think>\n') === 1,
    countOf(text, '\n<answer>\n') === 1,
    countOf(text, '\n</answer>') === 1,
  ];
}

/** Each tag once (tags inside code blocks do not count), in template order, `<think>` first and `</answer>` last. */
export function positionTags(text: string): TagChecks {
  const masked = maskCode(text);
  const tags = [THINK_OPEN, THINK_CLOSE, ANSWER_OPEN, ANSWER_CLOSE];
  const at = tags.map((t) => (countOf(masked, t) === 1 ? masked.indexOf(t) : -1));
  const [to, tc, ao, ac] = at as [number, number, number, number];
  const firstNonSpace = masked.length - masked.trimStart().length;
  return [
    to !== -1 && to === firstNonSpace,
    tc !== -1 && (to === -1 || tc > to),
    ao !== -1 && (tc === -1 ? to === -1 || ao > to : ao > tc),
    ac !== -1 && (ao === -1 || ac > ao) && masked.slice(ac + ANSWER_CLOSE.length).trim() === '',
  ];
}

export const tagsReward: RewardFunction<TagsParams> = {
  name: 'tags',
  description:
    'Partial credit per well-placed R1 template tag (`perTag` each for `<think>`, `</think>`, `<answer>`, `</answer>`): ' +
    'open-r1 tag_count_reward by default, or a position-aware mode that ignores tags inside code blocks.',
  params: TagsParams,
  kind: 'cpu',
  score(item: RewardItem, params: TagsParams): RewardResult {
    const prefix = prefillPrefix(item.prompt, item.completion, params.prefill);
    const text = prefix + item.completion;
    const checks = params.mode === 'count' ? countTags(text) : positionTags(text);
    const found = checks.filter(Boolean).length;
    const details = {
      mode: params.mode,
      prefilled: prefix !== '',
      thinkOpen: checks[0],
      thinkClose: checks[1],
      answerOpen: checks[2],
      answerClose: checks[3],
    };
    return {
      score: found * params.perTag,
      status: found === 4 ? 'ok' : 'wrong',
      ...(found === 4 ? {} : { reason: found === 0 ? 'no_tags' : 'missing_tags' }),
      details,
    };
  },
};
