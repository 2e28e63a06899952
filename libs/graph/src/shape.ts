import { GraphError, SHAPE_MISMATCH } from './errors.js';

/** A dimension: a fixed size, or a symbolic name such as `batch` (or a product `batch*seq`). */
export type Dim = number | string;

export function showShape(s: readonly Dim[]): string {
  return `[${s.join(', ')}]`;
}

/**
 * Numpy broadcasting with symbolic dims: equal dims match, 1 broadcasts, and two
 * different symbols (or a symbol against a size other than 1) are an error.
 */
export function broadcastShapes(a: readonly Dim[], b: readonly Dim[], op: string): Dim[] {
  const r = Math.max(a.length, b.length);
  const out: Dim[] = [];
  for (let i = 0; i < r; i++) {
    const da = a[a.length - r + i] ?? 1;
    const db = b[b.length - r + i] ?? 1;
    if (da === db || db === 1) out.push(da);
    else if (da === 1) out.push(db);
    else {
      throw new GraphError(
        SHAPE_MISMATCH,
        `${op}.b`,
        `${op}: shapes ${showShape(a)} and ${showShape(b)} do not broadcast (dim ${i}: ${da} vs ${db})`,
      );
    }
  }
  return out;
}

/** A shape as a product: sorted symbol factors and the numeric factor. */
export function dimFactors(shape: readonly Dim[]): { syms: string[]; n: number } {
  const syms: string[] = [];
  let n = 1;
  for (const d of shape) {
    if (typeof d === 'number') n *= d;
    else {
      for (const f of d.split('*')) {
        const t = f.trim();
        if (/^\d+$/.test(t)) n *= Number(t);
        else syms.push(t);
      }
    }
  }
  syms.sort();
  return { syms, n };
}

/** Whether two shapes have the same number of elements, symbol by symbol. */
export function sameFactors(a: readonly Dim[], b: readonly Dim[]): boolean {
  const fa = dimFactors(a);
  const fb = dimFactors(b);
  return fa.n === fb.n && fa.syms.join('*') === fb.syms.join('*');
}
