import type { Rational } from './rational.js';

/** Expression tree produced by the LaTeX parser (latex-parser.ts) and consumed by compare.ts. */
export type Node =
  /** `dp`/`sig`: decimal places and significant digits a decimal literal states (`0.670`: 3 and 3). */
  | { t: 'num'; v: Rational; dp?: number; sig?: number }
  | { t: 'sym'; name: string }
  | { t: 'const'; name: 'pi' | 'e' | 'i' | 'inf' }
  | { t: 'add'; a: Node[] }
  | { t: 'mul'; a: Node[] }
  | { t: 'neg'; a: Node }
  | { t: 'div'; a: Node; b: Node }
  | { t: 'pow'; a: Node; b: Node }
  | { t: 'pct'; a: Node }
  | { t: 'fn'; name: string; args: Node[] }
  /** `a ± b`: stands for the two answers a+b and a-b. */
  | { t: 'pm'; a: Node; b: Node }
  /** A chain of relations `a0 op0 a1 op1 a2 ...`, ops in `=`, `!=`, `<`, `<=`, `>`, `>=`. */
  | { t: 'rel'; ops: string[]; a: Node[] }
  /** A bracketed sequence: tuple, point, interval or vector; `open`/`close` are `(`, `[`, `)`, `]`. */
  | { t: 'seq'; open: string; close: string; a: Node[] }
  | { t: 'set'; a: Node[] }
  /** Several answers separated by commas, `or`, `and` at the top level. */
  | { t: 'list'; a: Node[]; unordered?: boolean }
  | { t: 'union'; a: Node[] }
  | { t: 'matrix'; rows: Node[][] }
  | { t: 'text'; s: string };

/** A stable printed form, used for structural fallbacks and in details. */
export function show(n: Node): string {
  switch (n.t) {
    case 'num':
      return n.v.d === 1n ? n.v.n.toString() : `${n.v.n}/${n.v.d}`;
    case 'sym':
      return n.name;
    case 'const':
      return n.name;
    case 'add':
      return `(${n.a.map(show).join('+')})`;
    case 'mul':
      return `(${n.a.map(show).join('*')})`;
    case 'neg':
      return `-${show(n.a)}`;
    case 'div':
      return `(${show(n.a)}/${show(n.b)})`;
    case 'pow':
      return `(${show(n.a)}^${show(n.b)})`;
    case 'pct':
      return `${show(n.a)}%`;
    case 'fn':
      return `${n.name}(${n.args.map(show).join(',')})`;
    case 'pm':
      return `(${show(n.a)}±${show(n.b)})`;
    case 'rel': {
      let s = show(n.a[0]!);
      for (let i = 0; i < n.ops.length; i++) s += `${n.ops[i]}${show(n.a[i + 1]!)}`;
      return s;
    }
    case 'seq':
      return `${n.open}${n.a.map(show).join(',')}${n.close}`;
    case 'set':
      return `{${n.a.map(show).join(',')}}`;
    case 'list':
      return n.a.map(show).join(', ');
    case 'union':
      return n.a.map(show).join('∪');
    case 'matrix':
      return `[${n.rows.map((r) => r.map(show).join(' ')).join('; ')}]`;
    case 'text':
      return `"${n.s}"`;
  }
}

/** Calls `f` on each direct sub-expression of `n`, in order (matrix entries row by row). */
export function forEachChild(n: Node, f: (x: Node) => void): void {
  switch (n.t) {
    case 'neg':
    case 'pct':
      f(n.a);
      break;
    case 'div':
    case 'pow':
    case 'pm':
      f(n.a);
      f(n.b);
      break;
    case 'add':
    case 'mul':
    case 'list':
    case 'set':
    case 'seq':
    case 'union':
    case 'rel':
      for (const x of n.a) f(x);
      break;
    case 'fn':
      for (const x of n.args) f(x);
      break;
    case 'matrix':
      for (const r of n.rows) for (const x of r) f(x);
      break;
    default:
      break;
  }
}

/** `n` with every direct sub-expression replaced by `f` of it; leaves are returned as they are. */
export function mapChildren(n: Node, f: (x: Node) => Node): Node {
  switch (n.t) {
    case 'neg':
    case 'pct':
      return { ...n, a: f(n.a) };
    case 'div':
    case 'pow':
    case 'pm':
      return { ...n, a: f(n.a), b: f(n.b) };
    case 'add':
    case 'mul':
    case 'list':
    case 'set':
    case 'seq':
    case 'union':
    case 'rel':
      return { ...n, a: n.a.map(f) } as Node;
    case 'fn':
      return { ...n, args: n.args.map(f) };
    case 'matrix':
      return { ...n, rows: n.rows.map((r) => r.map(f)) };
    default:
      return n;
  }
}
