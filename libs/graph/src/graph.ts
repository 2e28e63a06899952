import { type AttrValue, encodeModel, type NodeDef, type TensorInit, type ValueInfo } from '@grpo/onnx';
import { BAD_ARGUMENT, DTYPE_MISMATCH, GraphError, NOT_DIFFERENTIABLE, SHAPE_MISMATCH } from './errors.js';
import { broadcastShapes, type Dim, dimFactors, sameFactors, showShape } from './shape.js';

export type { Dim } from './shape.js';

/** Element types a graph tensor can have. */
export type DType = 'float32' | 'float64' | 'int64' | 'int32' | 'bool';
export type FloatDType = 'float32' | 'float64';

/** A symbolic tensor: a value in a graph, with its dtype and (possibly symbolic) shape. */
export interface Sym {
  readonly id: number;
  /** The ONNX value name. */
  readonly name: string;
  readonly dtype: DType;
  readonly shape: readonly Dim[];
}

/** Gradient rule: given the output gradient, the gradient for each input (null: none). */
type Backward = (gy: Sym, y: Sym) => (Sym | null)[];

interface Node {
  op: string;
  inputs: Sym[];
  output: Sym;
  attrs: Record<string, AttrValue>;
  domain: string;
  backward: Backward | null;
}

/** How a parameter is initialised by `initParams`. */
export type Init =
  | { kind: 'normal'; std: number }
  | { kind: 'uniform'; limit: number }
  | { kind: 'zeros' }
  | { kind: 'ones' };

export interface ParamInfo {
  sym: Sym;
  shape: readonly number[];
  init: Init;
}

const isFloat = (d: DType): d is FloatDType => d === 'float32' || d === 'float64';
const BYTES: Record<DType, number> = { float32: 4, float64: 8, int64: 8, int32: 4, bool: 1 };

function rawOf(dtype: DType, values: ArrayLike<number>): Uint8Array {
  const n = values.length;
  const buf = new ArrayBuffer(n * BYTES[dtype]);
  if (dtype === 'float32') new Float32Array(buf).set(values);
  else if (dtype === 'float64') new Float64Array(buf).set(values);
  else if (dtype === 'int32') new Int32Array(buf).set(values);
  else if (dtype === 'bool') new Uint8Array(buf).set(Array.from(values, (v) => (v ? 1 : 0)));
  else {
    const b = new BigInt64Array(buf);
    for (let i = 0; i < n; i++) b[i] = BigInt(Math.trunc(values[i]!));
  }
  return new Uint8Array(buf);
}

/**
 * Normalises an axis (negative counts from the end) and checks its range.
 */
function normAxis(axis: number, rank: number, field: string): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= rank) {
    throw new GraphError(BAD_ARGUMENT, field, `${field}: axis ${axis} is out of range for rank ${rank}`);
  }
  return a;
}

/**
 * The core of a tensor graph under construction (values, autodiff, serialisation); the ops
 * live in `Graph` (ops-*.ts). Ops check dtypes and shapes as they are composed,
 * each op records its gradient rule, `grad` appends the backward graph, and `toOnnx`
 * serialises the part needed for the declared outputs (opset 18, plus com.microsoft).
 *
 * @example
 * const g = new Graph();
 * const x = g.input('x', 'float32', ['batch', 4]);
 * const w = g.param('w', [4, 2]);
 * const loss = g.mean(g.square(g.matmul(x, w)));
 * const [dw] = g.grad(loss, [w]);
 * g.output('loss', loss);
 * g.output('dw', dw!);
 */
export class GraphBase {
  private nodes: Node[] = [];
  private nextId = 0;
  private readonly names = new Set<string>();
  private readonly inputs: Sym[] = [];
  private readonly inits = new Map<number, TensorInit>();
  private readonly outputs: { name: string; sym: Sym }[] = [];
  private readonly producer = new Map<number, Node>();
  private readonly scalarCache = new Map<string, Sym>();
  /** Where each symbolic dim name can be read at run time: an input and its axis. */
  private readonly dimSource = new Map<string, { sym: Sym; axis: number }>();
  private readonly dimCache = new Map<string, Sym>();
  /** Parameters declared with `param`, in declaration order. */
  readonly params: ParamInfo[] = [];

  // ---------------------------------------------------------------- values

  private newSym(dtype: DType, shape: readonly Dim[], name?: string): Sym {
    const id = this.nextId++;
    const sym = { id, name: name ?? `t${id}`, dtype, shape: [...shape] };
    return sym;
  }

  private claim(name: string, field: string): void {
    if (!/^[A-Za-z_][A-Za-z0-9_.:/-]*$/.test(name)) {
      throw new GraphError(BAD_ARGUMENT, field, `${field}: '${name}' is not a valid tensor name`);
    }
    if (this.names.has(name) || /^t\d+$/.test(name)) {
      throw new GraphError(BAD_ARGUMENT, field, `${field}: name '${name}' is already used or reserved`);
    }
    this.names.add(name);
  }

  /**
   * Declares a graph input. String dims are symbolic (e.g. `batch`); ops check that
   * equal names line up, and reshape/expand can use them (read from this input at run time).
   */
  input(name: string, dtype: DType, shape: readonly Dim[]): Sym {
    this.claim(name, 'input.name');
    for (const d of shape) {
      if (typeof d === 'number' && (!Number.isInteger(d) || d < 0)) {
        throw new GraphError(BAD_ARGUMENT, 'input.shape', `input '${name}': bad dim ${d}`);
      }
      if (typeof d === 'string' && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(d)) {
        throw new GraphError(
          BAD_ARGUMENT,
          'input.shape',
          `input '${name}': symbolic dim '${d}' must be an identifier`,
        );
      }
    }
    const sym = this.newSym(dtype, shape, name);
    this.inputs.push(sym);
    shape.forEach((d, axis) => {
      if (typeof d === 'string' && !this.dimSource.has(d)) this.dimSource.set(d, { sym, axis });
    });
    return sym;
  }

  /**
   * Declares a trainable parameter: a graph input with a fixed shape, so a train step can
   * feed the current values and return updated ones without rebuilding the session.
   * Default init: normal(0, 1/sqrt(fanIn)) for rank >= 2 (LeCun et al. 1998, fanIn = the
   * second-to-last dim, the matmul input size); zeros for biases and scalars.
   */
  param(name: string, shape: readonly number[], opts: { dtype?: FloatDType; init?: Init } = {}): Sym {
    const sym = this.input(name, opts.dtype ?? 'float32', shape);
    const init: Init =
      opts.init ??
      (shape.length >= 2
        ? { kind: 'normal', std: 1 / Math.sqrt(shape[shape.length - 2]!) }
        : { kind: 'zeros' });
    this.params.push({ sym, shape: [...shape], init });
    return sym;
  }

  /** A constant tensor stored in the model. */
  constant(values: ArrayLike<number>, shape: readonly number[], dtype: DType = 'float32'): Sym {
    const n = shape.reduce((a, b) => a * b, 1);
    if (values.length !== n) {
      throw new GraphError(
        SHAPE_MISMATCH,
        'constant.values',
        `constant: ${values.length} values for shape [${shape}]`,
      );
    }
    const sym = this.newSym(dtype, shape);
    this.inits.set(sym.id, { name: sym.name, dtype, dims: [...shape], raw: rawOf(dtype, values) });
    return sym;
  }

  /** A rank-0 constant; cached per (value, dtype). */
  scalar(value: number, dtype: DType = 'float32'): Sym {
    const key = `${dtype}:${Object.is(value, -0) ? '-0' : value}`;
    let s = this.scalarCache.get(key);
    if (!s) {
      s = this.constant([value], [], dtype);
      this.scalarCache.set(key, s);
    }
    return s;
  }

  /** Marks `sym` as a graph output called `name`. */
  output(name: string, sym: Sym): void {
    if (this.outputs.some((o) => o.name === name)) {
      throw new GraphError(BAD_ARGUMENT, 'output.name', `output '${name}' is declared twice`);
    }
    if (this.names.has(name) && sym.name !== name) {
      throw new GraphError(BAD_ARGUMENT, 'output.name', `output name '${name}' is already an input`);
    }
    if (/^t\d+$/.test(name) || !/^[A-Za-z_][A-Za-z0-9_.:/-]*$/.test(name)) {
      throw new GraphError(BAD_ARGUMENT, 'output.name', `output name '${name}' is invalid or reserved`);
    }
    this.outputs.push({ name, sym });
  }

  /** Names of declared outputs, in order. */
  outputNames(): string[] {
    return this.outputs.map((o) => o.name);
  }

  // ---------------------------------------------------------------- emission

  /** Appends a node with one output; `backward` is its gradient rule (null: none). */
  node(
    op: string,
    inputs: Sym[],
    dtype: DType,
    shape: readonly Dim[],
    attrs: Record<string, AttrValue> = {},
    backward: Backward | null = null,
    domain = '',
  ): Sym {
    const output = this.newSym(dtype, shape);
    const n: Node = { op, inputs, output, attrs, domain, backward };
    this.nodes.push(n);
    this.producer.set(output.id, n);
    return output;
  }

  private lift(x: Sym | number, like: Sym): Sym {
    return typeof x === 'number' ? this.scalar(x, like.dtype) : x;
  }

  private checkSame(a: Sym, b: Sym, op: string): void {
    if (a.dtype !== b.dtype) {
      throw new GraphError(DTYPE_MISMATCH, `${op}.b`, `${op}: dtypes differ (${a.dtype} vs ${b.dtype})`);
    }
  }

  private checkFloat(x: Sym, field: string): void {
    if (!isFloat(x.dtype)) {
      throw new GraphError(DTYPE_MISMATCH, field, `${field}: expected float32 or float64, got ${x.dtype}`);
    }
  }

  /** int64 1-D constant (shape, axes). */
  ints(values: readonly number[]): Sym {
    return this.constant(values, [values.length], 'int64');
  }

  /**
   * Shape of `x` as an int64 vector: a constant when every dim is known at build time (so no
   * Shape node, which ORT keeps on the CPU, e.g. for weight gradients), else a Shape node.
   */
  shapeOf(x: Sym): Sym {
    if (x.shape.every((d) => typeof d === 'number')) return this.ints(x.shape as number[]);
    return this.node('Shape', [x], 'int64', [x.shape.length]);
  }

  /** Run-time size of one axis of `x`, as an int64 vector of length 1. */
  dimOf(x: Sym, axis: number): Sym {
    const a = normAxis(axis, x.shape.length, 'dimOf.axis');
    const d = x.shape[a]!;
    if (typeof d === 'number') return this.ints([d]);
    return this.node('Shape', [x], 'int64', [1], {
      start: { kind: 'int', value: a },
      end: { kind: 'int', value: a + 1 },
    });
  }

  /** Run-time value of a dim expression such as `batch*seq` or `64`, as int64 [1]. */
  dimValue(d: Dim, field: string): Sym {
    if (typeof d === 'number') return this.ints([d]);
    const cached = this.dimCache.get(d);
    if (cached) return cached;
    const { syms, n } = dimFactors([d]);
    let acc: Sym | null = n === 1 ? null : this.ints([n]);
    for (const s of syms) {
      const src = this.dimSource.get(s);
      if (!src) {
        throw new GraphError(
          SHAPE_MISMATCH,
          field,
          `${field}: symbolic dim '${s}' is not a dim of any graph input, so its size is unknown`,
        );
      }
      const v = this.dimOf(src.sym, src.axis);
      acc = acc ? this.node('Mul', [acc, v], 'int64', [1]) : v;
    }
    const out = acc ?? this.ints([1]);
    this.dimCache.set(d, out);
    return out;
  }

  /** Run-time int64 shape vector for a (possibly symbolic) shape. */
  shapeValue(shape: readonly Dim[], field: string): Sym {
    if (shape.every((d) => typeof d === 'number')) return this.ints(shape as number[]);
    const parts = shape.map((d) => this.dimValue(d, field));
    return this.node('Concat', parts, 'int64', [shape.length], { axis: { kind: 'int', value: 0 } });
  }

  /** A tensor of zeros with the run-time shape of `x`. */
  zerosLike(x: Sym): Sym {
    const value: TensorInit = { name: 'value', dtype: x.dtype, dims: [1], raw: rawOf(x.dtype, [0]) };
    return this.node('ConstantOfShape', [this.shapeOf(x)], x.dtype, x.shape, {
      value: { kind: 'tensor', value },
    });
  }

  /**
   * Sums a broadcast gradient back to `target`'s shape (the adjoint of numpy broadcasting):
   * leading extra axes and axes where `target` has size 1 are summed.
   */
  unbroadcast(gy: Sym, target: Sym): Sym {
    const r = gy.shape.length;
    const k = target.shape.length;
    const axes: number[] = [];
    for (let i = 0; i < r; i++) {
      const j = i - (r - k);
      if (j < 0) axes.push(i);
      else if (target.shape[j] === 1 && gy.shape[i] !== 1) axes.push(i);
    }
    if (axes.length === 0 && r === k) return gy;
    let s = gy;
    if (axes.length > 0) {
      const kept = gy.shape.map((d, i) => (axes.includes(i) ? 1 : d));
      s = this.node('ReduceSum', [gy, this.ints(axes)], gy.dtype, kept, {
        keepdims: { kind: 'int', value: 1 },
      });
    }
    if (r === k) return s;
    return this.node('Reshape', [s, this.shapeOf(target)], gy.dtype, target.shape);
  }

  /** The sum of gradient contributions. */
  private addAll(gs: Sym[]): Sym {
    let acc = gs[0]!;
    for (let i = 1; i < gs.length; i++) acc = this.node('Add', [acc, gs[i]!], acc.dtype, acc.shape);
    return acc;
  }

  // ---------------------------------------------------------------- autodiff

  /**
   * Reverse-mode autodiff: appends the backward graph of `loss` (a float scalar, or any
   * tensor when `seed`, the output gradient, is given) and returns d loss / d w for each
   * `w` in `wrt`. Gradients of tensors used several times are summed; a `w` that does
   * not influence the loss gets zeros.
   */
  grad(loss: Sym, wrt: readonly Sym[], seed?: Sym): Sym[] {
    this.checkFloat(loss, 'grad.loss');
    if (!seed && loss.shape.length !== 0) {
      throw new GraphError(
        SHAPE_MISMATCH,
        'grad.loss',
        `grad: loss must be a scalar, got ${showShape(loss.shape)} (reduce it, or pass a seed)`,
      );
    }
    if (seed && seed.dtype !== loss.dtype) {
      throw new GraphError(DTYPE_MISMATCH, 'grad.seed', `grad: seed dtype ${seed.dtype} != ${loss.dtype}`);
    }
    for (const w of wrt) this.checkFloat(w, 'grad.wrt');
    const nodes = this.nodes.slice();
    const depends = new Set<number>(wrt.map((w) => w.id));
    for (const n of nodes) {
      if (n.inputs.some((i) => depends.has(i.id))) depends.add(n.output.id);
    }
    const grads = new Map<number, Sym[]>();
    grads.set(loss.id, [seed ?? this.scalar(1, loss.dtype)]);
    for (let k = nodes.length - 1; k >= 0; k--) {
      const n = nodes[k]!;
      const gs = grads.get(n.output.id);
      if (!gs || !depends.has(n.output.id)) continue;
      if (!n.inputs.some((i) => depends.has(i.id))) continue;
      if (!n.backward) {
        if (n.op === 'StopGradient') continue;
        throw new GraphError(NOT_DIFFERENTIABLE, 'grad.loss', `grad: op ${n.op} has no gradient rule`);
      }
      const gy = this.addAll(gs);
      const gin = n.backward(gy, n.output);
      n.inputs.forEach((inp, i) => {
        const gi = gin[i];
        if (!gi || !depends.has(inp.id) || !isFloat(inp.dtype)) return;
        const list = grads.get(inp.id);
        if (list) list.push(gi);
        else grads.set(inp.id, [gi]);
      });
    }
    return wrt.map((w) => {
      const gs = grads.get(w.id);
      return gs ? this.addAll(gs) : this.zerosLike(w);
    });
  }

  // ---------------------------------------------------------------- serialisation

  /** ONNX protobuf bytes for the declared outputs (only the nodes they need are kept). */
  toOnnx(graphName = 'graph'): Uint8Array {
    if (this.outputs.length === 0) {
      throw new GraphError(BAD_ARGUMENT, 'output', 'toOnnx: declare at least one output');
    }
    const needed = new Set<number>();
    const stack = this.outputs.map((o) => o.sym);
    while (stack.length) {
      const s = stack.pop()!;
      if (needed.has(s.id)) continue;
      needed.add(s.id);
      const n = this.producer.get(s.id);
      if (n) stack.push(...n.inputs);
    }
    // An output produced by a node takes the output's name directly (no Identity copy, which
    // would cost a full pass over every updated parameter); other outputs get an Identity.
    const rename = new Map<number, string>();
    for (const o of this.outputs) {
      if (this.producer.has(o.sym.id) && !rename.has(o.sym.id)) rename.set(o.sym.id, o.name);
    }
    const nameOf = (x: Sym): string => rename.get(x.id) ?? x.name;
    const nodes: NodeDef[] = [];
    for (const n of this.nodes) {
      if (!needed.has(n.output.id)) continue;
      const opType = n.op === 'StopGradient' ? 'Identity' : n.op;
      nodes.push({
        opType,
        inputs: n.inputs.map(nameOf),
        outputs: [nameOf(n.output)],
        attrs: n.attrs,
        ...(n.domain ? { domain: n.domain } : {}),
      });
    }
    const outputs: ValueInfo[] = [];
    for (const o of this.outputs) {
      if (nameOf(o.sym) !== o.name)
        nodes.push({ opType: 'Identity', inputs: [nameOf(o.sym)], outputs: [o.name] });
      outputs.push({ name: o.name, dtype: o.sym.dtype, shape: o.sym.shape });
    }
    const inputs: ValueInfo[] = this.inputs
      .filter((i) => needed.has(i.id))
      .map((i) => ({ name: i.name, dtype: i.dtype, shape: i.shape }));
    const initializers = [...this.inits.entries()].filter(([id]) => needed.has(id)).map(([, t]) => t);
    const usesMs = nodes.some((n) => n.domain === 'com.microsoft');
    return encodeModel({
      graphName,
      nodes,
      inputs,
      outputs,
      initializers,
      opsets: usesMs ? { '': 18, 'com.microsoft': 1 } : { '': 18 },
    });
  }

  // ---------------------------------------------------------------- helpers for op files

  /** @internal */ _lift(x: Sym | number, like: Sym): Sym {
    return this.lift(x, like);
  }
  /** @internal */ _checkSame(a: Sym, b: Sym, op: string): void {
    this.checkSame(a, b, op);
  }
  /** @internal */ _checkFloat(x: Sym, field: string): void {
    this.checkFloat(x, field);
  }
  /** @internal */ _broadcast(a: readonly Dim[], b: readonly Dim[], op: string): Dim[] {
    return broadcastShapes(a, b, op);
  }
  /** @internal */ _sameFactors(a: readonly Dim[], b: readonly Dim[]): boolean {
    return sameFactors(a, b);
  }
}

export { isFloat, normAxis };
