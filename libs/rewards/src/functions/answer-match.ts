import { answerBlock } from './template.js';

/**
 * A deliberately simple answer check for the cosine length reward: the final answer is the last
 * `<answer>` block (its `\boxed{}` if it has one), else the last `\boxed{}` of the completion; it matches
 * the reference after light normalization (spaces, `$`, `\left`/`\right`, `\dfrac`, trailing period) or as
 * equal numbers (integers, decimals, `a/b`, `\frac{a}{b}`, thousands separators). Full math equivalence
 * is the `accuracy` reward's job: callers who need it pass its verdict as `reference: {correct: true}`.
 */

/** The content of the last `\boxed{…}` (or `\fbox{…}`) with balanced braces; undefined when none. */
export function lastBoxed(text: string): string | undefined {
  const at = Math.max(text.lastIndexOf('\\boxed'), text.lastIndexOf('\\fbox'));
  if (at === -1) return undefined;
  const open = text.indexOf('{', at);
  if (open === -1) return undefined;
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return text.slice(open + 1, i).trim();
  }
  return undefined;
}

/** The final answer of a completion, or undefined when it gave none. */
export function extractFinalAnswer(completion: string): string | undefined {
  const block = answerBlock(completion);
  if (block !== undefined) return lastBoxed(block) ?? block;
  return lastBoxed(completion);
}

export function normalizeAnswer(s: string): string {
  let t = s.trim();
  const boxed = lastBoxed(t);
  if (boxed !== undefined && /^\\(?:boxed|fbox)\s*\{/.test(t)) t = boxed;
  return t
    .replace(/\\(?:left|right)\b/g, '')
    .replace(/\\[dt]frac/g, '\\frac')
    .replace(/\\[,!;: ]/g, '')
    .replace(/[\s$]/g, '')
    .replace(/\\text\{([^{}]*)\}/g, '$1')
    .replace(/\.$/, '');
}

/** The value of a plain numeric answer, or undefined. */
export function numericValue(s: string): number | undefined {
  const t = s.replace(/(\d),(?=\d{3}\b)/g, '$1');
  const frac =
    /^(-?)\\frac\{(-?\d+(?:\.\d+)?)\}\{(-?\d+(?:\.\d+)?)\}$/.exec(t) ??
    /^(-?)(-?\d+(?:\.\d+)?)\/(-?\d+(?:\.\d+)?)$/.exec(t);
  if (frac) {
    const v = Number(frac[2]) / Number(frac[3]);
    return Number.isFinite(v) ? (frac[1] === '-' ? -v : v) : undefined;
  }
  if (/^[-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?$/i.test(t)) return Number(t);
  return undefined;
}

/** Whether two answers agree under {@link normalizeAnswer} or as numbers (relative tolerance 1e-9). */
export function answersMatch(answer: string, reference: string): boolean {
  const a = normalizeAnswer(answer);
  const b = normalizeAnswer(reference);
  if (a === b) return a !== '';
  const x = numericValue(a);
  const y = numericValue(b);
  if (x === undefined || y === undefined) return false;
  return Math.abs(x - y) <= 1e-9 * Math.max(1, Math.abs(x), Math.abs(y));
}
