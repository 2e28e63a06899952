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
import { normalizeAnswer } from './normalize.js';

export type ExtractMethod = 'answer_tag' | 'boxed' | 'phrase' | 'gsm8k' | 'latex' | 'last_number' | 'whole';

export interface Extracted {
  answer: string;
  method: ExtractMethod;
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
}

/**
 * Content of the last complete `\boxed{...}` or `\fbox{...}`, or null. Braces are matched
 * once for the whole text with a stack, so a text of many unclosed boxes stays linear.
 */
export function lastBoxed(text: string): string | null {
  const boxes: { open: number; spaced: boolean }[] = [];
  const starts: number[] = [];
  const re = /\\(?:boxed|fbox)( *)/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    boxes.push({ open: m.index + m[0].length, spaced: m[1]!.length > 0 });
    starts.push(m.index);
  }
  if (boxes.length === 0) return null;
  const close = new Map<number, number>();
  const stack: number[] = [];
  for (let k = 0; k < text.length; k++) {
    const c = text[k];
    if (c === '\\') k++;
    else if (c === '{') stack.push(k);
    else if (c === '}' && stack.length) close.set(stack.pop()!, k);
  }
  for (let i = boxes.length - 1; i >= 0; i--) {
    const { open, spaced } = boxes[i]!;
    if (text[open] === '{') {
      const end = close.get(open);
      if (end === undefined) continue;
      // Adjacent boxes `\boxed{1}, \boxed{2}` hold one answer list.
      const parts = [text.slice(open + 1, end)];
      for (let j = i - 1; j >= 0; j--) {
        const prev = boxes[j]!;
        const prevEnd = close.get(prev.open);
        // Nested boxes end after the next one starts: not adjacent.
        const between =
          prevEnd === undefined || prevEnd > starts[j + 1]! ? null : text.slice(prevEnd + 1, starts[j + 1]);
        // Spacing, math delimiters (`\) and \(`) and stray backslashes of over-escaped text.
        const glue = between?.replace(/\\(?:q?quad|[,;:! ()[\]])|\\text\s*\{\s*(and|or)\s*\}|\\/g, ' $1 ');
        if (text[prev.open] !== '{' || glue === undefined || !/^[\s,;$.]*(?:and|or)?[\s,;$]*$/.test(glue))
          break;
        // Boxes in separate `$…$` blocks with no comma or conjunction between them are a
        // correction, not a list: `$$\boxed{20}$$ \boxed{143}` → 143.
        if (glue.includes('$') && !/[,;]|\b(?:and|or)\b/.test(glue)) break;
        parts.unshift(text.slice(prev.open + 1, prevEnd));
      }
      return parts.join(', ');
    } else if (spaced) {
      // `\boxed 5`: one token after a space.
      const m = /^[^\s$]+/.exec(text.slice(open, open + 200));
      if (m) return m[0];
    }
  }
  return null;
}

function lastAnswerTag(text: string): string | null {
  const open = text.lastIndexOf('<answer>');
  if (open < 0) return null;
  const end = text.indexOf('</answer>', open);
  return text.slice(open + 8, end < 0 ? text.length : end);
}

// Phrases that introduce the final answer; the last match wins.
const PHRASE =
  /(?:\banswer|答案|结果|結果|答え|ответ|\bantwort|\brespuesta|\bréponse|\bresposta|\brisposta|\bjawaban)\s*(?:(?:would be|should be|will be|is thus|is therefore|ist|is|was|est|es|é|è|lautet)(?![a-z])|是|为|為|は|:|：|=|равен|(?=\$|\\\(|\\\[))\s*(?:[:：]\s*)?/giu;

/** Text after the last answer phrase up to the end of its sentence. */
function afterPhrase(text: string): string | null {
  let last: RegExpExecArray | null = null;
  PHRASE.lastIndex = 0;
  for (let m = PHRASE.exec(text); m; m = PHRASE.exec(text)) {
    if (m[0].length === 0) {
      PHRASE.lastIndex++;
      continue;
    }
    last = m;
  }
  if (!last) return null;
  const rest = text.slice(last.index + last[0].length, last.index + last[0].length + 2000);
  // A math block right after the phrase is the answer.
  const math = /^\s*(?:\$\$([^$]+)\$\$|\$((?:\\\$|[^$])+)\$|\\\(([\s\S]+?)\\\)|\\\[([\s\S]+?)\\\])/.exec(
    rest,
  );
  if (math) return (math[1] ?? math[2] ?? math[3] ?? math[4])!.trim();
  const line = rest.split(/\n/)[0]!;
  // End at a sentence end (a period not inside a number).
  const end = /\.(?!\d)\s|\.$|。/.exec(line);
  // Quotes around the answer are not part of it: `is "$12$ and $13$".`
  const s = (end ? line.slice(0, end.index) : line)
    .trim()
    .replace(/^["“'](.*)["”']$/u, '$1')
    .trim();
  return s.length ? s : null;
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
const NUMBER = /(?<![a-zA-Z\d.])-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+|,\d{1,2}(?![\d,]))?(?:\s*\/\s*\d+)?%?/g;

function lastMathOrNumber(text: string): string | null {
  const math = mathBlocks(text)
    .filter((b) => b.s)
    .pop();
  let num: { s: string; end: number } | null = null;
  NUMBER.lastIndex = 0;
  for (let m = NUMBER.exec(text); m; m = NUMBER.exec(text))
    num = { s: m[0].trim(), end: m.index + m[0].length };
  if (math && (!num || math.end >= num.end)) {
    // `$x = 3$`: the value of a final assignment.
    return math.s;
  }
  return num?.s ?? null;
}

/** Does a marker-free text read as an answer rather than prose? */
function readsAsAnswer(text: string): boolean {
  // Words around a math block ("We get $x = 2$") are prose: the math block is the answer.
  const blocks = mathBlocks(text);
  if (blocks.length) {
    let outside = '';
    let at = 0;
    for (const b of blocks) {
      outside += ` ${text.slice(at, b.start)}`;
      at = b.end;
    }
    // `$1$ and $2$ and $3$` is a list of answers, not prose.
    if (/[a-zA-Z]{2,}/.test((outside + text.slice(at)).replace(/\b(?:and|or)\b/g, ' '))) return false;
  }
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
  const plain = n.text.replace(/\\(?:begin|end)\{[a-zA-Z]*\}/g, ' ').replace(/\\[a-zA-Z]+/g, ' ');
  // "it is 4" is prose; "xy" and "ab" are products of variables.
  const words = (plain.match(/[a-zA-Z]{2,}/g) ?? []).filter((w) => !FUNCTION_WORDS.test(w));
  return words.length === 0 || (words.length === 1 && words[0]!.length <= 2);
}

export function extractAnswer(text: string, options: ExtractOptions): Extracted | null {
  const tag = lastAnswerTag(text);
  if (tag !== null) {
    const inner = extractAnswer(tag, { ...options, whole: 'text' });
    return inner && { answer: inner.answer, method: inner.method === 'whole' ? 'answer_tag' : inner.method };
  }
  const boxed = lastBoxed(text);
  // "\boxed{255} … Final Answer: The final answer is $10,455$.": a final-answer statement
  // after the last box, with a clean answer, is the later word (Math-Verify gives both the
  // same priority and takes the last). The phrase is only searched for when "final answer"
  // follows the last box.
  if (boxed?.trim()) {
    const boxAt = Math.max(text.lastIndexOf('\\boxed'), text.lastIndexOf('\\fbox'));
    const tail = text.slice(boxAt);
    const finalAt = /final answer/i.exec(tail)?.index ?? -1;
    if (finalAt > 0) {
      const phrase = afterPhrase(tail.slice(finalAt));
      if (phrase !== null && readsAsAnswer(phrase)) return { answer: phrase, method: 'phrase' };
    }
    return { answer: boxed.trim(), method: 'boxed' };
  }
  const phrase = afterPhrase(text);
  if (phrase !== null) {
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
    if (s !== null) return { answer: s, method: /^-?[\d,\s./%]+$/.test(s) ? 'last_number' : 'latex' };
  }
  return null;
}
