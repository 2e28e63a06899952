import { forEachChild, type Node } from './ast.js';
import {
  type Budget,
  MAX_EXACT_EXPONENT,
  MAX_EXACT_FACTORIAL,
  MAX_SERIES_TERMS,
  MAX_SERIES_TERMS_PER_PAIR,
} from './limits.js';
import * as Q from './rational.js';

/**
 * Two evaluators over the expression tree:
 * - `exact`: BigInt rational arithmetic for numbers, fractions, integer powers, `%`, exact
 *   square roots and factorials; null where the value is not a (small enough) rational.
 * - `numeric`: complex floating point at a point (free symbols bound in `env`), the fallback
 *   for irrational constants and for symbolic equality at random points.
 */

export interface Complex {
  re: number;
  im: number;
}

const C = (re: number, im = 0): Complex => ({ re, im });
const NAN = C(Number.NaN, Number.NaN);

function isqrt(n: bigint): bigint | null {
  if (n < 0n) return null;
  if (n < 2n) return n;
  let x = BigInt(Math.floor(Math.sqrt(Number(n))));
  // Newton steps fix the float estimate for big n.
  for (let k = 0; k < 200; k++) {
    const y = (x + n / x) >> 1n;
    if (y >= x) break;
    x = y;
  }
  while (x * x > n) x--;
  while ((x + 1n) * (x + 1n) <= n) x++;
  return x * x === n ? x : null;
}

export function exact(n: Node, budget: Budget): Q.Rational | null {
  budget.tick();
  switch (n.t) {
    case 'num':
      return n.v;
    case 'neg': {
      const a = exact(n.a, budget);
      return a && { n: -a.n, d: a.d };
    }
    case 'pct': {
      const a = exact(n.a, budget);
      return a && Q.div(a, { n: 100n, d: 1n });
    }
    case 'add':
    case 'mul': {
      let acc: Q.Rational | null = n.t === 'add' ? Q.ZERO : Q.ONE;
      for (const x of n.a) {
        const v = exact(x, budget);
        if (!v || !acc) return null;
        acc = n.t === 'add' ? Q.add(acc, v) : Q.mul(acc, v);
      }
      return acc;
    }
    case 'div': {
      const a = exact(n.a, budget);
      const b = a && exact(n.b, budget);
      return a && b ? Q.div(a, b) : null;
    }
    case 'pow': {
      const e = exact(n.b, budget);
      if (!e) return null;
      const b = exact(n.a, budget);
      if (!b) return null;
      if (e.d === 1n) {
        if (e.n > BigInt(MAX_EXACT_EXPONENT) || e.n < -BigInt(MAX_EXACT_EXPONENT)) {
          if (b.d === 1n && (b.n === 0n || b.n === 1n)) return b;
          return null;
        }
        return Q.powInt(b, e.n);
      }
      if (e.d === 2n && e.n > 0n && e.n <= BigInt(MAX_EXACT_EXPONENT)) {
        const rn = isqrt(b.n);
        const rd = isqrt(b.d);
        return rn !== null && rd !== null ? Q.powInt({ n: rn, d: rd }, e.n) : null;
      }
      return null;
    }
    case 'fn':
      return exactFn(n.name, n.args, budget);
    default:
      return null;
  }
}

function exactFn(name: string, args: Node[], budget: Budget): Q.Rational | null {
  const a = exact(args[0]!, budget);
  if (!a) return null;
  switch (name) {
    case 'sqrt': {
      const rn = isqrt(a.n);
      const rd = isqrt(a.d);
      return rn !== null && rd !== null ? { n: rn, d: rd } : null;
    }
    case 'abs':
      return { n: a.n < 0n ? -a.n : a.n, d: a.d };
    case 'floor':
    case 'ceil': {
      let q = a.n / a.d;
      if (name === 'floor' && a.n < 0n && q * a.d !== a.n) q -= 1n;
      if (name === 'ceil' && a.n > 0n && q * a.d !== a.n) q += 1n;
      return { n: q, d: 1n };
    }
    case 'factorial': {
      if (a.d !== 1n || a.n < 0n || a.n > BigInt(MAX_EXACT_FACTORIAL)) return null;
      let r = 1n;
      for (let k = 2n; k <= a.n; k++) r *= k;
      return { n: r, d: 1n };
    }
    case 'binom': {
      const b = exact(args[1]!, budget);
      if (!b || a.d !== 1n || b.d !== 1n || b.n < 0n || a.n < 0n || a.n > 10_000n) return null;
      if (b.n > a.n) return Q.ZERO;
      let r = 1n;
      for (let k = 0n; k < b.n; k++) r = (r * (a.n - k)) / (k + 1n);
      return { n: r, d: 1n };
    }
    default:
      return null;
  }
}

const cadd = (a: Complex, b: Complex) => C(a.re + b.re, a.im + b.im);
const cmul = (a: Complex, b: Complex) => C(a.re * b.re - a.im * b.im, a.re * b.im + a.im * b.re);
function cdiv(a: Complex, b: Complex): Complex {
  const d = b.re * b.re + b.im * b.im;
  if (d === 0) return a.re === 0 && a.im === 0 ? NAN : C(Number.POSITIVE_INFINITY, Number.NaN);
  return C((a.re * b.re + a.im * b.im) / d, (a.im * b.re - a.re * b.im) / d);
}
const cabs = (a: Complex) => Math.hypot(a.re, a.im);
function clog(a: Complex): Complex {
  return C(Math.log(cabs(a)), Math.atan2(a.im, a.re));
}
function cexp(a: Complex): Complex {
  const r = Math.exp(a.re);
  return a.im === 0 ? C(r) : C(r * Math.cos(a.im), r * Math.sin(a.im));
}
function cpow(a: Complex, b: Complex): Complex {
  if (a.im === 0 && b.im === 0 && (a.re >= 0 || Number.isInteger(b.re))) return C(a.re ** b.re);
  if (b.im === 0 && Number.isInteger(b.re) && Math.abs(b.re) <= 64) {
    let r = C(1);
    for (let k = 0; k < Math.abs(b.re); k++) r = cmul(r, a);
    return b.re < 0 ? cdiv(C(1), r) : r;
  }
  if (a.re === 0 && a.im === 0) return C(0);
  return cexp(cmul(b, clog(a)));
}
const csin = (a: Complex) => C(Math.sin(a.re) * Math.cosh(a.im), Math.cos(a.re) * Math.sinh(a.im));
const ccos = (a: Complex) => C(Math.cos(a.re) * Math.cosh(a.im), -Math.sin(a.re) * Math.sinh(a.im));

function real(f: (x: number) => number, a: Complex): Complex {
  return Math.abs(a.im) > 1e-12 * Math.max(1, Math.abs(a.re)) ? NAN : C(f(a.re));
}

function gammaInt(n: number): number {
  if (!Number.isInteger(n) || n < 0) return Number.NaN;
  if (n > 170) return Number.POSITIVE_INFINITY;
  let r = 1;
  for (let k = 2; k <= n; k++) r *= k;
  return r;
}

export function numeric(n: Node, env: ReadonlyMap<string, Complex>, budget: Budget): Complex {
  budget.tick();
  switch (n.t) {
    case 'num':
      return C(Q.toNumber(n.v));
    case 'sym':
      return env.get(n.name) ?? NAN;
    case 'const':
      if (n.name === 'pi') return C(Math.PI);
      if (n.name === 'e') return C(Math.E);
      if (n.name === 'i') return C(0, 1);
      return C(Number.POSITIVE_INFINITY);
    case 'neg': {
      const a = numeric(n.a, env, budget);
      return C(-a.re, a.im === 0 ? 0 : -a.im);
    }
    case 'pct': {
      const a = numeric(n.a, env, budget);
      return C(a.re / 100, a.im / 100);
    }
    case 'add': {
      let acc = C(0);
      for (const x of n.a) acc = cadd(acc, numeric(x, env, budget));
      return acc;
    }
    case 'mul': {
      let acc = C(1);
      for (const x of n.a) acc = cmul(acc, numeric(x, env, budget));
      return acc;
    }
    case 'div':
      return cdiv(numeric(n.a, env, budget), numeric(n.b, env, budget));
    case 'pow': {
      const base = numeric(n.a, env, budget);
      // A negative real base with a rational exponent of odd denominator stays real, as
      // \sqrt[3]{} does: (-8)^{2/3} = 4, consistent with \sqrt[3]{-8}^2.
      if (base.im === 0 && base.re < 0 && symbols(n.b).size === 0) {
        const e = exact(n.b, budget);
        if (e && e.d % 2n === 1n && e.d !== 1n) {
          const mag = (-base.re) ** Q.toNumber(e);
          return C(e.n % 2n === 0n ? mag : -mag);
        }
      }
      return cpow(base, numeric(n.b, env, budget));
    }
    case 'fn':
      if (n.name === 'sum' || n.name === 'prod') return numericSeries(n, env, budget);
      return numericFn(
        n.name,
        n.args.map((x) => numeric(x, env, budget)),
      );
    default:
      return NAN;
  }
}

/**
 * `\sum_{k=lo}^{hi} body` and `\prod` (args: body, index symbol, lo, hi), term by term when
 * both bounds are integers at this point; anything else is NaN (no closed forms).
 */
function numericSeries(
  n: Extract<Node, { t: 'fn' }>,
  env: ReadonlyMap<string, Complex>,
  budget: Budget,
): Complex {
  const [body, index, loN, hiN] = n.args as [Node, Node, Node, Node];
  const lo = numeric(loN, env, budget);
  const hi = numeric(hiN, env, budget);
  const isInt = (c: Complex) => c.im === 0 && Number.isInteger(c.re);
  if (index.t !== 'sym' || !isInt(lo) || !isInt(hi) || hi.re - lo.re >= MAX_SERIES_TERMS) return NAN;
  budget.seriesTerms += Math.max(0, hi.re - lo.re + 1);
  if (budget.seriesTerms > MAX_SERIES_TERMS_PER_PAIR) return NAN;
  const inner = new Map(env);
  let acc = C(n.name === 'sum' ? 0 : 1);
  for (let k = lo.re; k <= hi.re; k++) {
    inner.set(index.name, C(k));
    const v = numeric(body, inner, budget);
    acc = n.name === 'sum' ? cadd(acc, v) : cmul(acc, v);
  }
  return acc;
}

function numericFn(name: string, args: Complex[]): Complex {
  const a = args[0]!;
  switch (name) {
    case 'sin':
      return csin(a);
    case 'cos':
      return ccos(a);
    case 'tan':
      return cdiv(csin(a), ccos(a));
    case 'sec':
      return cdiv(C(1), ccos(a));
    case 'csc':
      return cdiv(C(1), csin(a));
    case 'cot':
      return cdiv(ccos(a), csin(a));
    case 'arcsin':
      return real(Math.asin, a);
    case 'arccos':
      return real(Math.acos, a);
    case 'arctan':
      return real(Math.atan, a);
    case 'sinh':
      return real(Math.sinh, a);
    case 'cosh':
      return real(Math.cosh, a);
    case 'tanh':
      return real(Math.tanh, a);
    case 'ln':
    case 'log':
      return clog(a);
    case 'logb':
      return cdiv(clog(a), clog(args[1]!));
    case 'exp':
      return cexp(a);
    case 'sqrt':
      return cpow(a, C(0.5));
    case 'root': {
      const k = args[1]!;
      // The real odd root of a negative real: \sqrt[3]{-8} = -2, as in school mathematics.
      if (a.im === 0 && k.im === 0 && a.re < 0 && Number.isInteger(k.re) && k.re % 2 !== 0)
        return C(-((-a.re) ** (1 / k.re)));
      return cpow(a, cdiv(C(1), k));
    }
    case 'abs':
      return C(cabs(a));
    case 'deg':
      // Degrees in radians: `\sin(90^\circ - x)` is `\cos x`, `90^\circ` is `\frac{\pi}{2}`.
      return C((a.re * Math.PI) / 180, (a.im * Math.PI) / 180);
    case 'floor':
      return real(Math.floor, a);
    case 'ceil':
      return real(Math.ceil, a);
    case 'factorial':
      return real(gammaInt, a);
    case 'binom': {
      const b = args[1]!;
      if (a.im !== 0 || b.im !== 0) return NAN;
      return C(gammaInt(a.re) / (gammaInt(b.re) * gammaInt(a.re - b.re)));
    }
    default:
      return NAN;
  }
}

/** Free symbols of a tree, for choosing where to evaluate. */
export function symbols(n: Node, out = new Set<string>()): Set<string> {
  if (n.t === 'sym') {
    out.add(n.name);
  } else if (n.t === 'fn' && (n.name === 'sum' || n.name === 'prod')) {
    // The index is bound: free symbols are the body's other ones and the bounds'.
    const [body, index, lo, hi] = n.args as [Node, Node, Node, Node];
    const inner = symbols(body);
    if (index.t === 'sym') inner.delete(index.name);
    for (const v of inner) out.add(v);
    symbols(lo, out);
    symbols(hi, out);
  } else {
    forEachChild(n, (x) => symbols(x, out));
  }
  return out;
}

/** Free symbols in the bounds of `\sum`/`\prod` nodes: they are sampled as integers. */
export function boundSymbols(n: Node, out = new Set<string>()): Set<string> {
  if (n.t === 'fn' && (n.name === 'sum' || n.name === 'prod')) {
    symbols(n.args[2]!, out);
    symbols(n.args[3]!, out);
  }
  forEachChild(n, (x) => boundSymbols(x, out));
  return out;
}
