import { ParseError } from './limits.js';

/**
 * Tokens of a normalized LaTeX / plain-math answer.
 * - `num`: digits with an optional decimal part and exponent (`1.5e-3`)
 * - `word`: a known multi-letter function or constant name written without a backslash (`sin`, `ln`, `pi`)
 * - `sym`: one letter, optionally with a subscript folded in later by the parser
 * - `cmd`: a backslash command (`\frac`, `\{`, `\\`)
 * - `op`: any other single character (`+ - * / ^ _ ( ) [ ] { } , = < > ! | & %`) or `<=`, `>=`, `!=`
 */
export interface Token {
  k: 'num' | 'word' | 'sym' | 'cmd' | 'op';
  s: string;
  /** True when whitespace preceded the token; used to read `1 000` and mixed numbers. */
  sp: boolean;
}

/** Function and constant names recognised without a backslash, longest first. */
const WORDS = [
  'arcsin',
  'arccos',
  'arctan',
  'sinh',
  'cosh',
  'tanh',
  'sqrt',
  'sin',
  'cos',
  'tan',
  'sec',
  'csc',
  'cot',
  'log',
  'exp',
  'abs',
  'inf',
  'ln',
  'pi',
];

export function tokenize(s: string, maxTokens: number): Token[] {
  const out: Token[] = [];
  let i = 0;
  let sp = false;
  while (i < s.length) {
    if (out.length > maxTokens)
      throw new ParseError('too_complex', `answer has more than ${maxTokens} tokens`);
    const c = s[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      sp = true;
      i++;
      continue;
    }
    if ((c >= '0' && c <= '9') || (c === '.' && /[0-9]/.test(s[i + 1] ?? ''))) {
      const m = /^(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+(?![a-zA-Z]))?/.exec(s.slice(i, i + 400));
      let lit = m![0];
      // `2.` at the end of a sentence is the integer 2.
      if (lit.endsWith('.')) lit = lit.slice(0, -1);
      out.push({ k: 'num', s: lit, sp });
      i += lit.length;
    } else if (c === '\\') {
      const m = /^\\(?:[a-zA-Z]+|.)/.exec(s.slice(i, i + 40));
      if (!m) throw new ParseError('bad_syntax', 'dangling backslash');
      out.push({ k: 'cmd', s: m[0], sp });
      i += m[0].length;
    } else if (/[a-zA-Z]/.test(c)) {
      let word = '';
      for (const w of WORDS) {
        if (s.startsWith(w, i) && !/[a-zA-Z]/.test(s[i + w.length] ?? '')) {
          word = w;
          break;
        }
      }
      if (!word) {
        for (const w of WORDS) {
          // `sin` directly followed by its argument letter, as in `sinx`.
          if (w.length >= 3 && s.startsWith(w, i) && w !== 'inf' && w !== 'abs') {
            word = w;
            break;
          }
        }
      }
      if (word) {
        out.push({ k: 'word', s: word, sp });
        i += word.length;
      } else {
        out.push({ k: 'sym', s: c, sp });
        i++;
      }
    } else {
      const two = s.slice(i, i + 2);
      if (two === '**') {
        // Python-style power, common in plain-text model outputs.
        out.push({ k: 'op', s: '^', sp });
        i += 2;
      } else if (two === '<=' || two === '>=' || two === '!=') {
        out.push({ k: 'op', s: two, sp });
        i += 2;
      } else {
        out.push({ k: 'op', s: c, sp });
        i++;
      }
    }
    sp = false;
  }
  return out;
}
