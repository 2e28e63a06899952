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

export const FormatParams = Type.Object(
  {
    mode: Type.Union([Type.Literal('strict'), Type.Literal('whitespace'), Type.Literal('think')], {
      default: 'strict',
      description:
        '`strict`: open-r1 `format_reward`, the regex `^<think>\\n.*?\\n</think>\\n<answer>\\n.*?\\n</answer>$` with ' +
        'DOTALL|MULTILINE; `whitespace`: any whitespace around the four tags, each tag exactly once outside code blocks, ' +
        'nothing outside them; ' +
        '`think`: TRL `think_format_reward`, the completion starts with the only `<think>` and closes it (no answer tags needed).',
    }),
    prefill: PrefillParam,
    trailingText: Type.Boolean({
      default: true,
      description:
        '`strict` only. true (open-r1): text after `</answer>` is accepted when it starts on a new line, because ' +
        'open-r1 runs its regex with re.MULTILINE, where `$` matches at every line end. false: only whitespace may follow.',
    }),
  },
  { additionalProperties: false },
);
export type FormatParams = Static<typeof FormatParams>;

/**
 * open-r1 src/open_r1/rewards.py format_reward: `re.match(r"^<think>\n.*?\n</think>\n<answer>\n.*?\n</answer>$",
 * text, re.DOTALL | re.MULTILINE)`. re.match anchors at the start; under MULTILINE `$` also matches before any
 * newline. Evaluated with indexOf instead of a backtracking regex, so a degenerate loop of tags stays linear:
 * the earliest `\n</think>\n<answer>\n` leaves the most room for the answer, so only it needs checking.
 */
export function matchesOpenR1Format(text: string, trailingText = true): boolean {
  const head = '<think>\n';
  const middle = '\n</think>\n<answer>\n';
  const tail = '\n</answer>';
  if (!text.startsWith(head)) return false;
  const p = text.indexOf(middle, head.length);
  if (p === -1) return false;
  const q = p + middle.length;
  if (!trailingText) {
    const r = text.lastIndexOf(tail);
    return r >= q && text.slice(r + tail.length).trim() === '';
  }
  for (let r = text.indexOf(tail, q); r !== -1; r = text.indexOf(tail, r + 1)) {
    const after = r + tail.length;
    if (after === text.length || text.charCodeAt(after) === 10) return true;
  }
  return false;
}

const WHITESPACE = /^\s*<think>[\s\S]*?<\/think>\s*<answer>[\s\S]*?<\/answer>\s*$/;

const TAGS = [THINK_OPEN, THINK_CLOSE, ANSWER_OPEN, ANSWER_CLOSE] as const;
const TAG_NAMES = ['think_open', 'think_close', 'answer_open', 'answer_close'] as const;

/** True when `text` follows the template under `mode`. */
export function matchesFormat(text: string, mode: FormatParams['mode'], trailingText = true): boolean {
  switch (mode) {
    case 'strict':
      return matchesOpenR1Format(text, trailingText);
    case 'whitespace': {
      // Tags quoted inside code blocks are content, not structure.
      const masked = maskCode(text);
      return TAGS.every((t) => countOf(masked, t) === 1) && WHITESPACE.test(masked);
    }
    case 'think': {
      // TRL format_rewards.py: ^<think>(?!.*<think>)(.*?)</think>.*$ with DOTALL.
      if (!text.startsWith(THINK_OPEN)) return false;
      if (text.indexOf(THINK_OPEN, THINK_OPEN.length) !== -1) return false;
      return text.indexOf(THINK_CLOSE, THINK_OPEN.length) !== -1;
    }
  }
}

/** A short reason why a text misses the template, for debugging rollouts. */
export function diagnoseFormat(text: string, mode: FormatParams['mode']): string {
  if (text.trim() === '') return 'empty';
  const counts = TAGS.map((t) => countOf(text, t));
  const needed = mode === 'think' ? 2 : 4;
  if (counts.slice(0, needed).every((c) => c === 0)) return 'no_tags';
  for (let i = 0; i < needed; i++) if (counts[i] === 0) return `missing_${TAG_NAMES[i]}`;
  if (counts.slice(0, needed).some((c) => c > 1)) return 'duplicate_tags';
  const at = TAGS.slice(0, needed).map((t) => text.indexOf(t));
  for (let i = 1; i < needed; i++) if ((at[i] as number) < (at[i - 1] as number)) return 'tag_order';
  if (text.slice(0, at[0]).trim() !== '') return 'text_before_think';
  if (mode !== 'think') {
    if (text.slice((at[1] as number) + THINK_CLOSE.length, at[2]).trim() !== '') return 'text_between_blocks';
    if (text.slice((at[3] as number) + ANSWER_CLOSE.length).trim() !== '') return 'text_after_answer';
  }
  return 'layout';
}

export const formatReward: RewardFunction<FormatParams> = {
  name: 'format',
  description:
    'R1 template check (DeepSeek-R1): 1 when the completion is `<think>\\n…\\n</think>\\n<answer>\\n…\\n</answer>` ' +
    '(open-r1 format_reward by default; whitespace-tolerant and think-only modes), else 0. Tolerates a `<think>` ' +
    'prefilled by the chat template.',
  params: FormatParams,
  kind: 'cpu',
  score(item: RewardItem, params: FormatParams): RewardResult {
    const prefix = prefillPrefix(item.prompt, item.completion, params.prefill);
    const text = prefix + item.completion;
    const details = { mode: params.mode, prefilled: prefix !== '' };
    if (matchesFormat(text, params.mode, params.trailingText)) return { score: 1, status: 'ok', details };
    return { score: 0, status: 'wrong', reason: diagnoseFormat(text, params.mode), details };
  },
};
