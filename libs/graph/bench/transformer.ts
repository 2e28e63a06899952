// Reference transformer block stack used by the train-step benchmark: pre-norm (RMSNorm,
// Zhang & Sennrich 2019), causal multi-head attention, GELU MLP (4x), untied output head.
// libs/model holds the full llama-family model; this one exists to measure libs/graph.
import type { Graph, Sym } from '../src/index.js';

export interface BlockStackConfig {
  layers: number;
  dModel: number;
  heads: number;
  vocab: number;
  batch: number;
  seqLen: number;
}

function rmsNorm(g: Graph, x: Sym, w: Sym): Sym {
  const ms = g.mean(g.square(x), [-1], true);
  return g.mul(g.mul(x, g.rsqrt(g.add(ms, 1e-6))), w);
}

/** Declares inputs `tokens`/`targets` (batch, seqLen) int64 and returns the mean next-token loss. */
export function buildBlockStack(g: Graph, c: BlockStackConfig): Sym {
  const { dModel: d, heads: h, batch: b, seqLen: t } = c;
  const dh = d / h;
  const tokens = g.input('tokens', 'int64', [b, t]);
  const targets = g.input('targets', 'int64', [b, t]);
  const emb = g.param('embed', [c.vocab, d], { init: { kind: 'normal', std: 0.02 } });
  let x = g.reshape(g.gather(emb, tokens), [b * t, d]);
  const mask = g.causalMask(t);
  const std = 0.02;
  const outStd = 0.02 / Math.sqrt(2 * c.layers);
  for (let l = 0; l < c.layers; l++) {
    const n1 = g.param(`l${l}.norm1`, [d], { init: { kind: 'ones' } });
    const wq = g.param(`l${l}.wq`, [d, d], { init: { kind: 'normal', std } });
    const wk = g.param(`l${l}.wk`, [d, d], { init: { kind: 'normal', std } });
    const wv = g.param(`l${l}.wv`, [d, d], { init: { kind: 'normal', std } });
    const wo = g.param(`l${l}.wo`, [d, d], { init: { kind: 'normal', std: outStd } });
    const n2 = g.param(`l${l}.norm2`, [d], { init: { kind: 'ones' } });
    const w1 = g.param(`l${l}.w1`, [d, 4 * d], { init: { kind: 'normal', std } });
    const w2 = g.param(`l${l}.w2`, [4 * d, d], { init: { kind: 'normal', std: outStd } });

    const a = rmsNorm(g, x, n1);
    const heads = (w: Sym) => g.transpose(g.reshape(g.matmul(a, w), [b, t, h, dh]), [0, 2, 1, 3]);
    const q = heads(wq);
    const k = heads(wk);
    const v = heads(wv);
    const scores = g.mul(g.matmul(q, g.swapLast(k)), 1 / Math.sqrt(dh));
    const p = g.softmax(g.where(mask, scores, -1e9), -1);
    const o = g.reshape(g.transpose(g.matmul(p, v), [0, 2, 1, 3]), [b * t, d]);
    x = g.add(x, g.matmul(o, wo));
    const m = rmsNorm(g, x, n2);
    x = g.add(x, g.matmul(g.gelu(g.matmul(m, w1)), w2));
  }
  const nf = g.param('norm_f', [d], { init: { kind: 'ones' } });
  const head = g.param('head', [d, c.vocab], { init: { kind: 'normal', std } });
  const logits = g.matmul(rmsNorm(g, x, nf), head);
  const logp = g.logSoftmax(logits, -1);
  const picked = g.pick(logp, g.reshape(targets, [b * t, 1]), -1);
  return g.neg(g.mean(picked));
}

/** Parameters that take part in GEMMs (all but the embedding and norm gains). */
export function gemmParams(c: BlockStackConfig): number {
  return c.layers * 12 * c.dModel * c.dModel + c.dModel * c.vocab;
}
