import type { Sym } from './graph.js';
import type { Graph } from './ops-shape.js';

/** AdamW hyper-parameters (Loshchilov & Hutter 2019); defaults as in PyTorch. */
export interface AdamWOptions {
  kind: 'adamw';
  beta1?: number;
  beta2?: number;
  eps?: number;
  /** Decoupled weight decay, applied as p -= lr * weightDecay * p. Default 0.01. */
  weightDecay?: number;
}

/** SGD with optional heavy-ball momentum (PyTorch convention: buf = mu * buf + g). */
export interface SgdOptions {
  kind: 'sgd';
  momentum?: number;
  /** L2 penalty added to the gradient (coupled, as in torch.optim.SGD). Default 0. */
  weightDecay?: number;
}

export type OptimizerOptions = AdamWOptions | SgdOptions;

/** Names of per-parameter optimizer state tensors. */
export function stateNames(opt: OptimizerOptions, param: string): string[] {
  if (opt.kind === 'adamw') return [`${param}.adam_m`, `${param}.adam_v`];
  return (opt.momentum ?? 0) > 0 ? [`${param}.momentum`] : [];
}

/** A gradient with its elementwise square, computed once and shared by the norm and Adam's v. */
export interface GradTerm {
  grad: Sym;
  square: Sym;
}

/** Squares each gradient once. */
export function gradTerms(g: Graph, grads: readonly Sym[]): GradTerm[] {
  return grads.map((grad) => ({ grad, square: g.square(grad) }));
}

/** The global L2 norm sqrt(sum of squares of all gradients). */
export function globalNorm(g: Graph, terms: readonly GradTerm[]): Sym {
  let sq: Sym | null = null;
  for (const t of terms) {
    const s = g.sum(t.square);
    sq = sq ? g.add(sq, s) : s;
  }
  return g.sqrt(sq!);
}

/**
 * Global-norm clipping factor (Pascanu et al. 2013), as in torch.nn.utils.clip_grad_norm_:
 * min(1, maxNorm / (norm + 1e-6)). It is a scalar that the optimizer folds into its own
 * per-step constants, so clipping costs no extra pass over the gradients.
 */
export function clipScale(g: Graph, norm: Sym, maxNorm: number): Sym {
  return g.minimum(g.div(g.scalar(maxNorm, norm.dtype), g.add(norm, 1e-6)), 1);
}

/** Gradients scaled by the clipping factor (for callers that want them explicitly). */
export function clipGlobalNorm(
  g: Graph,
  grads: readonly Sym[],
  maxNorm: number,
): { grads: Sym[]; norm: Sym } {
  const norm = globalNorm(g, gradTerms(g, grads));
  const scale = clipScale(g, norm, maxNorm);
  return { grads: grads.map((gr) => g.mul(gr, scale)), norm };
}

/**
 * One AdamW update for one parameter, as graph ops. `lr` and `step` (1-based) are run-time
 * scalars so schedules stay on the host; `scale` (run-time scalar, e.g. clipping times
 * 1/microBatches) multiplies the gradient. Bias correction divides by 1 - beta^step
 * (Kingma & Ba 2015, Alg. 1); weight decay is decoupled from the gradient.
 */
export function adamwUpdate(
  g: Graph,
  p: Sym,
  term: GradTerm,
  m: Sym,
  v: Sym,
  lr: Sym,
  step: Sym,
  o: AdamWOptions,
  scale: Sym | null = null,
): { p: Sym; m: Sym; v: Sym } {
  const b1 = o.beta1 ?? 0.9;
  const b2 = o.beta2 ?? 0.999;
  const eps = o.eps ?? 1e-8;
  const wd = o.weightDecay ?? 0.01;
  // Scalar work first, so the tensor work is the fewest elementwise passes (the
  // "efficient version" of Kingma & Ba 2015, sec. 2): with bc_i = 1 - beta_i^step,
  // m' = b1 m + c1 g, v' = b2 v + c2 g^2,
  // p' = p (1 - lr wd) - (lr sqrt(bc2) / bc1) m' / (sqrt(v') + eps sqrt(bc2)),
  // which equals p (1 - lr wd) - lr mhat / (sqrt(vhat) + eps).
  const c1 = scale ? g.mul(scale, 1 - b1) : g.scalar(1 - b1, p.dtype);
  const c2 = scale ? g.mul(g.square(scale), 1 - b2) : g.scalar(1 - b2, p.dtype);
  const bc1 = g.sub(1, g.node('Pow', [g.scalar(b1, p.dtype), step], p.dtype, []));
  const sqrtBc2 = g.sqrt(g.sub(1, g.node('Pow', [g.scalar(b2, p.dtype), step], p.dtype, [])));
  const stepSize = g.div(g.mul(lr, sqrtBc2), bc1);
  const m2 = g.add(g.mul(m, b1), g.mul(term.grad, c1));
  const v2 = g.add(g.mul(v, b2), g.mul(term.square, c2));
  const denom = g.add(g.sqrt(v2), g.mul(sqrtBc2, eps));
  const upd = g.div(g.mul(m2, stepSize), denom);
  if (wd === 0) return { p: g.sub(p, upd), m: m2, v: v2 };
  const decay = g.sub(1, g.mul(lr, wd));
  return { p: g.sub(g.mul(p, decay), upd), m: m2, v: v2 };
}

/** One SGD update: buf = momentum * buf + grad (if momentum), p -= lr * (buf or grad). */
export function sgdUpdate(
  g: Graph,
  p: Sym,
  grad: Sym,
  buf: Sym | null,
  lr: Sym,
  o: SgdOptions,
  scale: Sym | null = null,
): { p: Sym; buf: Sym | null } {
  let gr = scale ? g.mul(grad, scale) : grad;
  if ((o.weightDecay ?? 0) > 0) gr = g.add(gr, g.mul(p, o.weightDecay!));
  let nb: Sym | null = null;
  if (buf && (o.momentum ?? 0) > 0) {
    nb = g.add(g.mul(buf, o.momentum!), gr);
    gr = nb;
  }
  return { p: g.sub(p, g.mul(gr, lr)), buf: nb };
}
