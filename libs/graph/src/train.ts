import {
  disposeTensor,
  isDeviceTensor,
  item,
  OnnxSession,
  type SessionOptions,
  scalar,
  type Tensor,
  tensor,
} from '@grpo/onnx';
import { BAD_ARGUMENT, BAD_FEED, GraphError } from './errors.js';
import type { FloatDType, ParamInfo, Sym } from './graph.js';
import { Graph } from './ops-shape.js';
import {
  adamwUpdate,
  clipScale,
  globalNorm,
  gradTerms,
  type OptimizerOptions,
  sgdUpdate,
  stateNames,
} from './optim.js';
import { Rng } from './rng.js';

export interface TrainerSpec {
  /**
   * Builds the forward graph on a fresh `Graph`: declares data inputs and parameters
   * (`g.param`) and returns the scalar loss. Called once per graph variant (fused step,
   * gradient accumulation, optimizer apply), so it must be deterministic.
   */
  build: (g: Graph) => Sym;
  optimizer: OptimizerOptions;
  /** Global-norm clipping threshold; omitted: no clipping (the norm is still reported). */
  maxGradNorm?: number;
  /** Seed for parameter init (see `initParams`). Default 0. */
  seed?: number;
  /** ORT session options (threads, provider, profiling). */
  session?: SessionOptions;
  /**
   * webgpu: keep the optimizer state (and accumulated gradients) on the device between steps.
   * Default true; false copies it to the host and back every step (the GPU check measures it).
   */
  deviceState?: boolean;
}

export interface StepResult {
  /** Mean loss over the micro-batches. */
  loss: number;
  /** Global gradient norm before clipping. */
  gradNorm: number;
  /**
   * Values `build` declared as graph outputs named `stat.<name>` (e.g. per-token logprobs of the
   * forward), by name, computed before the update. Only for a step over one micro-batch.
   */
  stats: Record<string, Tensor>;
}

/** Graph outputs named `stat.<name>`: forward values a training step reports besides its loss. */
export const STAT_PREFIX = 'stat.';

type Floats = Float32Array | Float64Array;

/** Initial parameter values from each param's `init`, drawn in declaration order from one seeded stream. */
export function initParams(params: readonly ParamInfo[], seed: number): Map<string, Tensor> {
  const rng = new Rng(seed);
  const out = new Map<string, Tensor>();
  for (const p of params) {
    const n = p.shape.reduce((a, b) => a * b, 1);
    const data: Floats = p.sym.dtype === 'float64' ? new Float64Array(n) : new Float32Array(n);
    const init = p.init;
    for (let i = 0; i < n; i++) {
      if (init.kind === 'normal') data[i] = rng.normal() * init.std;
      else if (init.kind === 'uniform') data[i] = (2 * rng.uniform() - 1) * init.limit;
      else if (init.kind === 'ones') data[i] = 1;
    }
    out.set(p.sym.name, tensor(p.sym.dtype as FloatDType, data, p.shape));
  }
  return out;
}

/**
 * Session options of a step graph: on the webgpu provider the optimizer state (`new.*.adam_m`,
 * `.adam_v`, `.momentum`) and accumulated gradients (`new.*.grad_acc`) stay on the device
 * between steps; parameters, loss and metrics come back to the host (the rollout service
 * needs the weights after every step anyway).
 */
function stepSession(g: Graph, spec: TrainerSpec): SessionOptions | undefined {
  const options = spec.session;
  if (options?.executionProvider !== 'webgpu' || spec.deviceState === false) return options;
  const device = g.outputNames().filter((n) => /^new\..*\.(adam_m|adam_v|momentum|grad_acc)$/.test(n));
  return { ...options, deviceOutputs: device };
}

/** Creates an ORT session for a graph's declared outputs. */
export function compileGraph(g: Graph, options?: SessionOptions): Promise<OnnxSession> {
  return OnnxSession.create(g.toOnnx(), options);
}

/**
 * Trains a model defined by `spec.build`. A step over one micro-batch is a single
 * `session.run` (forward, backward, clipping, optimizer); over several micro-batches the
 * gradients are summed by an accumulation graph and one apply graph updates parameters with
 * their mean. Parameters and optimizer state are tensors fed in and replaced by the outputs
 * each step (on webgpu the optimizer state stays on the device, see `syncState`); the
 * learning rate is fed per step.
 */
export class Trainer {
  readonly params: Map<string, Tensor>;
  readonly state = new Map<string, Tensor>();
  readonly paramInfo: readonly ParamInfo[];
  readonly dtype: FloatDType;
  /** Number of optimizer updates applied so far. */
  stepCount = 0;
  private readonly spec: TrainerSpec;
  private readonly fused: OnnxSession;
  private accum: OnnxSession | null = null;
  private apply: OnnxSession | null = null;
  private forward: OnnxSession | null = null;

  private constructor(spec: TrainerSpec, fused: OnnxSession, info: readonly ParamInfo[], dtype: FloatDType) {
    this.spec = spec;
    this.fused = fused;
    this.paramInfo = info;
    this.dtype = dtype;
    this.params = initParams(info, spec.seed ?? 0);
    for (const p of info) {
      for (const s of stateNames(spec.optimizer, p.sym.name)) {
        this.state.set(
          s,
          tensor(
            dtype,
            dtype === 'float64' ? new Float64Array(sizeOf(p)) : new Float32Array(sizeOf(p)),
            p.shape,
          ),
        );
      }
    }
  }

  static async create(spec: TrainerSpec): Promise<Trainer> {
    if (spec.maxGradNorm !== undefined && !(spec.maxGradNorm > 0)) {
      throw new GraphError(BAD_ARGUMENT, 'maxGradNorm', `maxGradNorm must be > 0, got ${spec.maxGradNorm}`);
    }
    const g = new Graph();
    const loss = spec.build(g);
    if (g.params.length === 0)
      throw new GraphError(BAD_ARGUMENT, 'build', 'build declared no parameters (g.param)');
    const dtype = checkDtypes(g.params, loss);
    const grads = g.grad(
      loss,
      g.params.map((p) => p.sym),
    );
    appendUpdate(g, g.params, grads, spec, dtype);
    g.output('loss', loss);
    const fused = await compileGraph(g, stepSession(g, spec));
    return new Trainer(spec, fused, g.params, dtype);
  }

  private async ensureAccumulation(): Promise<void> {
    if (this.accum && this.apply) return;
    const g = new Graph();
    const loss = this.spec.build(g);
    const grads = g.grad(
      loss,
      g.params.map((p) => p.sym),
    );
    g.params.forEach((p, i) => {
      const acc = g.input(`${p.sym.name}.grad_acc`, this.dtype, p.shape);
      g.output(`new.${p.sym.name}.grad_acc`, g.add(acc, grads[i]!));
    });
    g.output('loss', loss);
    this.accum = await compileGraph(g, stepSession(g, this.spec));

    const a = new Graph();
    const scale = a.input('grad_scale', this.dtype, []);
    const infos: ParamInfo[] = [];
    const accGrads: Sym[] = [];
    for (const p of this.paramInfo) {
      const sym = a.input(p.sym.name, this.dtype, p.shape);
      infos.push({ sym, shape: p.shape, init: p.init });
      accGrads.push(a.input(`${p.sym.name}.grad_acc`, this.dtype, p.shape));
    }
    appendUpdate(a, infos, accGrads, this.spec, this.dtype, scale);
    this.apply = await compileGraph(a, stepSession(a, this.spec));
  }

  /**
   * One optimizer step over one batch or several equal-sized micro-batches (their mean
   * gradient is applied, which equals one step on their union when the loss is a mean).
   * `lr` is this step's learning rate.
   */
  async step(
    batch: Record<string, Tensor> | readonly Record<string, Tensor>[],
    lr: number,
  ): Promise<StepResult> {
    const micro = Array.isArray(batch) ? batch : [batch as Record<string, Tensor>];
    if (micro.length === 0) throw new GraphError(BAD_FEED, 'batch', 'step: no micro-batches');
    if (!Number.isFinite(lr) || lr < 0)
      throw new GraphError(BAD_ARGUMENT, 'lr', `lr must be finite and >= 0, got ${lr}`);
    const t = this.stepCount + 1;
    const common: Record<string, Tensor> = {
      lr: scalar(this.dtype, lr),
      step: scalar(this.dtype, t),
    };
    for (const [k, v] of this.params) common[k] = v;
    for (const [k, v] of this.state) common[k] = v;
    let loss = 0;
    let out: Record<string, Tensor>;
    const stats: Record<string, Tensor> = {};
    if (micro.length === 1) {
      out = await this.fused.run(this.feeds(this.fused, { ...common, ...micro[0] }));
      loss = item(out.loss!);
      for (const [k, v] of Object.entries(out))
        if (k.startsWith(STAT_PREFIX)) stats[k.slice(STAT_PREFIX.length)] = v;
    } else {
      await this.ensureAccumulation();
      const acc: Record<string, Tensor> = {};
      for (const p of this.paramInfo) {
        acc[`${p.sym.name}.grad_acc`] = tensor(
          this.dtype,
          this.dtype === 'float64' ? new Float64Array(sizeOf(p)) : new Float32Array(sizeOf(p)),
          p.shape,
        );
      }
      for (const mb of micro) {
        const r = await this.accum!.run(this.feeds(this.accum!, { ...common, ...acc, ...mb }));
        loss += item(r.loss!) / micro.length;
        for (const p of this.paramInfo) {
          const key = `${p.sym.name}.grad_acc`;
          disposeTensor(acc[key]);
          acc[key] = r[`new.${key}`]!;
        }
      }
      common.grad_scale = scalar(this.dtype, 1 / micro.length);
      out = await this.apply!.run(this.feeds(this.apply!, { ...common, ...acc }));
      for (const v of Object.values(acc)) disposeTensor(v);
    }
    for (const k of this.params.keys()) this.params.set(k, out[`new.${k}`]!);
    for (const k of this.state.keys()) {
      disposeTensor(this.state.get(k));
      this.state.set(k, out[`new.${k}`]!);
    }
    this.stepCount = t;
    return { loss, gradNorm: item(out.grad_norm!), stats };
  }

  /** The loss on a batch with the current parameters; nothing is updated. */
  async evaluate(batch: Record<string, Tensor>): Promise<number> {
    if (!this.forward) {
      const g = new Graph();
      g.output('loss', this.spec.build(g));
      this.forward = await compileGraph(g, this.spec.session);
    }
    const all: Record<string, Tensor> = { ...batch };
    for (const [k, v] of this.params) all[k] = v;
    return item((await this.forward.run(this.feeds(this.forward, all))).loss!);
  }

  private feeds(s: OnnxSession, all: Record<string, Tensor>): Record<string, Tensor> {
    const f: Record<string, Tensor> = {};
    for (const name of s.inputNames) {
      const v = all[name];
      if (!v) throw new GraphError(BAD_FEED, `batch.${name}`, `step: missing feed '${name}'`);
      f[name] = v;
    }
    return f;
  }

  /**
   * Brings optimizer state kept on the device (webgpu) back to the host, e.g. to checkpoint
   * it; the next step uploads it again. A no-op when the state is on the host already.
   */
  async syncState(): Promise<void> {
    const device: Record<string, Tensor> = {};
    for (const [k, v] of this.state) if (isDeviceTensor(v)) device[k] = v;
    if (Object.keys(device).length === 0) return;
    const host = await this.fused.download(device);
    for (const [k, v] of Object.entries(host)) {
      disposeTensor(this.state.get(k));
      this.state.set(k, v);
    }
  }

  /** A copy of a parameter's current values. */
  param(name: string): Floats {
    const t = this.params.get(name);
    if (!t) {
      throw new GraphError(
        BAD_ARGUMENT,
        'name',
        `no parameter '${name}'; have ${[...this.params.keys()].join(', ')}`,
      );
    }
    return (t.data as Floats).slice();
  }

  /** Ends ORT profiling of the fused step session (when `session.enableProfiling` was set). */
  endProfiling(): void {
    this.fused.endProfiling();
  }

  /** Replaces a parameter's values (e.g. loaded from a checkpoint); optimizer state is kept. */
  setParam(name: string, data: Floats): void {
    const info = this.paramInfo.find((p) => p.sym.name === name);
    if (!info) {
      throw new GraphError(
        BAD_ARGUMENT,
        'name',
        `no parameter '${name}'; have ${[...this.params.keys()].join(', ')}`,
      );
    }
    if (data.length !== sizeOf(info) || (this.dtype === 'float64') !== data instanceof Float64Array) {
      throw new GraphError(
        BAD_ARGUMENT,
        `params.${name}`,
        `setParam: need ${sizeOf(info)} ${this.dtype} values for shape [${info.shape}], got ${data.length}`,
      );
    }
    this.params.set(name, tensor(this.dtype, data.slice() as Float32Array, info.shape));
  }

  async release(): Promise<void> {
    for (const v of this.state.values()) disposeTensor(v);
    await this.fused.release();
    await this.accum?.release();
    await this.apply?.release();
    await this.forward?.release();
  }
}

function sizeOf(p: ParamInfo): number {
  return p.shape.reduce((a, b) => a * b, 1);
}

function checkDtypes(params: readonly ParamInfo[], loss: Sym): FloatDType {
  const dtype = loss.dtype as FloatDType;
  for (const p of params) {
    if (p.sym.dtype !== dtype) {
      throw new GraphError(
        BAD_ARGUMENT,
        `params.${p.sym.name}`,
        `param dtype ${p.sym.dtype} differs from loss dtype ${dtype}`,
      );
    }
  }
  return dtype;
}

/**
 * Appends clipping and the optimizer; declares lr/step/state inputs and new.* outputs.
 * `gradScale` (e.g. 1 / microBatches) multiplies the gradients before the norm is taken.
 */
function appendUpdate(
  g: Graph,
  params: readonly ParamInfo[],
  grads: Sym[],
  spec: TrainerSpec,
  dtype: FloatDType,
  gradScale: Sym | null = null,
): void {
  const lr = g.input('lr', dtype, []);
  const step = g.input('step', dtype, []);
  const terms = gradTerms(g, grads);
  // The norm of the scaled gradients: |s g| = s |g| for s >= 0.
  let norm = globalNorm(g, terms);
  if (gradScale) norm = g.mul(norm, gradScale);
  g.output('grad_norm', norm);
  let scale = gradScale;
  if (spec.maxGradNorm !== undefined) {
    const clip = clipScale(g, norm, spec.maxGradNorm);
    scale = scale ? g.mul(scale, clip) : clip;
  }
  const opt = spec.optimizer;
  params.forEach((p, i) => {
    const name = p.sym.name;
    const states = stateNames(opt, name).map((s) => g.input(s, dtype, p.shape));
    if (opt.kind === 'adamw') {
      const r = adamwUpdate(g, p.sym, terms[i]!, states[0]!, states[1]!, lr, step, opt, scale);
      g.output(`new.${name}`, r.p);
      g.output(`new.${name}.adam_m`, r.m);
      g.output(`new.${name}.adam_v`, r.v);
    } else {
      const r = sgdUpdate(g, p.sym, grads[i]!, states[0] ?? null, lr, opt, scale);
      g.output(`new.${name}`, r.p);
      if (r.buf) g.output(`new.${name}.momentum`, r.buf);
    }
  });
}
