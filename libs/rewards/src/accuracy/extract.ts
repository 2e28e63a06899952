/**
 * Answer extraction from a completion or a reference. Completions are scanned in full (every
 * scan here is linear: indexOf, one brace-matching pass, and regexes without nested
 * quantifiers), in this order of trust:
 *  1. the `<answer>…</answer>` block (DeepSeek-R1 template), searched again inside;
 *  2. the last `\boxed{…}` / `\fbox{…}` (nested braces counted), as in Hendrycks MATH and Minerva;
 *  3. the last "final answer is …", "the answer is …", "Answer: …" (and other languages);
 *  4. the last `#### …` line (GSM8K, Cobbe et al. 2021);
 *  5. a marker-free text taken whole (references: datasets give bare answers; predictions only
 *     when they are bare math or one word);
 *  6. fallback (param `lastNumberFallback`): whichever comes last of the last inline/display
 *     math block and the last number.
 */
import { boxedAnswers, findBoxes, referenceBoxed, unclosedBoxed } from './boxes.js';
import { normalizeAnswer } from './normalize.js';
import { afterPhrase } from './phrases.js';

export { lastBoxed } from './boxes.js';

export type ExtractMethod =
  | 'answer_tag'
  | 'boxed'
  | 'boxes'
  | 'phrase'
  | 'gsm8k'
  | 'latex'
  | 'last_number'
  | 'whole';

export interface Extracted {
  answer: string;
  method: ExtractMethod;
  /**
   * Several answers the text may hold, in order, when there are two or more: every top-level
   * box (method `boxed`), or the run of math blocks joined by commas or and/or that the
   * fallback's last block ends (method `latex`). verify.ts tries them against a gold list.
   */
  parts?: string[];
  /** The parts were joined by and/or: as a list they are a set (compare.ts, `unorderedGold`). */
  partsJoined?: boolean;
}

export interface ExtractOptions {
  /** Allow the fallback of step 5. */
  lastNumberFallback: boolean;
  /**
   * Marker-free text taken whole: `text` when it is not prose (references: datasets give bare
   * answers, also words such as `Monday`), `bare` only when it has no words besides function
   * names or is one single word (predictions: "it is 4" must not parse as i*t*i*s*4), `off` never.
   */
  whole: 'text' | 'bare' | 'off';
  /** Longest marker-free text taken whole (default 2000 chars); longer ones go to the fallback. */
  maxWholeChars?: number;
  /**
   * References: several boxes are several answers (all top-level boxes, in order, form one
   * list), and a box left open at the end holds the rest of the text.
   */
  reference?: boolean;
}

function lastAnswerTag(text: string): string | null {
  const open = text.lastIndexOf('<answer>');
  if (open < 0) return null;
  const end = text.indexOf('</answer>', open);
  return text.slice(open + 8, end < 0 ? text.length : end);
}

function afterHashes(text: string): string | null {
  const i = text.lastIndexOf('####');
  if (i < 0) return null;
  const s = text
    .slice(i + 4)
    .split('\n')[0]!
    .trim();
  return s.length ? s : null;
}

const DELIMS: [open: string, close: string][] = [
  ['$$', '$$'],
  ['\\[', '\\]'],
  ['\\(', '\\)'],
  ['$', '$'],
];

/**
 * Inline and display math blocks (`$…$`, `$$…$$`, `\(…\)`, `\[…\]`) in order, found with
 * indexOf so that many unclosed openers cost linear time, not quadratic regex backtracking.
 */
export function mathBlocks(text: string): { s: string; start: number; end: number }[] {
  const out: { s: string; start: number; end: number }[] = [];
  const closed = new Set<string>(); // delimiters with no closer left in the text
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c !== '$' && c !== '\\') {
      i++;
      continue;
    }
    let matched = false;
    for (const [open, close] of DELIMS) {
      if (closed.has(open) || !text.startsWith(open, i)) continue;
      if (open === '$' && text[i - 1] === '\\') break; // \$ is a dollar sign
      let end = text.indexOf(close, i + open.length);
      // `\$` inside math is a dollar sign, not the closer.
      while (close[0] === '$' && end > 0 && text[end - 1] === '\\') end = text.indexOf(close, end + 1);
      if (end < 0) {
        closed.add(open);
        continue;
      }
      out.push({ s: text.slice(i + open.length, end).trim(), start: i, end: end + close.length });
      i = end + close.length;
      matched = true;
      break;
    }
    if (!matched) i += c === '\\' ? 2 : 1;
  }
  return out;
}

// `2,74` (a decimal comma, one or two digits after it) is kept whole; verify.ts reads it.
// Thousands are grouped by commas or by the no-break spaces of French typography (`2 400`).
const NUMBER =
  /(?<![a-zA-Z\d.])-?(?:\d{1,3}(?:,\d{3})+|\d{1,3}(?:[\u00A0\u202F]\d{3})+|\d+)(?:\.\d+|,\d{1,2}(?![\d,]))?(?:\s*\/\s*\d+)?%?/g;
// A fraction or root written in LaTeX inside prose, outside math delimiters: `(\frac{3}{7})`.
const BARE_LATEX =
  /-?\\[dtc]?frac\s*(?:\{[^{}$\n]{1,60}\}|\d)\s*(?:\{[^{}$\n]{1,60}\}|\d)|-?\d*\\sqrt\s*(?:\{[^{}$\n]{1,60}\}|\d+)/g;

/** The later-ending of the last number and the last bare `\frac`/`\sqrt` of a text, or null. */
function lastNumber(text: string): { s: string; end: number } | null {
  let num: { s: string; end: number } | null = null;
  for (const re of [NUMBER, BARE_LATEX]) {
    if (re === BARE_LATEX && !text.includes('\\')) break;
    re.lastIndex = 0;
    for (let m = re.exec(text); m; m = re.exec(text)) {
      const end = m.index + m[0].length;
      if (!num || end >= num.end) num = { s: m[0].trim(), end };
    }
  }
  return num;
}

function lastMathOrNumber(text: string): string | null {
  const math = mathBlocks(text)
    .filter((b) => b.s)
    .pop();
  const num = lastNumber(text);
  if (math && (!num || math.end >= num.end)) {
    // `$so roughly 7$`: prose inside a math block; its number is the answer.
    if (proseMath(math.s)) return lastNumber(math.s)?.s ?? math.s;
    // `$x = 3$`: the value of a final assignment.
    return math.s;
  }
  return num?.s ?? null;
}

/** Only a comma or a conjunction between two math blocks: `$x=3$ and $x=5$`, `$1$, $2$ 或 $3$`. */
const BLOCK_GLUE = /^[\s,;，、]*(?:(?:and|or|или|и|et|ou|und|oder|或者|或|和|以及)[\s,]*)?$/;

/** The math blocks that end the text and are joined only by commas or conjunctions, in order. */
function lastBlockRun(text: string): { run: string[]; joined: boolean } {
  const blocks = mathBlocks(text).filter((b) => b.s);
  const run: string[] = [];
  let joined = false;
  for (let i = blocks.length - 1; i >= 0 && run.length < 20; i--) {
    if (run.length) {
      const glue = text.slice(blocks[i]!.end, blocks[i + 1]!.start);
      if (!BLOCK_GLUE.test(glue)) break;
      joined ||= /[^\s,;，、]/.test(glue);
    }
    run.unshift(blocks[i]!.s);
  }
  return { run, joined };
}

/**
 * A math block that holds prose, `$so roughly 7$`: outside `\text{}` and commands, two or
 * more words (function names aside), one of them of four or more letters (`ab + cd` is math).
 */
function proseMath(s: string): boolean {
  if (!/[a-zA-Z]{4}/.test(s)) return false;
  const words = (
    s.replace(/\\text[a-z]*\s*\{[^{}]*\}|\\[a-zA-Z]+|\{[a-zA-Z*]*\}/g, ' ').match(/[a-zA-Z]{2,}/g) ?? []
  ).filter((w) => !FUNCTION_WORDS.test(w));
  return words.length >= 2 && words.some((w) => w.length >= 4);
}

/** A letter of another script than ASCII Latin (Greek letters are variables, `ℝ` a symbol). */
const FOREIGN_LETTER = /(?![\u0370-\u03ff\u2100-\u214f])[^\P{L}a-zA-Z]/u;
/** A unit or measure word right after a number at the end (`2400米。`, `12 яблок`), and conjunctions. */
const UNIT_TAIL = /(?<=[\d%)}])\s*(?:[^\P{L}a-zA-Z]|\p{M})+[.。।]?\s*$/u;
const CONJUNCTIONS = /或者|或|以及|和|または|또는|\s(?:или|und|oder|et|ou|أو|या|और)\s/gu;

/**
 * Words of another language around a number or math make prose (`需要15分钟`, `तो कुल 38 सेब`);
 * a unit glued to the final number (`2400米`) and conjunctions between answers do not, and
 * words alone (`北京`, `Montag`) are a word answer.
 */
function foreignProse(outside: string, text: string): boolean {
  if (!/[\d\\]/.test(text)) return false;
  return FOREIGN_LETTER.test(outside.replace(UNIT_TAIL, '').replace(CONJUNCTIONS, ' '));
}

/** Does a marker-free text read as an answer rather than prose? */
function readsAsAnswer(text: string): boolean {
  // Words around a math block ("We get $x = 2$") are prose: the math block is the answer.
  const blocks = mathBlocks(text);
  let outside = text;
  if (blocks.length) {
    outside = '';
    let at = 0;
    for (const b of blocks) {
      outside += ` ${text.slice(at, b.start)}`;
      at = b.end;
    }
    outside += text.slice(at);
    // `$1$ and $2$ and $3$` is a list of answers, not prose.
    if (/[a-zA-Z]{2,}/.test(outside.replace(/\b(?:and|or)\b/g, ' '))) return false;
  }
  if (foreignProse(outside, text)) return false;
  // Three or more words (function names aside) make prose.
  const words = (
    text
      .replace(/\\(?:begin|end)\s*\{[a-zA-Z*]*\}/g, ' ')
      .replace(/\\[a-zA-Z]+/g, ' ')
      .match(/[a-zA-Z]{2,}/g) ?? []
  ).filter((w) => !FUNCTION_WORDS.test(w));
  return words.length < 3 && !/\n/.test(text.trim());
}

/** Default longest marker-free text that is taken whole as an answer. */
const MAX_WHOLE_CHARS = 2000;

const FUNCTION_WORDS =
  /^(?:sin|cos|tan|sec|csc|cot|ln|log|exp|sqrt|pi|arcsin|arccos|arctan|sinh|cosh|tanh|or|and)$/i;

/** After normalization: no words besides function names (math), or one single word (a text answer). */
function isBare(text: string): boolean {
  const n = normalizeAnswer(text);
  if (n.isText) return !/\s/.test(n.text);
  if (FOREIGN_LETTER.test(n.text)) return false;
  const plain = n.text.replace(/\\(?:begin|end)\{[a-zA-Z]*\}/g, ' ').replace(/\\[a-zA-Z]+/g, ' ');
  // "it is 4" is prose; "xy" and "ab" are products of variables.
  const words = (plain.match(/[a-zA-Z]{2,}/g) ?? []).filter((w) => !FUNCTION_WORDS.test(w));
  return words.length === 0 || (words.length === 1 && words[0]!.length <= 2);
}

export function extractAnswer(text: string, options: ExtractOptions): Extracted | null {
  const tag = lastAnswerTag(text);
  if (tag !== null) {
    const inner = extractAnswer(tag, { ...options, whole: 'text' });
    return inner && { ...inner, method: inner.method === 'whole' ? 'answer_tag' : inner.method };
  }
  const boxes = findBoxes(text);
  const found = boxedAnswers(boxes, text);
  const boxed = found?.last;
  // "\boxed{255} … Final Answer: The final answer is $10,455$.": a final-answer statement
  // after the last box, with a clean answer, is the later word (Math-Verify gives both the
  // same priority and takes the last). The phrase is only searched for when "final answer"
  // follows the last box.
  if (found && boxed?.trim()) {
    const boxAt = Math.max(text.lastIndexOf('\\boxed'), text.lastIndexOf('\\fbox'));
    const tail = text.slice(boxAt);
    const finalAt = /final answer/i.exec(tail)?.index ?? -1;
    if (finalAt > 0) {
      const phrase = afterPhrase(tail.slice(finalAt))?.s;
      if (phrase !== undefined && readsAsAnswer(phrase)) return { answer: phrase, method: 'phrase' };
    }
    if (options.reference) return { answer: referenceBoxed(boxes, text)!.trim(), method: 'boxed' };
    const out: Extracted = { answer: boxed.trim(), method: 'boxed' };
    if (found.all.length > 1) out.parts = found.all;
    return out;
  }
  const open = unclosedBoxed(
    boxes,
    text,
    options.maxWholeChars ?? MAX_WHOLE_CHARS,
    options.reference === true,
  );
  if (open !== null) return { answer: open, method: 'boxed' };
  const after = afterPhrase(text);
  if (after !== null) {
    const phrase = after.s;
    if (after.parts) {
      // A reference lists its answers; a prediction's first block is its answer, the rest
      // are tried against a gold list (verify.ts).
      if (options.reference)
        return { answer: after.parts.join(after.joined ? ' and ' : ', '), method: 'phrase' };
      return { answer: phrase, method: 'phrase', parts: after.parts, partsJoined: !!after.joined };
    }
    if (readsAsAnswer(phrase)) return { answer: phrase, method: 'phrase' };
    // "Final Answer: the largest $n$ is 34." - the last math or number of that sentence.
    const inner = lastMathOrNumber(phrase);
    if (inner !== null) return { answer: inner, method: 'phrase' };
    // "The answer is wrong, so ..." has none: keep looking.
  }
  const hashes = afterHashes(text);
  if (hashes !== null) return { answer: hashes, method: 'gsm8k' };
  const trimmed = text.trim();
  if (
    trimmed &&
    trimmed.length <= (options.maxWholeChars ?? MAX_WHOLE_CHARS) &&
    options.whole !== 'off' &&
    readsAsAnswer(trimmed) &&
    (options.whole === 'text' || isBare(trimmed))
  )
    return { answer: trimmed, method: 'whole' };
  if (options.lastNumberFallback) {
    const s = lastMathOrNumber(text);
    if (s === null) return null;
    const out: Extracted = { answer: s, method: /^-?[\d,\s./%]+$/.test(s) ? 'last_number' : 'latex' };
    if (text.includes('$') || text.includes('\\(') || text.includes('\\[')) {
      const { run, joined } = lastBlockRun(text);
      if (run.length > 1 && run[run.length - 1] === s) {
        // A reference's blocks joined by and/or are its answers (`the roots are $1$ and $2$`).
        if (options.reference && joined) return { answer: run.join(' and '), method: 'latex' };
        out.parts = run;
        out.partsJoined = joined;
      }
    }
    return out;
  }
  return null;
}
