import type { Token } from './latex-tokens.js';
import { ParseError } from './limits.js';

/** Tables of the LaTeX grammar read by latex-parser.ts: relations, functions, environments. */

export const REL: Record<string, string> = {
  '=': '=',
  '<': '<',
  '>': '>',
  '<=': '<=',
  '>=': '>=',
  '!=': '!=',
  '\\le': '<=',
  '\\leq': '<=',
  '\\leqslant': '<=',
  '\\ge': '>=',
  '\\geq': '>=',
  '\\geqslant': '>=',
  '\\lt': '<',
  '\\gt': '>',
  '\\ne': '!=',
  '\\neq': '!=',
  '\\in': '=',
  '\\approx': '~',
  '\\equiv': '=',
  '\\eq': '=',
};

export const FUNCS = new Set([
  'sin',
  'cos',
  'tan',
  'sec',
  'csc',
  'cot',
  'arcsin',
  'arccos',
  'arctan',
  'sinh',
  'cosh',
  'tanh',
  'ln',
  'log',
  'exp',
  'abs',
  'sqrt',
]);

export const MATRIX_ENVS = new Set([
  'pmatrix',
  'bmatrix',
  'Bmatrix',
  'matrix',
  'vmatrix',
  'Vmatrix',
  'smallmatrix',
  'array',
  // A system of equations, row by row.
  'cases',
]);

export function isFnToken(t: Token | undefined): boolean {
  if (!t) return false;
  if (t.k === 'word') return FUNCS.has(t.s);
  return t.k === 'cmd' && FUNCS.has(t.s.slice(1));
}

/** `204_5`: digits in base 2..36 (the subscript), as in MATH number-theory answers. */
export function baseNumber(digits: string, base: string): { n: bigint; d: bigint } {
  const b = Number(base);
  if (!Number.isInteger(b) || b < 2 || b > 36 || !/^[0-9a-zA-Z]{1,200}$/.test(digits))
    throw new ParseError('bad_syntax', `bad base-${base.slice(0, 10)} number`);
  let n = 0n;
  for (const ch of digits.toLowerCase()) {
    const v = Number.parseInt(ch, 36);
    if (v >= b) throw new ParseError('bad_syntax', `digit ${ch} is not valid in base ${b}`);
    n = n * BigInt(b) + BigInt(v);
  }
  return { n, d: 1n };
}

/**
 * Operator, arrow and relation commands we do not evaluate. Any other unknown command without
 * arguments is an opaque symbol (`\\alpha`, `\\zzz`), but these would silently turn an answer
 * into a product (`x \\to 0` = 0), so they make the answer unparseable instead.
 */
export const UNSUPPORTED_OPERATORS = new Set(
  (
    'to rightarrow Rightarrow leftarrow Leftarrow leftrightarrow Leftrightarrow implies iff mapsto gets ' +
    'longrightarrow Longrightarrow sim simeq cong propto perp parallel mid nmid cap bigcap bigcup setminus ' +
    'subset subseteq supset supseteq notin ni forall exists neg lnot land lor wedge vee oplus otimes odot ' +
    'bullet star dagger partial nabla int iint oint lim limsup liminf max min sup inf det gcd lcm mod bmod ' +
    'pmod prime vdots ddots colon therefore because'
  ).split(' '),
);
