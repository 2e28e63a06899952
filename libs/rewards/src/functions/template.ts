import { Type } from '@sinclair/typebox';

/**
 * Helpers for the R1 template `<think>…</think><answer>…</answer>` (DeepSeek-R1, arXiv:2501.12948,
 * Table 1), shared by the format, tags and language rewards.
 */

export const THINK_OPEN = '<think>';
export const THINK_CLOSE = '</think>';
export const ANSWER_OPEN = '<answer>';
export const ANSWER_CLOSE = '</answer>';

/** How to treat a `<think>` that the chat template wrote into the prompt instead of the model into the completion. */
export type PrefillMode = 'auto' | 'always' | 'never';

export const PrefillParam = Type.Union(
  [Type.Literal('auto'), Type.Literal('always'), Type.Literal('never')],
  {
    default: 'auto',
    description:
      "Prefilled `<think>`: `auto` prepends the prompt's trailing `<think>` (and the whitespace after it) to the completion " +
      'when the prompt ends with it (DeepSeek-R1-Distill and Qwen3 chat templates do this); `always` prepends `<think>\\n` ' +
      'to every completion that does not start with `<think>`; `never` scores the completion as it is.',
  },
);

/**
 * The text a chat template already emitted before the completion, when it opened the reasoning block.
 * Returns '' when nothing is to be prepended.
 */
export function prefillPrefix(prompt: string, completion: string, mode: PrefillMode): string {
  if (mode === 'never' || completion.startsWith(THINK_OPEN)) return '';
  if (mode === 'always') return completion.startsWith('\n') ? THINK_OPEN : `${THINK_OPEN}\n`;
  // auto: only the prompt decides, so a completion that merely forgot `<think>` is not excused.
  let end = prompt.length;
  while (end > 0 && isSpace(prompt.charCodeAt(end - 1))) end--;
  if (end < THINK_OPEN.length || !prompt.startsWith(THINK_OPEN, end - THINK_OPEN.length)) return '';
  return prompt.slice(end - THINK_OPEN.length);
}

function isSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9;
}

/** Number of non-overlapping occurrences of `needle` in `text`. */
export function countOf(text: string, needle: string): number {
  let n = 0;
  let i = text.indexOf(needle);
  while (i !== -1) {
    n++;
    i = text.indexOf(needle, i + needle.length);
  }
  return n;
}

/** Where the reasoning is, and whether it was closed. */
export interface Reasoning {
  /** The reasoning text, without the tags. */
  text: string;
  /** `think`: a `<think>` block; `prefilled`: text before a `</think>` with no `<think>`; `completion`: no block. */
  source: 'think' | 'prefilled' | 'completion';
  /** False when the block was opened and never closed (a truncated completion). */
  closed: boolean;
}

/**
 * The reasoning of a completion: the first `<think>` block (to the end of the text when it was never
 * closed), else the text before a lone `</think>` (the template prefilled `<think>`), else undefined.
 */
export function thinkBlock(text: string): Reasoning | undefined {
  const open = text.indexOf(THINK_OPEN);
  const close = text.indexOf(THINK_CLOSE, open === -1 ? 0 : open + THINK_OPEN.length);
  if (open !== -1) {
    const start = open + THINK_OPEN.length;
    return close === -1
      ? { text: text.slice(start), source: 'think', closed: false }
      : { text: text.slice(start, close), source: 'think', closed: true };
  }
  if (close !== -1) return { text: text.slice(0, close), source: 'prefilled', closed: true };
  return undefined;
}

/** The content of the last `<answer>…</answer>` block, trimmed; undefined when there is none. */
export function answerBlock(text: string): string | undefined {
  const close = text.lastIndexOf(ANSWER_CLOSE);
  if (close === -1) return undefined;
  const open = text.lastIndexOf(ANSWER_OPEN, close);
  if (open === -1) return undefined;
  return text.slice(open + ANSWER_OPEN.length, close).trim();
}

const FENCE = /```[\s\S]*?(?:```|$)|~~~[\s\S]*?(?:~~~|$)/g;
const INLINE_CODE = /`[^`\n]+`/g;

/**
 * Replaces fenced code blocks (closed or running to the end of the text) and inline code spans with
 * spaces of the same length, so indices into the text stay valid.
 */
export function maskCode(text: string): string {
  if (!text.includes('`') && !text.includes('~~~')) return text;
  return text.replace(FENCE, blank).replace(INLINE_CODE, blank);
}

function blank(m: string): string {
  return ' '.repeat(m.length);
}
