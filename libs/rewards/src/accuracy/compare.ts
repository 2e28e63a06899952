import { mapChildren, type Node, show } from './ast.js';
import { boundSymbols, type Complex, exact, numeric, symbols } from './evaluate.js';
import { type Budget, RANDOM_POINTS } from './limits.js';
import { foldMatrix, vectorOf } from './matrix-fold.js';
import * as Q from './rational.js';
import { MIN_ROUNDED_DIGITS, statedDecimal, terminates } from './rounding.js';

/**
 * Equivalence of a gold answer and a prediction, both parsed. Returns the name of the rule
 * that proved them equal, or null. Rules are tried from the most exact to the most lenient;
 * README section "Equivalence rules" lists each with an example.
 */

export interface CompareOptions {
  /** Relative tolerance for numbers that are not both exact rationals. */
  floatTolerance: number;
  /** `x = 2` matches `2` when the left side is a bare name. */
  equationRhs: boolean;
  /** When false (default), `50%` matches both `50` and `0.5`; when true only `0.5`. */
  strictPercent: boolean;
  /** A gold comma list is ordered unless it is a set (see `unorderedGold`); false: every list is a set. */
  orderedLists: boolean;
  /** A decimal equals an exact value it correctly rounds (rule `rounded`). */
  roundedDecimals: boolean;
}

type Rule = string | null;

const INF: Node = { t: 'const', name: 'inf' };
const NEG_INF: Node = { t: 'neg', a: INF };
const HUNDRED: Node = { t: 'num', v: { n: 100n, d: 1n } };

/** `a ± b` is the two answers a + b and a - b. */
function expandPm(n: Node): Node {
  if (n.t === 'pm') {
    const plus: Node = { t: 'add', a: [n.a, n.b] };
    const minus: Node = { t: 'add', a: [n.a, { t: 'neg', a: n.b }] };
    return { t: 'list', a: [plus, minus], unordered: true };
  }
  if (n.t === 'rel' && n.ops.length === 1 && n.ops[0] === '=' && n.a[1]!.t === 'pm') {
    const rhs = expandPm(n.a[1]!) as { t: 'list'; a: Node[] };
    return {
      t: 'list',
      a: rhs.a.map((r) => ({ t: 'rel', ops: ['='], a: [n.a[0]!, r] }) as Node),
      unordered: true,
    };
  }
  return n;
}

/** A left side that names the answer: `x`, `f(x)` (parsed f*x), `f^{-1}(x)`, `x_1`. */
/** Set elements `1 \pm \sqrt5` stand for two elements. */
function flatPm(items: Node[]): Node[] {
  return items.flatMap((n) => (n.t === 'pm' ? (expandPm(n) as { a: Node[] }).a : [n]));
}

function isName(n: Node): boolean {
  const atom = (x: Node) => x.t === 'sym' || (x.t === 'pow' && x.a.t === 'sym');
  if (atom(n)) return true;
  // `|PQ|`, the length of a named segment.
  if (n.t === 'fn' && n.name === 'abs' && n.args.length === 1) return isName(n.args[0]!);
  if (n.t === 'mul') return n.a.length <= 3 && n.a.every(atom);
  // A ratio of names `\frac{NO}{BO}`, `V_1 : V_2`, and a tuple of names `(p, q)`.
  if (n.t === 'div') return isName(n.a) && isName(n.b);
  if (n.t === 'seq') return n.a.length <= 8 && n.a.every(atom);
  return false;
}

function isScalar(n: Node): boolean {
  return !['list', 'set', 'seq', 'union', 'matrix', 'rel', 'text', 'pm'].includes(n.t);
}

/** +1 for ∞, -1 for -∞, 0 otherwise. */
function infSign(n: Node): number {
  if (n.t === 'const' && n.name === 'inf') return 1;
  if (n.t === 'neg') return -infSign(n.a);
  if (n.t === 'add' && n.a.length === 2 && n.a[0]!.t === 'num') return infSign(n.a[1]!);
  return 0;
}

/** Deterministic PRNG (mulberry32) so a verdict never depends on the run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function close(a: Complex, b: Complex, tol: number): boolean {
  const scale = Math.max(Math.hypot(a.re, a.im), Math.hypot(b.re, b.im));
  return Math.hypot(a.re - b.re, a.im - b.im) <= tol * scale + 1e-12;
}
const finite = (a: Complex) => Number.isFinite(a.re) && Number.isFinite(a.im);

export class Comparer {
  readonly #o: CompareOptions;
  readonly #budget: Budget;
  constructor(options: CompareOptions, budget: Budget) {
    this.#o = options;
    this.#budget = budget;
  }

  equal(gold: Node, pred: Node): Rule {
    this.#budget.tick();
    // `\frac{7}{\pi} \approx 2.23`: either side of an approximation may be the answer.
    const ga = approxSides(gold);
    const pa = approxSides(pred);
    if (ga || pa) {
      for (const x of ga ?? [gold]) for (const y of pa ?? [pred]) if (this.equal(x, y)) return 'approx';
      return null;
    }
    const g = foldMatrix(expandPm(settle(gold)));
    const p = foldMatrix(expandPm(settle(pred)));
    if (show(g) === show(p)) return 'identical';
    if (g.t === 'text' || p.t === 'text') return null;
    if (g.t === 'rel' || p.t === 'rel') return this.#withRelation(g, p);
    // One-element containers against a scalar: `\{3\}` or `3,` vs `3`.
    if ((g.t === 'list' || g.t === 'set') && g.a.length === 1 && isScalar(p)) return this.equal(g.a[0]!, p);
    if ((p.t === 'list' || p.t === 'set') && p.a.length === 1 && isScalar(g)) return this.equal(g, p.a[0]!);
    if (g.t === 'list' || g.t === 'set') {
      if (p.t === 'list' || p.t === 'set') {
        // `p=5, q=2, p=7, q=2` ~ `(5,2), (7,2)`: assignments that cycle through the same names are tuples.
        const [ga, pa] = [solutionTuples(g.a) ?? g.a, solutionTuples(p.a) ?? p.a];
        if (this.#o.orderedLists && g.t === 'list' && !unorderedGold(g, p))
          return this.#ordered(ga, pa) ? 'list' : null;
        return this.#unordered(flatPm(ga), flatPm(pa)) ? 'set' : null;
      }
      if (p.t === 'seq' && g.t === 'list') return this.#ordered(g.a, p.a) ? 'tuple' : null;
      return null;
    }
    if (g.t === 'seq') {
      if (p.t === 'seq') return this.#seq(g, p);
      // Plain braces `{1,3}` parse as a set; against a tuple the order must still match.
      if (p.t === 'set') return this.#ordered(g.a, p.a) ? 'tuple' : null;
      if (p.t === 'list')
        return g.open === '(' && g.close === ')' && this.#ordered(g.a, p.a) ? 'tuple' : null;
      if (p.t === 'union' && p.a.length === 1) return this.equal(g, p.a[0]!);
      if (p.t === 'matrix') return this.#ordered(g.a, vectorOf(p) ?? []) ? 'matrix' : null;
      return null;
    }
    if (g.t === 'union') {
      if (p.t === 'union') return this.#unordered(g.a, p.a) ? 'union' : null;
      return g.a.length === 1 ? this.equal(g.a[0]!, p) : null;
    }
    // A one-row or one-column matrix against a bracketed tuple (both ways, see the seq branch):
    // `\begin{matrix}\frac12\\1\end{matrix}` ~ `[0.5, 1]`.
    if (g.t === 'matrix' && p.t === 'seq') return this.#ordered(vectorOf(g) ?? [], p.a) ? 'matrix' : null;
    if (g.t === 'matrix') {
      if (p.t !== 'matrix' || p.rows.length !== g.rows.length) return null;
      for (let r = 0; r < g.rows.length; r++) if (!this.#ordered(g.rows[r]!, p.rows[r]!)) return null;
      return 'matrix';
    }
    if (!isScalar(p)) return null;
    return this.#scalar(g, p);
  }

  #ordered(a: Node[], b: Node[]): boolean {
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!this.equal(a[i]!, b[i]!)) return false;
    return true;
  }

  /** Multiset match, each gold element to a distinct predicted one (sets: order does not matter). */
  #unordered(a: Node[], b: Node[]): boolean {
    // Sets: every element of each side equals some element of the other, so a repeated
    // element counts once (`(3,17), (3,17), (17,3)` ~ `(17,3), (3,17)`), as in sympy's FiniteSet.
    const matched = new Array<boolean>(b.length).fill(false);
    for (const x of a) {
      let found = false;
      for (let j = 0; j < b.length; j++) {
        if (this.equal(x, b[j]!)) {
          matched[j] = true;
          found = true;
        }
      }
      if (!found) return false;
    }
    return matched.every(Boolean);
  }

  #seq(g: Extract<Node, { t: 'seq' }>, p: Extract<Node, { t: 'seq' }>): Rule {
    // Two elements may be an interval: `(1,2)` and `[1,2]` differ. Longer ones are tuples or
    // vectors, where `(1,2,3)` and `[1,2,3]` are the same.
    if (g.a.length === 2 && (g.open !== p.open || g.close !== p.close)) return null;
    return this.#ordered(g.a, p.a) ? (g.a.length === 2 ? 'interval_or_pair' : 'tuple') : null;
  }

  #withRelation(g: Node, p: Node): Rule {
    if (g.t === 'rel' && p.t === 'rel') return this.#relations(g, p);
    const rel = (g.t === 'rel' ? g : p) as Extract<Node, { t: 'rel' }>;
    const other = g.t === 'rel' ? p : g;
    // `1 = \zzz = x = 0`: a chain whose last equation assigns a name ends in that value.
    const n = rel.a.length;
    if (n > 2 && rel.ops.every((o) => o === '=') && this.#o.equationRhs && isName(rel.a[n - 2]!)) {
      const last = rel.a[n - 1]!;
      const r = g.t === 'rel' ? this.equal(last, other) : this.equal(other, last);
      if (r) return 'equation_rhs';
    }
    // `x = 5+5+1 = 11`: the last side of an assignment chain is the answer (as Math-Verify does).
    if (rel.ops.every((o) => o === '=') && this.#o.equationRhs && isName(rel.a[0]!)) {
      const last = rel.a[rel.a.length - 1]!;
      const r = g.t === 'rel' ? this.equal(last, other) : this.equal(other, last);
      return r && 'equation_rhs';
    }
    // A predicted chain of equalities `2+2=4` ends in its result, when its left side is a
    // number or a name (so `a+3z=0` still does not match `0`).
    if (
      g.t !== 'rel' &&
      rel.ops.every((o) => o === '=') &&
      this.#o.equationRhs &&
      symbols(rel.a[0]!).size === 0
    ) {
      return this.equal(other, rel.a[rel.a.length - 1]!) && 'equation_last';
    }
    const iv = this.#interval(rel);
    if (iv && (other.t === 'seq' || other.t === 'union')) {
      const r = g.t === 'rel' ? this.equal(iv, other) : this.equal(other, iv);
      return r && 'inequality_interval';
    }
    return null;
  }

  #relations(g: Extract<Node, { t: 'rel' }>, p: Extract<Node, { t: 'rel' }>): Rule {
    const a = flipGreater(lastAssignment(g));
    const b = flipGreater(lastAssignment(p));
    // `x \in [-2,7]` (parsed x = [-2,7]) against `-2 \le x \le 7`.
    const member = (r: Extract<Node, { t: 'rel' }>) =>
      r.ops.length === 1 &&
      r.ops[0] === '=' &&
      isName(r.a[0]!) &&
      (r.a[1]!.t === 'seq' || r.a[1]!.t === 'union')
        ? r.a[1]!
        : null;
    const [ma, mb] = [member(a), member(b)];
    if (ma && !mb) {
      const iv = this.#interval(b);
      return iv && this.equal(ma, iv) ? 'inequality_interval' : null;
    }
    if (mb && !ma) {
      const iv = this.#interval(a);
      return iv && this.equal(iv, mb) ? 'inequality_interval' : null;
    }
    if (a.ops.length === 1 && a.ops[0] === '=' && b.ops.length === 1 && b.ops[0] === '=') {
      const [gl, gr] = a.a as [Node, Node];
      const [pl, pr] = b.a as [Node, Node];
      // Same name, letter case aside (`P(x) = 1` ~ `p(x) = 1`).
      if (isName(gl) && isName(pl) && show(gl).toLowerCase() === show(pl).toLowerCase())
        return this.equal(gr, pr) && 'equation';
      // The same function of a renamed argument: `g(t) = 2` ~ `g(x) = 2`, `f(t) = 2t` ~ `f(x) = 2x`.
      const arg = renamedArgument(gl, pl);
      if (arg && !symbols(pr).has(arg.to))
        return this.equal(gr, renameSymbol(pr, arg.from, arg.to)) && 'equation';
      // Two definitions of the same function under different names, `f(x) = 2x+3` ~ `y = 2x+3`:
      // only when both right sides have free variables (`n = 5` and `m = 5` stay different).
      if (isName(gl) && isName(pl) && symbols(gr).size > 0 && symbols(pr).size > 0 && this.equal(gr, pr))
        return 'function';
      if (
        this.#proportional(
          { t: 'add', a: [gl, { t: 'neg', a: gr }] },
          { t: 'add', a: [pl, { t: 'neg', a: pr }] },
        )
      )
        return 'equation';
      return null;
    }
    if (a.ops.join() === b.ops.join() && this.#ordered(a.a, b.a)) return 'inequality';
    const ia = this.#interval(a);
    const ib = this.#interval(b);
    if (ia && ib && this.equal(ia, ib)) return 'inequality';
    return null;
  }

  /** An inequality as an interval; `-x > -1` too, via the root of a linear side difference. */
  #interval(rel: Extract<Node, { t: 'rel' }>): Node | null {
    const direct = toInterval(rel);
    if (direct || rel.ops.length !== 1) return direct;
    const op = rel.ops[0]!;
    if (!['<', '<=', '>', '>='].includes(op)) return null;
    const f: Node = { t: 'add', a: [rel.a[0]!, { t: 'neg', a: rel.a[1]! }] };
    const vars = [...symbols(f)];
    if (vars.length !== 1) return null;
    const at = (x: number) => numeric(f, new Map([[vars[0]!, { re: x, im: 0 }]]), this.#budget);
    const [f0, f1, f2] = [at(0), at(1), at(2)];
    if (![f0, f1, f2].every((v) => finite(v) && Math.abs(v.im) < 1e-12)) return null;
    const slope = f1.re - f0.re;
    // Linear only: equal steps, non-zero slope.
    if (Math.abs(slope) < 1e-12 || Math.abs(f2.re - f1.re - slope) > 1e-9 * Math.max(1, Math.abs(slope)))
      return null;
    const root = -f0.re / slope;
    const rootNode: Node = { t: 'num', v: Q.parseDecimal(root.toPrecision(15)) ?? Q.ZERO };
    // f < 0 with a positive slope means v < root.
    const less = (op === '<' || op === '<=') === slope > 0;
    const strict = op === '<' || op === '>';
    return less
      ? { t: 'seq', open: '(', close: strict ? ')' : ']', a: [NEG_INF, rootNode] }
      : { t: 'seq', open: strict ? '(' : '[', close: ')', a: [rootNode, INF] };
  }

  /** f and g are equal up to a non-zero constant factor (equations `2x = 4` and `x - 2 = 0`). */
  #proportional(f: Node, g: Node): boolean {
    const vars = [...symbols(f, symbols(g))];
    const ints = boundSymbols(f, boundSymbols(g));
    const rnd = prng(0x5eed);
    let ratio: Complex | null = null;
    let valid = 0;
    for (let k = 0; k < 2 * RANDOM_POINTS && valid < RANDOM_POINTS; k++) {
      const env = randomPoint(vars, ints, rnd, k);
      const a = numeric(f, env, this.#budget);
      const b = numeric(g, env, this.#budget);
      if (!finite(a) || !finite(b)) continue;
      const bz = Math.hypot(b.re, b.im) < 1e-12;
      const az = Math.hypot(a.re, a.im) < 1e-12;
      if (az !== bz) return false;
      if (az) {
        valid++;
        continue;
      }
      const d = b.re * b.re + b.im * b.im;
      const r = { re: (a.re * b.re + a.im * b.im) / d, im: (a.im * b.re - a.re * b.im) / d };
      if (ratio && !close(ratio, r, Math.max(this.#o.floatTolerance, 1e-9))) return false;
      ratio ??= r;
      valid++;
    }
    return valid >= 3;
  }

  #scalar(g: Node, p: Node): Rule {
    const gi = infSign(g);
    const pi = infSign(p);
    if (gi !== 0 || pi !== 0) return gi === pi ? 'infinity' : null;
    const r = this.#value(g, p);
    if (r) return r;
    if (this.#o.roundedDecimals) {
      if (this.#rounded(g, p)) return 'rounded';
      if (g.t === 'pct' && p.t === 'pct' && this.#rounded(g.a, p.a)) return 'rounded';
      // `66.67\%` for 2/3: the percentage is the rounded value times 100.
      if (p.t === 'pct' && g.t !== 'pct' && this.#rounded({ t: 'mul', a: [g, HUNDRED] }, p.a))
        return 'rounded';
      if (g.t === 'pct' && p.t !== 'pct' && this.#rounded(g.a, { t: 'mul', a: [p, HUNDRED] }))
        return 'rounded';
    }
    if (!this.#o.strictPercent) {
      // Math-Verify and most graders accept `50%` for `50` and for `0.5`.
      if (g.t === 'pct' && this.#value(g.a, p)) return 'percent';
      if (p.t === 'pct' && this.#value(g, p.a)) return 'percent';
    } else if (p.t === 'pct' && g.t === 'pct' && this.#value(g.a, p.a)) return 'percent';
    // `30^\circ` is π/6 (rule numeric above) and, as every grader reads it, also the bare 30.
    const bare = (n: Node) => (n.t === 'fn' && n.name === 'deg' ? n.args[0]! : n);
    if ((bare(g) !== g || bare(p) !== p) && this.#value(bare(g), bare(p))) return 'degrees';
    return null;
  }

  /**
   * One side is a decimal literal with at least MIN_ROUNDED_DIGITS significant digits, the
   * other a constant whose decimal expansion does not end (2/3, √2, 7/π); equal when the
   * decimal is that value correctly rounded to its stated places: `0.6667`, `0.67` ~ 2/3.
   */
  #rounded(g: Node, p: Node): boolean {
    const sg = statedDecimal(g);
    const sp = statedDecimal(p);
    if (!sg === !sp) return false;
    const [lit, other] = sg ? [sg, p] : [sp!, g];
    if (lit.sig < MIN_ROUNDED_DIGITS || lit.dp > 15 || symbols(other).size > 0) return false;
    const ex = exact(other, this.#budget);
    if (ex && terminates(ex)) return false;
    const v = numeric(other, new Map(), this.#budget);
    if (!finite(v) || Math.abs(v.im) > 1e-12 * Math.max(1, Math.abs(v.re))) return false;
    return Math.abs(v.re - lit.v) <= 0.5 * 10 ** -lit.dp * (1 + 1e-9) + 1e-12 * Math.abs(v.re);
  }

  #value(g: Node, p: Node): Rule {
    const eg = exact(g, this.#budget);
    const ep = eg && exact(p, this.#budget);
    if (eg && ep && Q.eq(eg, ep)) return 'exact';
    const vars = [...symbols(g, symbols(p))];
    const tol = this.#o.floatTolerance;
    if (vars.length === 0) {
      const env = new Map<string, Complex>();
      const a = numeric(g, env, this.#budget);
      const b = numeric(p, env, this.#budget);
      if (!finite(a) || !finite(b)) return null;
      return close(a, b, tol) ? 'numeric' : null;
    }
    // Symbolic equality: equal values at random points (Schwartz-Zippel for polynomials;
    // for other functions a false positive needs a coincidence at every point).
    const ints = boundSymbols(g, boundSymbols(p));
    const rnd = prng(0x5eed);
    let valid = 0;
    for (let k = 0; k < 2 * RANDOM_POINTS && valid < RANDOM_POINTS; k++) {
      const env = randomPoint(vars, ints, rnd, k);
      const a = numeric(g, env, this.#budget);
      const b = numeric(p, env, this.#budget);
      const fa = finite(a);
      if (fa !== finite(b)) return null;
      if (!fa) continue;
      if (!close(a, b, Math.max(tol, 1e-9))) return null;
      valid++;
    }
    return valid >= 3 ? 'symbolic' : null;
  }
}

/**
 * A value in ±[0.3, 3.3), away from 0 and from small integers where expressions coincide.
 * Points alternate between magnitudes below 1 and above 1 (`k`: the point's index), so a
 * term that is negligible on one side (`x^{100}` vs `x^{100}+1`) dominates on the other.
 */
function randomValue(rnd: () => number, k: number): number {
  const v = (k % 2 === 0 ? 0.3 + 0.7 * rnd() : 1 + 2.3 * rnd()) + 1e-3 * Math.SQRT2;
  return rnd() < 0.5 ? -v : v;
}

/**
 * The random point number `k`: variables in the bounds of a `\sum`/`\prod` take integer
 * values 1…8 (a sum up to n is defined for integer n only), all others real values.
 */
function randomPoint(
  vars: string[],
  intVars: Set<string>,
  rnd: () => number,
  k: number,
): Map<string, Complex> {
  return new Map(
    vars.map((v) => [v, { re: intVars.has(v) ? 1 + Math.floor(8 * rnd()) : randomValue(rnd, k), im: 0 }]),
  );
}

/**
 * `x = 1/3 \approx 0.33` → `x = 1/3` (the approximation is not the answer); `x \approx 11`
 * alone → `x = 11`. Lists are settled element by element.
 */
function settle(n: Node): Node {
  if (n.t === 'list') return { ...n, a: n.a.map(settle) };
  if (n.t !== 'rel') return n;
  const k = n.ops.indexOf('~');
  if (k < 0) return n;
  if (k === 0) return { t: 'rel', ops: n.ops.map((o) => (o === '~' ? '=' : o)), a: n.a };
  return { t: 'rel', ops: n.ops.slice(0, k), a: n.a.slice(0, k + 1) };
}

/** The sides of `a \approx b` (also `a = b \approx c`) when the first is no name, else null. */
function approxSides(n: Node): Node[] | null {
  if (n.t !== 'rel' || !n.ops.includes('~') || isName(n.a[0]!)) return null;
  return n.ops.every((o) => o === '=' || o === '~') ? n.a : null;
}

/** `g(x)` and `g(t)` (a one-letter function of a one-letter argument): the argument renamed, or null. */
function renamedArgument(g: Node, p: Node): { from: string; to: string } | null {
  if (g.t !== 'mul' || p.t !== 'mul' || g.a.length !== 2 || p.a.length !== 2) return null;
  const [gf, gx] = g.a as [Node, Node];
  const [pf, px] = p.a as [Node, Node];
  if (gf.t !== 'sym' || pf.t !== 'sym' || gx.t !== 'sym' || px.t !== 'sym') return null;
  if (gf.name.toLowerCase() !== pf.name.toLowerCase() || gx.name === px.name) return null;
  return { from: px.name, to: gx.name };
}

function renameSymbol(n: Node, from: string, to: string): Node {
  if (n.t === 'sym') return n.name === from ? { t: 'sym', name: to } : n;
  return mapChildren(n, (x) => renameSymbol(x, from, to));
}

/**
 * Is the gold list a set of answers, compared in any order? Yes when either side is written as
 * a set: in braces, with answers joined by and/or (`7, -2 and -5`), or with `\pm`; or when the
 * gold gives values of one unknown (`x = 1, x = 2`, `a = 4, -8, -10`), solution tuples
 * (`(1,2), (3,4)`, `p=5, q=2, p=7, q=2`), or distinct labels that the prediction carries too
 * (`a_3 = 2, a_{37} = 19`: paired by label). Otherwise (`3, 8, -1`) the list is ordered.
 */
function unorderedGold(g: Extract<Node, { t: 'list' }>, p: Extract<Node, { t: 'list' | 'set' }>): boolean {
  if (g.unordered || p.t === 'set' || p.unordered) return true;
  if (g.a.some((n) => n.t === 'pm') || p.a.some((n) => n.t === 'pm')) return true;
  if (g.a.every((n) => n.t === 'seq') || solutionTuples(g.a)) return true;
  const gl = g.a.map(label);
  if (gl[0] && gl.slice(1).every((l) => l === null || l === gl[0])) return true;
  return gl.every((l) => l !== null) && new Set(gl).size === gl.length && p.a.every((n) => label(n) !== null);
}

/** The printed name of `name = value`, or null. */
function label(n: Node): string | null {
  return n.t === 'rel' && n.ops.length === 1 && n.ops[0] === '=' && isName(n.a[0]!) ? show(n.a[0]!) : null;
}

/** `x = 1 + 1 = 2` → `x = 2`. */
function lastAssignment(r: Extract<Node, { t: 'rel' }>): Extract<Node, { t: 'rel' }> {
  if (r.a.length > 2 && r.ops.every((o) => o === '=') && isName(r.a[0]!))
    return { t: 'rel', ops: ['='], a: [r.a[0]!, r.a[r.a.length - 1]!] };
  return r;
}

function flipGreater(r: Extract<Node, { t: 'rel' }>): Extract<Node, { t: 'rel' }> {
  if (!r.ops.every((o) => o === '>' || o === '>=')) return r;
  return { t: 'rel', ops: [...r.ops].reverse().map((o) => (o === '>' ? '<' : '<=')), a: [...r.a].reverse() };
}

/** `x > 2` → (2, ∞), `1 \le x < 3` → [1, 3), when one side is a lone variable. */
export function toInterval(rel: Extract<Node, { t: 'rel' }>): Node | null {
  const r = flipGreater(rel);
  if (!r.ops.every((o) => o === '<' || o === '<=')) return null;
  const open = (o: string) => (o === '<' ? '(' : '[');
  const closeB = (o: string) => (o === '<' ? ')' : ']');
  const constant = (n: Node) => symbols(n).size === 0;
  if (r.ops.length === 1) {
    const [l, rr] = r.a as [Node, Node];
    if (isName(l) && constant(rr)) return { t: 'seq', open: '(', close: closeB(r.ops[0]!), a: [NEG_INF, rr] };
    if (isName(rr) && constant(l)) return { t: 'seq', open: open(r.ops[0]!), close: ')', a: [l, INF] };
    return null;
  }
  // The middle may be a name or a function value: `0 < f(x) < 1` is (0, 1).
  if (r.ops.length === 2 && isName(r.a[1]!) && constant(r.a[0]!) && constant(r.a[2]!)) {
    return { t: 'seq', open: open(r.ops[0]!), close: closeB(r.ops[1]!), a: [r.a[0]!, r.a[2]!] };
  }
  return null;
}

/**
 * `p=5, q=2, p=7, q=2` (k names assigned in the same order, again and again) as the tuples
 * `(5,2), (7,2)`; null when the list is not of that form.
 */
function solutionTuples(items: Node[]): Node[] | null {
  const names: string[] = [];
  for (const x of items) {
    if (x.t !== 'rel' || x.ops.length !== 1 || x.ops[0] !== '=' || !isName(x.a[0]!)) return null;
    names.push(show(x.a[0]!));
  }
  const k = names.indexOf(names[0]!, 1);
  if (k < 2 || items.length % k !== 0) return null;
  for (let i = k; i < names.length; i++) if (names[i] !== names[i % k]) return null;
  if (new Set(names.slice(0, k)).size !== k) return null;
  const out: Node[] = [];
  for (let i = 0; i < items.length; i += k) {
    const values = items.slice(i, i + k).map((x) => (x as Extract<Node, { t: 'rel' }>).a[1]!);
    out.push({ t: 'seq', open: '(', close: ')', a: values });
  }
  return out;
}
