import { BAD_ARGUMENT, DTYPE_MISMATCH, GraphError, SHAPE_MISMATCH } from './errors.js';
import { type DType, GraphBase, normAxis, type Sym } from './graph.js';
import { type Dim, showShape } from './shape.js';

type Operand = Sym | number;

/** Elementwise, matmul, reduction and softmax ops, each with its gradient rule. */
export class MathGraph extends GraphBase {
  // ------------------------------------------------------------ binary elementwise

  private binary(op: 'Add' | 'Sub' | 'Mul' | 'Div', a0: Operand, b0: Operand, name: string): Sym {
    if (typeof a0 === 'number' && typeof b0 === 'number') {
      throw new GraphError(BAD_ARGUMENT, `${name}.a`, `${name}: at least one operand must be a tensor`);
    }
    const a = typeof a0 === 'number' ? this._lift(a0, b0 as Sym) : a0;
    const b = this._lift(b0, a);
    this._checkSame(a, b, name);
    const shape = this._broadcast(a.shape, b.shape, name);
    return this.node(op, [a, b], a.dtype, shape, {}, (gy) => {
      switch (op) {
        case 'Add':
          return [this.unbroadcast(gy, a), this.unbroadcast(gy, b)];
        case 'Sub':
          return [this.unbroadcast(gy, a), this.unbroadcast(this.neg(gy), b)];
        case 'Mul':
          return [this.unbroadcast(this.mul(gy, b), a), this.unbroadcast(this.mul(gy, a), b)];
        case 'Div': {
          // d(a/b)/db = -a/b^2 = -(a/b)/b
          const ga = this.div(gy, b);
          return [this.unbroadcast(ga, a), this.unbroadcast(this.neg(this.mul(ga, this.div(a, b))), b)];
        }
      }
    });
  }

  /** a + b, broadcasting. */
  add(a: Operand, b: Operand): Sym {
    return this.binary('Add', a, b, 'add');
  }
  /** a - b, broadcasting. */
  sub(a: Operand, b: Operand): Sym {
    return this.binary('Sub', a, b, 'sub');
  }
  /** a * b, broadcasting. */
  mul(a: Operand, b: Operand): Sym {
    return this.binary('Mul', a, b, 'mul');
  }
  /** a / b, broadcasting. */
  div(a: Operand, b: Operand): Sym {
    return this.binary('Div', a, b, 'div');
  }

  /** Elementwise minimum (gradient goes to the smaller operand; ties to `a`). */
  minimum(a: Sym, b: Operand): Sym {
    const bb = this._lift(b, a);
    return this.where(this.lessOrEqual(a, bb), a, bb);
  }
  /** Elementwise maximum (gradient goes to the larger operand; ties to `a`). */
  maximum(a: Sym, b: Operand): Sym {
    const bb = this._lift(b, a);
    return this.where(this.lessOrEqual(bb, a), a, bb);
  }

  /** Clamps to [lo, hi] (PPO's ratio clip, Schulman et al. 2017); zero gradient outside. */
  clip(x: Sym, lo: number, hi: number): Sym {
    if (!(lo <= hi)) throw new GraphError(BAD_ARGUMENT, 'clip.lo', `clip: need lo <= hi, got ${lo} > ${hi}`);
    return this.minimum(this.maximum(x, lo), hi);
  }

  // ------------------------------------------------------------ unary elementwise

  private unary(op: string, x: Sym, rule: (gy: Sym, y: Sym) => Sym, attrs = {}): Sym {
    this._checkFloat(x, `${op.toLowerCase()}.x`);
    return this.node(op, [x], x.dtype, x.shape, attrs, (gy, y) => [rule(gy, y)]);
  }

  neg(x: Sym): Sym {
    return this.unary('Neg', x, (gy) => this.neg(gy));
  }
  exp(x: Sym): Sym {
    return this.unary('Exp', x, (gy, y) => this.mul(gy, y));
  }
  log(x: Sym): Sym {
    return this.unary('Log', x, (gy) => this.div(gy, x));
  }
  sqrt(x: Sym): Sym {
    return this.unary('Sqrt', x, (gy, y) => this.div(this.mul(gy, 0.5), y));
  }
  /** 1 / sqrt(x); d/dx = -y^3 / 2. */
  rsqrt(x: Sym): Sym {
    const s = this.sqrt(x);
    return this.unary('Reciprocal', s, (gy, y) => this.neg(this.mul(gy, this.mul(y, y))));
  }
  /** x^p for a constant exponent p; d/dx = p x^(p-1). */
  pow(x: Sym, p: number): Sym {
    if (p === 2) return this.square(x);
    if (p === 1) return x;
    return this.node('Pow', [x, this.scalar(p, x.dtype)], x.dtype, x.shape, {}, (gy) => [
      this.mul(gy, this.mul(this.pow(x, p - 1), p)),
    ]);
  }
  /** x * x. */
  square(x: Sym): Sym {
    this._checkFloat(x, 'square.x');
    return this.node('Mul', [x, x], x.dtype, x.shape, {}, (gy) => [this.mul(gy, this.mul(x, 2))]);
  }
  sigmoid(x: Sym): Sym {
    return this.unary('Sigmoid', x, (gy, y) => this.mul(gy, this.mul(y, this.sub(1, y))));
  }
  tanh(x: Sym): Sym {
    return this.unary('Tanh', x, (gy, y) => this.mul(gy, this.sub(1, this.mul(y, y))));
  }
  /** max(x, 0). */
  relu(x: Sym): Sym {
    return this.unary('Relu', x, (gy) => this.where(this.less(this.scalar(0, x.dtype), x), gy, 0));
  }
  /** x * sigmoid(x) (SwiGLU's gate; Ramachandran et al. 2017). */
  silu(x: Sym): Sym {
    return this.mul(x, this.sigmoid(x));
  }
  /** GELU, tanh approximation (Hendrycks & Gimpel 2016, eq. for GPT-2). */
  gelu(x: Sym): Sym {
    const inner = this.mul(
      this.add(x, this.mul(this.mul(this.square(x), x), 0.044715)),
      Math.sqrt(2 / Math.PI),
    );
    return this.mul(this.mul(x, 0.5), this.add(this.tanh(inner), 1));
  }

  // ------------------------------------------------------------ comparisons, where, cast

  private compare(op: string, a: Sym, b0: Operand): Sym {
    const b = this._lift(b0, a);
    this._checkSame(a, b, op.toLowerCase());
    return this.node(op, [a, b], 'bool', this._broadcast(a.shape, b.shape, op.toLowerCase()));
  }
  equal(a: Sym, b: Operand): Sym {
    return this.compare('Equal', a, b);
  }
  less(a: Sym, b: Operand): Sym {
    return this.compare('Less', a, b);
  }
  lessOrEqual(a: Sym, b: Operand): Sym {
    return this.compare('LessOrEqual', a, b);
  }
  greater(a: Sym, b: Operand): Sym {
    return this.compare('Greater', a, b);
  }

  /** cond ? a : b, broadcasting all three; gradients flow to the chosen branch only. */
  where(cond: Sym, a0: Operand, b0: Operand): Sym {
    if (cond.dtype !== 'bool') {
      throw new GraphError(DTYPE_MISMATCH, 'where.cond', `where: cond must be bool, got ${cond.dtype}`);
    }
    if (typeof a0 === 'number' && typeof b0 === 'number') {
      throw new GraphError(BAD_ARGUMENT, 'where.a', 'where: at least one branch must be a tensor');
    }
    const a = typeof a0 === 'number' ? this._lift(a0, b0 as Sym) : a0;
    const b = this._lift(b0, a);
    this._checkSame(a, b, 'where');
    const shape = this._broadcast(this._broadcast(cond.shape, a.shape, 'where'), b.shape, 'where');
    return this.node('Where', [cond, a, b], a.dtype, shape, {}, (gy) => {
      const zero = this.scalar(0, gy.dtype);
      return [
        null,
        this.unbroadcast(this.where(cond, gy, zero), a),
        this.unbroadcast(this.where(cond, zero, gy), b),
      ];
    });
  }

  /** Converts the element type; float-to-float casts pass the gradient back (cast to the source dtype). */
  cast(x: Sym, dtype: DType): Sym {
    const to = { float32: 1, int32: 6, int64: 7, bool: 9, float64: 11 }[dtype];
    const differentiable =
      (x.dtype === 'float32' || x.dtype === 'float64') && (dtype === 'float32' || dtype === 'float64');
    return this.node(
      'Cast',
      [x],
      dtype,
      x.shape,
      { to: { kind: 'int', value: to } },
      differentiable ? (gy) => [this.cast(gy, x.dtype)] : null,
    );
  }

  /** Identity in the forward pass; no gradient flows through it. */
  stopGradient(x: Sym): Sym {
    return this.node('StopGradient', [x], x.dtype, x.shape);
  }

  // ------------------------------------------------------------ matmul

  /**
   * Batched matrix product over the last two axes, batch axes broadcast:
   * (..., m, k) x (..., k, n) -> (..., m, n). Backward uses Transpose+MatMul, which ORT
   * fuses into FusedMatMul (transA/transB) at optimization level `all`, and multiplies a
   * shared 2-D weight's gradient as one large (k, tokens) x (tokens, n) GEMM.
   */
  matmul(a: Sym, b: Sym): Sym {
    this._checkFloat(a, 'matmul.a');
    this._checkSame(a, b, 'matmul');
    if (a.shape.length < 2 || b.shape.length < 2) {
      throw new GraphError(SHAPE_MISMATCH, 'matmul.a', 'matmul: operands need rank >= 2');
    }
    const [m, k] = a.shape.slice(-2) as [Dim, Dim];
    const [k2, n] = b.shape.slice(-2) as [Dim, Dim];
    if (k !== k2) {
      throw new GraphError(
        SHAPE_MISMATCH,
        'matmul.b',
        `matmul: inner dims differ: ${showShape(a.shape)} x ${showShape(b.shape)} (${k} vs ${k2})`,
      );
    }
    const batch = this._broadcast(a.shape.slice(0, -2), b.shape.slice(0, -2), 'matmul');
    return this.node('MatMul', [a, b], a.dtype, [...batch, m, n], {}, (gy) => {
      const ga = this.unbroadcast(this.rawMatmul(gy, this.swapLast(b)), a);
      let gb: Sym;
      if (b.shape.length === 2 && a.shape.length > 2) {
        const a2 = this.reshape(a, [-1, k]);
        const g2 = this.reshape(gy, [-1, n]);
        gb = this.rawMatmul(this.swapLast(a2), g2);
      } else {
        gb = this.unbroadcast(this.rawMatmul(this.swapLast(a), gy), b);
      }
      return [ga, gb];
    });
  }

  private rawMatmul(a: Sym, b: Sym): Sym {
    return this.matmul(a, b);
  }

  /** Swaps the last two axes. */
  swapLast(x: Sym): Sym {
    const r = x.shape.length;
    const perm = [...Array(r).keys()];
    perm[r - 2] = r - 1;
    perm[r - 1] = r - 2;
    return this.transpose(x, perm);
  }

  /** Permutes axes (ONNX Transpose); the gradient applies the inverse permutation. */
  transpose(x: Sym, perm: readonly number[]): Sym {
    const r = x.shape.length;
    const sorted = [...perm].sort((p, q) => p - q);
    if (perm.length !== r || sorted.some((p, i) => p !== i)) {
      throw new GraphError(
        BAD_ARGUMENT,
        'transpose.perm',
        `transpose: [${perm}] is not a permutation of rank ${r}`,
      );
    }
    const inv = new Array<number>(r);
    perm.forEach((p, i) => {
      inv[p] = i;
    });
    return this.node(
      'Transpose',
      [x],
      x.dtype,
      perm.map((p) => x.shape[p]!),
      { perm: { kind: 'ints', value: [...perm] } },
      (gy) => [this.transpose(gy, inv)],
    );
  }

  // ------------------------------------------------------------ reshape (needed by matmul's backward)

  /**
   * Reshapes to `shape`: numbers, symbolic dims (or products such as `batch*seq`) known
   * from the graph inputs, and at most one -1. Element counts are checked symbolically.
   */
  reshape(x: Sym, shape: readonly Dim[]): Sym {
    const minus = shape.filter((d) => d === -1).length;
    if (minus > 1) throw new GraphError(BAD_ARGUMENT, 'reshape.shape', 'reshape: at most one -1');
    let out: Dim[] = [...shape];
    let spec: Sym;
    if (minus === 1) {
      const others = shape.filter((d) => d !== -1);
      const fin = factorsOf(x.shape);
      const fout = factorsOf(others);
      const rest = [...fin.syms];
      for (const s of fout.syms) {
        const i = rest.indexOf(s);
        if (i < 0) {
          throw new GraphError(
            SHAPE_MISMATCH,
            'reshape.shape',
            `reshape: '${s}' is not a factor of ${showShape(x.shape)}`,
          );
        }
        rest.splice(i, 1);
      }
      if (fin.n % fout.n !== 0) {
        throw new GraphError(
          SHAPE_MISMATCH,
          'reshape.shape',
          `reshape: ${showShape(x.shape)} cannot become ${showShape(shape)}`,
        );
      }
      const ratio = fin.n / fout.n;
      const inferred: Dim =
        rest.length === 0 ? ratio : [...rest, ...(ratio === 1 ? [] : [String(ratio)])].join('*');
      out = shape.map((d) => (d === -1 ? inferred : d));
      spec = this.shapeValue(
        shape.map((d) => (d === -1 ? -1 : d)),
        'reshape.shape',
      );
    } else {
      if (!this._sameFactors(x.shape, shape)) {
        throw new GraphError(
          SHAPE_MISMATCH,
          'reshape.shape',
          `reshape: ${showShape(x.shape)} and ${showShape(shape)} differ in element count`,
        );
      }
      spec = this.shapeValue(shape, 'reshape.shape');
    }
    return this.node('Reshape', [x, spec], x.dtype, out, {}, (gy) => [
      this.node('Reshape', [gy, this.shapeOf(x)], gy.dtype, x.shape),
    ]);
  }

  // ------------------------------------------------------------ reductions

  private axesOf(x: Sym, axes: readonly number[] | undefined, op: string): number[] {
    const r = x.shape.length;
    const list = axes ?? [...Array(r).keys()];
    const norm = list.map((a) => normAxis(a, r, `${op}.axes`));
    if (new Set(norm).size !== norm.length) {
      throw new GraphError(BAD_ARGUMENT, `${op}.axes`, `${op}: repeated axis in [${list}]`);
    }
    return norm.sort((p, q) => p - q);
  }

  private reducedShape(x: Sym, axes: number[], keepdims: boolean): Dim[] {
    const out: Dim[] = [];
    x.shape.forEach((d, i) => {
      if (!axes.includes(i)) out.push(d);
      else if (keepdims) out.push(1);
    });
    return out;
  }

  /** Broadcasts a reduced gradient back over the reduced axes. */
  private expandBack(gy: Sym, x: Sym, axes: number[], keepdims: boolean): Sym {
    let g = gy;
    if (!keepdims && axes.length > 0) {
      g = this.node('Unsqueeze', [gy, this.ints(axes)], gy.dtype, this.reducedShape(x, axes, true));
    }
    return this.node('Expand', [g, this.shapeOf(x)], gy.dtype, x.shape);
  }

  private reduce(
    op: 'ReduceSum' | 'ReduceMean' | 'ReduceMax',
    x: Sym,
    axes0: readonly number[] | undefined,
    keepdims: boolean,
    name: string,
    rule: (gy: Sym, y: Sym, axes: number[]) => Sym,
  ): Sym {
    this._checkFloat(x, `${name}.x`);
    const axes = this.axesOf(x, axes0, name);
    if (axes.length === 0) return x;
    return this.node(
      op,
      [x, this.ints(axes)],
      x.dtype,
      this.reducedShape(x, axes, keepdims),
      { keepdims: { kind: 'int', value: keepdims ? 1 : 0 } },
      (gy, y) => [rule(gy, y, axes)],
    );
  }

  /** Sum over `axes` (default: all). */
  sum(x: Sym, axes?: readonly number[], keepdims = false): Sym {
    return this.reduce('ReduceSum', x, axes, keepdims, 'sum', (gy, _y, ax) =>
      this.expandBack(gy, x, ax, keepdims),
    );
  }

  /** Mean over `axes` (default: all). */
  mean(x: Sym, axes?: readonly number[], keepdims = false): Sym {
    return this.reduce('ReduceMean', x, axes, keepdims, 'mean', (gy, y, ax) => {
      const reduced = ax.map((a) => x.shape[a]!);
      let scale: Sym;
      if (reduced.every((d) => typeof d === 'number')) {
        scale = this.scalar(1 / (reduced as number[]).reduce((p, q) => p * q, 1), x.dtype);
      } else {
        const ny = this.cast(this.node('Size', [y], 'int64', []), x.dtype);
        const nx = this.cast(this.node('Size', [x], 'int64', []), x.dtype);
        scale = this.div(ny, nx);
      }
      return this.expandBack(this.mul(gy, scale), x, ax, keepdims);
    });
  }

  /** Max over `axes` (default: all); ties share the gradient equally. */
  max(x: Sym, axes?: readonly number[], keepdims = false): Sym {
    return this.reduce('ReduceMax', x, axes, keepdims, 'max', (gy, y, ax) => {
      const yk = this.expandBack(y, x, ax, keepdims);
      const mask = this.cast(this.equal(x, yk), x.dtype);
      const count = this.node('ReduceSum', [mask, this.ints(ax)], x.dtype, this.reducedShape(x, ax, true), {
        keepdims: { kind: 'int', value: 1 },
      });
      return this.div(this.mul(mask, this.expandBack(gy, x, ax, keepdims)), count);
    });
  }

  // ------------------------------------------------------------ softmax

  /** Softmax along `axis` (ORT's kernel subtracts the max, so it is stable). */
  softmax(x: Sym, axis = -1): Sym {
    this._checkFloat(x, 'softmax.x');
    const a = normAxis(axis, x.shape.length, 'softmax.axis');
    return this.node('Softmax', [x], x.dtype, x.shape, { axis: { kind: 'int', value: a } }, (gy, y) => {
      // dx = y * (gy - sum(gy * y))
      const s = this.sum(this.mul(gy, y), [a], true);
      return [this.mul(y, this.sub(gy, s))];
    });
  }

  /**
   * log(softmax(x)) along `axis`, as x - (m + log(sum(exp(x - m)))) with m the max along the
   * axis (stable for any logits). Not ORT's LogSoftmax: the WebGPU provider has no kernel for
   * it, so it would run on the CPU and copy the (batch, seq, vocab) logits to the host and back
   * (issue #25); ReduceMax, Exp, ReduceSum, Log and Sub all run on the device. The log-sum-exp
   * is a stopped gradient and the Sub carries the whole rule, so the backward is one pass:
   * dx = gy - softmax(x) * sum(gy).
   */
  logSoftmax(x: Sym, axis = -1): Sym {
    this._checkFloat(x, 'logSoftmax.x');
    const a = normAxis(axis, x.shape.length, 'logSoftmax.axis');
    const m = this.max(x, [a], true);
    const lse = this.stopGradient(this.add(m, this.log(this.sum(this.exp(this.sub(x, m)), [a], true))));
    return this.node('Sub', [x, lse], x.dtype, x.shape, {}, (gy, y) => {
      const s = this.sum(gy, [a], true);
      return [this.sub(gy, this.mul(this.exp(y), s))];
    });
  }
}

function factorsOf(shape: readonly Dim[]): { syms: string[]; n: number } {
  const syms: string[] = [];
  let n = 1;
  for (const d of shape) {
    if (typeof d === 'number') n *= d;
    else
      for (const f of d.split('*')) {
        if (/^\d+$/.test(f)) n *= Number(f);
        else syms.push(f);
      }
  }
  return { syms, n };
}
