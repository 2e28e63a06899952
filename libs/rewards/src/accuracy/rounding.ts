import type { Node } from './ast.js';
import * as Q from './rational.js';

/**
 * Pieces of the rule `rounded` (compare.ts): a decimal literal states its precision, and it
 * equals an exact value without a finite decimal form when it is that value correctly rounded.
 */

/** Fewest significant digits a decimal must state for the rule `rounded` (`0.67` for 2/3, not `0.7`). */
export const MIN_ROUNDED_DIGITS = 2;

/** The value, places and significant digits of a decimal literal (`-0.67`), or null. */
export function statedDecimal(n: Node): { v: number; dp: number; sig: number } | null {
  if (n.t === 'num' && n.dp) return { v: Q.toNumber(n.v), dp: n.dp, sig: n.sig ?? 0 };
  if (n.t === 'neg') {
    const s = statedDecimal(n.a);
    return s && { ...s, v: -s.v };
  }
  return null;
}

/** Does the decimal expansion of q end (its denominator has no prime but 2 and 5)? */
export function terminates(q: Q.Rational): boolean {
  let d = q.d < 0n ? -q.d : q.d;
  while (d % 2n === 0n) d /= 2n;
  while (d % 5n === 0n) d /= 5n;
  return d === 1n;
}
