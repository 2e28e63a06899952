import type { Node } from './ast.js';

/**
 * Arithmetic on explicit matrices before comparison (Math-Verify tests/test_all.py,
 * test_matrix_extraction: `A + B` and `A B` written out must match their result), and the
 * entries of a vector-shaped matrix.
 */

function isScalar(n: Node): boolean {
  return !['list', 'set', 'seq', 'union', 'matrix', 'rel', 'text', 'pm'].includes(n.t);
}

type Matrix = Extract<Node, { t: 'matrix' }>;

/** The entries of a one-row or one-column matrix, or null. */
export function vectorOf(m: Matrix): Node[] | null {
  if (m.rows.length === 1) return m.rows[0]!;
  return m.rows.every((r) => r.length === 1) ? m.rows.map((r) => r[0]!) : null;
}

/**
 * Sums, products and scalar multiples of explicit matrices, carried out entry by entry as
 * expression trees (`A + B`, `A B`, `2A`, `-A`), so `\begin{pmatrix}1&2\end{pmatrix} +
 * \begin{pmatrix}3&4\end{pmatrix}` compares as `\begin{pmatrix}4&6\end{pmatrix}`.
 * Shapes that do not conform leave the node as it is (it then matches nothing).
 */
export function foldMatrix(n: Node): Node {
  if (n.t === 'neg') {
    const a = foldMatrix(n.a);
    return a.t === 'matrix'
      ? { t: 'matrix', rows: a.rows.map((r) => r.map((x) => ({ t: 'neg', a: x }) as Node)) }
      : n;
  }
  if ((n.t !== 'add' && n.t !== 'mul') || !n.a.some(hasMatrix)) return n;
  // Products multiply the size of each entry's tree: at most MAX_FOLD_MATRICES matrices of at
  // most MAX_FOLD_ENTRIES entries are combined, so no answer can make the comparison blow up.
  const leaves: Matrix[] = [];
  matrixLeaves(n, leaves);
  if (leaves.length > MAX_FOLD_MATRICES || leaves.some((m) => m.rows.flat().length > MAX_FOLD_ENTRIES))
    return n;
  const parts = n.a.map(foldMatrix);
  let acc: Node = parts[0]!;
  for (const x of parts.slice(1)) {
    const next = n.t === 'add' ? addMatrices(acc, x) : mulMatrices(acc, x);
    if (!next) return n;
    acc = next;
  }
  return acc;
}

/** Most matrices in one folded sum/product expression (`A B + C`). */
const MAX_FOLD_MATRICES = 3;
/** Most entries of one matrix that takes part in a fold. */
const MAX_FOLD_ENTRIES = 100;

function matrixLeaves(n: Node, out: Matrix[]): void {
  if (n.t === 'matrix') out.push(n);
  else if (n.t === 'neg') matrixLeaves(n.a, out);
  else if (n.t === 'add' || n.t === 'mul') for (const x of n.a) matrixLeaves(x, out);
}

function hasMatrix(n: Node): boolean {
  return (
    n.t === 'matrix' ||
    (n.t === 'neg' && hasMatrix(n.a)) ||
    ((n.t === 'add' || n.t === 'mul') && n.a.some(hasMatrix))
  );
}

function addMatrices(a: Node, b: Node): Matrix | null {
  if (a.t !== 'matrix' || b.t !== 'matrix' || a.rows.length !== b.rows.length) return null;
  const rows: Node[][] = [];
  for (let i = 0; i < a.rows.length; i++) {
    const [ra, rb] = [a.rows[i]!, b.rows[i]!];
    if (ra.length !== rb.length) return null;
    rows.push(ra.map((x, j) => ({ t: 'add', a: [x, rb[j]!] }) as Node));
  }
  return { t: 'matrix', rows };
}

function mulMatrices(a: Node, b: Node): Matrix | null {
  if (a.t !== 'matrix' && b.t !== 'matrix') return null;
  if (a.t !== 'matrix' || b.t !== 'matrix') {
    // A scalar times a matrix.
    const [s, m] = (a.t === 'matrix' ? [b, a] : [a, b]) as [Node, Matrix];
    if (!isScalar(s)) return null;
    return { t: 'matrix', rows: m.rows.map((r) => r.map((x) => ({ t: 'mul', a: [s, x] }) as Node)) };
  }
  const inner = a.rows[0]!.length;
  if (
    inner !== b.rows.length ||
    a.rows.some((r) => r.length !== inner) ||
    b.rows.some((r) => r.length !== b.rows[0]!.length)
  )
    return null;
  const cols = b.rows[0]!.length;
  return {
    t: 'matrix',
    rows: a.rows.map((r) =>
      Array.from(
        { length: cols },
        (_, j): Node => ({ t: 'add', a: r.map((x, k) => ({ t: 'mul', a: [x, b.rows[k]![j]!] }) as Node) }),
      ),
    ),
  };
}
