import { BAD_ARGUMENT, DTYPE_MISMATCH, GraphError, SHAPE_MISMATCH } from './errors.js';
import { normAxis, type Sym } from './graph.js';
import { MathGraph } from './ops-math.js';
import { type Dim, showShape } from './shape.js';

/**
 * A tensor graph under construction: every op of `MathGraph` plus the indexing and shape
 * ops below. Shapes are checked as ops are composed; `grad` appends the backward graph;
 * `toOnnx` serialises it.
 *
 * @example
 * const g = new Graph();
 * const x = g.input('x', 'float32', ['batch', 4]);
 * const w = g.param('w', [4, 2]);
 * const loss = g.mean(g.square(g.matmul(x, w)));
 * const [dw] = g.grad(loss, [w]);
 * g.output('loss', loss);
 * g.output('dw', dw!);
 * const bytes = g.toOnnx();
 */
export class Graph extends MathGraph {
  /** Broadcasts `x` to `shape` (numpy rules); the gradient sums back. */
  expand(x: Sym, shape: readonly Dim[]): Sym {
    const out = this._broadcast(x.shape, shape, 'expand');
    if (out.length !== shape.length || out.some((d, i) => d !== shape[i])) {
      throw new GraphError(
        SHAPE_MISMATCH,
        'expand.shape',
        `expand: ${showShape(x.shape)} cannot expand to ${showShape(shape)}`,
      );
    }
    return this.node('Expand', [x, this.shapeValue(shape, 'expand.shape')], x.dtype, out, {}, (gy) => [
      this.unbroadcast(gy, x),
    ]);
  }

  /** Joins tensors along `axis`; the gradient slices the pieces back out. */
  concat(xs: readonly Sym[], axis: number): Sym {
    if (xs.length === 0) throw new GraphError(BAD_ARGUMENT, 'concat.xs', 'concat: needs at least one tensor');
    const first = xs[0]!;
    const r = first.shape.length;
    const a = normAxis(axis, r, 'concat.axis');
    xs.forEach((x, i) => {
      if (x.dtype !== first.dtype) {
        throw new GraphError(DTYPE_MISMATCH, `concat.xs[${i}]`, `concat: dtype ${x.dtype} != ${first.dtype}`);
      }
      if (x.shape.length !== r || x.shape.some((d, j) => j !== a && d !== first.shape[j])) {
        throw new GraphError(
          SHAPE_MISMATCH,
          `concat.xs[${i}]`,
          `concat: ${showShape(x.shape)} does not match ${showShape(first.shape)} outside axis ${a}`,
        );
      }
    });
    const sizes = xs.map((x) => x.shape[a]!);
    const total: Dim = sizes.every((d) => typeof d === 'number')
      ? (sizes as number[]).reduce((p, q) => p + q, 0)
      : sizes.join('+');
    const shape = first.shape.map((d, j) => (j === a ? total : d));
    return this.node('Concat', [...xs], first.dtype, shape, { axis: { kind: 'int', value: a } }, (gy) => {
      let start: Sym = this.ints([0]);
      return xs.map((x) => {
        const size = this.dimOf(x, a);
        const end = this.node('Add', [start, size], 'int64', [1]);
        const piece = this.node('Slice', [gy, start, end, this.ints([a])], gy.dtype, x.shape);
        start = end;
        return piece;
      });
    });
  }

  /**
   * `x[start:end]` along `axis` (0 <= start <= end; `end` omitted: to the end). The
   * gradient pads with zeros back to the input's size.
   */
  slice(x: Sym, axis: number, start: number, end?: number): Sym {
    const a = normAxis(axis, x.shape.length, 'slice.axis');
    const d = x.shape[a]!;
    if (
      !Number.isInteger(start) ||
      start < 0 ||
      (end !== undefined && (!Number.isInteger(end) || end < start))
    ) {
      throw new GraphError(
        BAD_ARGUMENT,
        'slice.start',
        `slice: need integers 0 <= start <= end, got ${start}..${end}`,
      );
    }
    if (typeof d === 'number' && (end ?? d) > d) {
      throw new GraphError(SHAPE_MISMATCH, 'slice.end', `slice: end ${end} is past dim ${a} of size ${d}`);
    }
    const len: Dim =
      end !== undefined ? end - start : typeof d === 'number' ? d - start : start === 0 ? d : `${d}-${start}`;
    const shape = x.shape.map((v, j) => (j === a ? len : v));
    const endV = end ?? Number.MAX_SAFE_INTEGER;
    return this.node(
      'Slice',
      [x, this.ints([start]), this.ints([endV]), this.ints([a])],
      x.dtype,
      shape,
      {},
      (gy) => {
        const r = x.shape.length;
        const zeros = new Array<number>(r).fill(0);
        const before = zeros.map((_, j) => (j === a ? start : 0));
        let pads: Sym;
        if (end === undefined) pads = this.ints([...before, ...zeros]);
        else if (typeof d === 'number')
          pads = this.ints([...before, ...zeros.map((_, j) => (j === a ? d - end : 0))]);
        else {
          const after = this.node('Sub', [this.dimOf(x, a), this.ints([end])], 'int64', [1]);
          const parts = [this.ints([...before, ...zeros.slice(0, a)]), after, this.ints(zeros.slice(a + 1))];
          pads = this.node('Concat', parts, 'int64', [2 * r], { axis: { kind: 'int', value: 0 } });
        }
        return [this.node('Pad', [gy, pads], gy.dtype, x.shape)];
      },
    );
  }

  /**
   * Embedding lookup: rows of `table` (vocab, ...) at int64 `ids` (...) ->
   * (...ids, ...table[1:]). The gradient scatter-adds rows (ScatterND, reduction add), so
   * it costs O(tokens * d), not a (vocab x tokens) one-hot GEMM.
   */
  gather(table: Sym, ids: Sym): Sym {
    this._checkFloat(table, 'gather.table');
    if (ids.dtype !== 'int64')
      throw new GraphError(DTYPE_MISMATCH, 'gather.ids', `gather: ids must be int64, got ${ids.dtype}`);
    if (table.shape.length < 1)
      throw new GraphError(SHAPE_MISMATCH, 'gather.table', 'gather: table needs rank >= 1');
    const shape = [...ids.shape, ...table.shape.slice(1)];
    return this.node(
      'Gather',
      [table, ids],
      table.dtype,
      shape,
      { axis: { kind: 'int', value: 0 } },
      (gy) => {
        // Rows flattened to (n, width) and ids broadcast to (n, width) for ScatterElements:
        // ONNX Runtime's CPU ScatterND splits the index list across threads, and with repeated
        // ids (every batch repeats tokens) two threads add into one row at once and lose
        // updates, so multi-threaded training was not reproducible. ScatterElements adds in order.
        const rest = table.shape.slice(1);
        const width = rest.every((d) => typeof d === 'number')
          ? (rest as number[]).reduce((a, b) => a * b, 1)
          : -1;
        if (width < 0)
          throw new GraphError(SHAPE_MISMATCH, 'gather.table', 'gather: table needs static trailing dims');
        const rows = this.node('Reshape', [gy, this.ints([-1, width])], gy.dtype, ['gather_rows', width]);
        const flatIds = this.node('Reshape', [ids, this.ints([-1, 1])], 'int64', ['gather_rows', 1]);
        const idx = this.node('Expand', [flatIds, this.ints([1, width])], 'int64', ['gather_rows', width]);
        const flat = rest.length === 1;
        const flatTable = [table.shape[0]!, width];
        const zeros = flat
          ? this.zerosLike(table)
          : this.node('Reshape', [this.zerosLike(table), this.ints([-1, width])], gy.dtype, flatTable);
        const summed = this.node('ScatterElements', [zeros, idx, rows], gy.dtype, flatTable, {
          axis: { kind: 'int', value: 0 },
          reduction: { kind: 'string', value: 'add' },
        });
        return [
          flat ? summed : this.node('Reshape', [summed, this.shapeOf(table)], gy.dtype, table.shape),
          null,
        ];
      },
    );
  }

  /**
   * `x` picked at int64 `index` along `axis` (ONNX GatherElements); `index` has x's rank,
   * e.g. the sampled token's logprob: pick(logprobs (b, t, vocab), tokens (b, t, 1), -1).
   */
  pick(x: Sym, index: Sym, axis = -1): Sym {
    this._checkFloat(x, 'pick.x');
    if (index.dtype !== 'int64') {
      throw new GraphError(DTYPE_MISMATCH, 'pick.index', `pick: index must be int64, got ${index.dtype}`);
    }
    const a = normAxis(axis, x.shape.length, 'pick.axis');
    if (index.shape.length !== x.shape.length || index.shape.some((d, j) => j !== a && d !== x.shape[j])) {
      throw new GraphError(
        SHAPE_MISMATCH,
        'pick.index',
        `pick: index ${showShape(index.shape)} must match x ${showShape(x.shape)} outside axis ${a}`,
      );
    }
    return this.node(
      'GatherElements',
      [x, index],
      x.dtype,
      index.shape,
      { axis: { kind: 'int', value: a } },
      (gy) => [
        this.node('ScatterElements', [this.zerosLike(x), index, gy], gy.dtype, x.shape, {
          axis: { kind: 'int', value: a },
          reduction: { kind: 'string', value: 'add' },
        }),
        null,
      ],
    );
  }

  /** Inserts size-1 axes (positions in the output). */
  unsqueeze(x: Sym, axes: readonly number[]): Sym {
    const r = x.shape.length + axes.length;
    const norm = axes.map((a) => normAxis(a, r, 'unsqueeze.axes')).sort((p, q) => p - q);
    const shape: Dim[] = [];
    let k = 0;
    for (let i = 0; i < r; i++) shape.push(norm.includes(i) ? 1 : x.shape[k++]!);
    return this.node('Unsqueeze', [x, this.ints(norm)], x.dtype, shape, {}, (gy) => [
      this.node('Reshape', [gy, this.shapeOf(x)], gy.dtype, x.shape),
    ]);
  }

  /**
   * Causal attention mask (seqLen, seqLen), bool, true where key j <= query i
   * (Vaswani et al. 2017, decoder self-attention). `seqLen` is a number or a symbolic dim.
   */
  causalMask(seqLen: Dim): Sym {
    if (typeof seqLen === 'number') {
      const v: number[] = [];
      for (let i = 0; i < seqLen; i++) for (let j = 0; j < seqLen; j++) v.push(j <= i ? 1 : 0);
      return this.constant(v, [seqLen, seqLen], 'bool');
    }
    const n = this.node('Squeeze', [this.dimValue(seqLen, 'causalMask.seqLen'), this.ints([0])], 'int64', []);
    const r = this.node('Range', [this.scalar(0, 'int64'), n, this.scalar(1, 'int64')], 'int64', [seqLen]);
    const rows = this.node('Unsqueeze', [r, this.ints([1])], 'int64', [seqLen, 1]);
    const cols = this.node('Unsqueeze', [r, this.ints([0])], 'int64', [1, seqLen]);
    return this.node('LessOrEqual', [cols, rows], 'bool', [seqLen, seqLen]);
  }
}
