import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileGraph, type FloatDType, Graph, Rng } from '@grpo/graph';
import { type OnnxSession, type Tensor, tensor } from '@grpo/onnx';
import {
  AlgorithmConfigError,
  defaultPolicyLossConfig,
  type KlEstimator,
  lossAggregations,
  type PolicyLossConfig,
  type PolicyLossGraphOptions,
  policyLossBuilder,
  policyLossReference,
  type SequenceLossInput,
} from '../src/index.js';

/** A padded (batch, seq) batch and the same data as the reference's per-sequence lists. */
interface Batch {
  B: number;
  T: number;
  logp: number[];
  old: number[];
  ref: number[];
  ent: number[];
  mask: number[];
  adv: number[];
  rows: { offset: number; length: number }[];
}

const B = 5;
const T = 7;
// Row lengths include an empty completion and padded rows; offsets mimic prompts of different length.
const ROWS = [
  { offset: 0, length: 7 },
  { offset: 3, length: 0 },
  { offset: 2, length: 3 },
  { offset: 1, length: 5 },
  { offset: 6, length: 1 },
];

function randomBatch(seed: number, round: (x: number) => number): Batch {
  const rng = new Rng(seed);
  const u = (lo: number, hi: number) => round(lo + (hi - lo) * rng.uniform());
  const n = B * T;
  // Padding holds extreme values on purpose: unmasked, exp(logp - old) would overflow to inf
  // and inf * 0 = NaN would reach the loss.
  const b: Batch = {
    B,
    T,
    logp: Array(n).fill(60),
    old: Array(n).fill(-60),
    ref: Array(n).fill(-60),
    ent: Array(n).fill(0),
    mask: Array(n).fill(0),
    adv: ROWS.map(() => u(-2, 2)),
    rows: ROWS,
  };
  ROWS.forEach((r, row) => {
    for (let t = r.offset; t < r.offset + r.length; t++) {
      const i = row * T + t;
      const lp = u(-3, -0.05);
      b.logp[i] = lp;
      b.old[i] = round(lp + u(-0.4, 0.4));
      b.ref[i] = round(lp + u(-1, 1));
      b.ent[i] = u(0, 3);
      b.mask[i] = 1;
    }
  });
  return b;
}

function referenceInput(b: Batch, withRef: boolean): SequenceLossInput[] {
  return b.rows.map((r, row) => {
    const sl = (xs: number[]) => xs.slice(row * b.T + r.offset, row * b.T + r.offset + r.length);
    return {
      logp: sl(b.logp),
      oldLogp: sl(b.old),
      entropy: sl(b.ent),
      advantage: b.adv[row]!,
      ...(withRef ? { refLogp: sl(b.ref) } : {}),
    };
  });
}

interface Compiled {
  session: OnnxSession;
  dtype: FloatDType;
  cfg: PolicyLossConfig;
  opts: PolicyLossGraphOptions;
}

async function compileLoss(
  cfg: PolicyLossConfig,
  dtype: FloatDType,
  opts: PolicyLossGraphOptions = {},
): Promise<Compiled> {
  const g = new Graph();
  const logprobs = g.input('logprobs', dtype, ['batch', 'seq']);
  const mask = g.input('mask', dtype, ['batch', 'seq']);
  const entropy = g.input('entropy', dtype, ['batch', 'seq']);
  const { loss, metrics } = policyLossBuilder(cfg, opts)(g, { logprobs, mask, entropy });
  g.output('loss', loss);
  g.output('pg_loss', metrics.pgLoss);
  g.output('clip_fraction', metrics.clipFraction);
  if (metrics.kl) g.output('kl', metrics.kl);
  g.output('entropy_mean', metrics.entropy!);
  const [dlogp] = g.grad(loss, [logprobs]);
  g.output('dlogp', dlogp!);
  return { session: await compileGraph(g, { intraOpNumThreads: 1 }), dtype, cfg, opts };
}

async function run(c: Compiled, b: Batch): Promise<Record<string, Float64Array>> {
  const t = (xs: number[], dims: number[]): Tensor =>
    tensor(c.dtype, c.dtype === 'float64' ? Float64Array.from(xs) : Float32Array.from(xs), dims);
  const advantages =
    c.opts.advantageLayout === 'token'
      ? t(
          b.mask.map((_, i) => b.adv[Math.floor(i / b.T)]!),
          [b.B, b.T],
        )
      : t(b.adv, [b.B]);
  const feeds: Record<string, Tensor> = {
    logprobs: t(b.logp, [b.B, b.T]),
    mask: t(b.mask, [b.B, b.T]),
    entropy: t(b.ent, [b.B, b.T]),
    old_logprobs: t(b.old, [b.B, b.T]),
    advantages,
  };
  if (c.cfg.klCoef > 0) feeds.ref_logprobs = t(b.ref, [b.B, b.T]);
  const out = await c.session.run(feeds);
  const res: Record<string, Float64Array> = {};
  for (const [k, v] of Object.entries(out)) res[k] = Float64Array.from(v.data as Float32Array);
  return res;
}

/** Every combination of ratio, aggregation, clip, KL estimator and entropy bonus. */
function allConfigs(): PolicyLossConfig[] {
  const out: PolicyLossConfig[] = [];
  for (const ratio of ['token', 'sequence'] as const)
    for (const aggregation of lossAggregations)
      for (const clip of [
        { epsLow: 0.2, epsHigh: 0.2, dualClip: null },
        { epsLow: 0.2, epsHigh: 0.28, dualClip: 1.5 },
      ])
        for (const kl of [null, 'k1', 'k2', 'k3'] as (KlEstimator | null)[])
          for (const entropyCoef of [0, 0.05])
            out.push({
              ...defaultPolicyLossConfig,
              ...clip,
              ratio,
              aggregation,
              normLength: 9,
              klCoef: kl ? 0.1 : 0,
              klEstimator: kl ?? 'k3',
              entropyCoef,
            });
  return out;
}

const show = (c: PolicyLossConfig) =>
  `${c.ratio}/${c.aggregation}/eps ${c.epsLow},${c.epsHigh}/dual ${c.dualClip}/kl ${c.klCoef} ${c.klEstimator}/ent ${c.entropyCoef}`;

function assertClose(got: number, want: number, tol: number, what: string): void {
  assert.ok(Number.isFinite(got), `${what}: got ${got}`);
  assert.ok(Math.abs(got - want) <= tol, `${what}: graph ${got} vs reference ${want} (tol ${tol})`);
}

async function checkValues(dtype: FloatDType, tol: number): Promise<void> {
  const round = dtype === 'float32' ? Math.fround : (x: number) => x;
  for (const cfg of allConfigs()) {
    const c = await compileLoss(cfg, dtype);
    try {
      for (const seed of [1, 2]) {
        const b = randomBatch(seed, round);
        const want = policyLossReference(referenceInput(b, cfg.klCoef > 0), cfg);
        const got = await run(c, b);
        const what = `${show(cfg)} seed ${seed}`;
        assertClose(got.loss![0]!, want.loss, tol, `${what} loss`);
        assertClose(got.pg_loss![0]!, want.pgLoss, tol, `${what} pg_loss`);
        assertClose(got.clip_fraction![0]!, want.clipFraction, tol, `${what} clip_fraction`);
        assertClose(got.entropy_mean![0]!, want.entropy, tol, `${what} entropy`);
        if (cfg.klCoef > 0) assertClose(got.kl![0]!, want.kl, tol, `${what} kl`);
      }
    } finally {
      await c.session.release();
    }
  }
}

test('in float64 the graph loss and metrics equal the plain-loop reference for every config combination', async () => {
  await checkValues('float64', 1e-9);
});

test('in float32 the graph loss and metrics equal the plain-loop reference within 1e-5', async () => {
  await checkValues('float32', 1e-5);
});

test('the gradient w.r.t. logprobs matches central finite differences of the reference (float64)', async () => {
  const h = 1e-6;
  for (const cfg of allConfigs()) {
    const c = await compileLoss(cfg, 'float64');
    try {
      const b = randomBatch(3, (x) => x);
      const got = (await run(c, b)).dlogp!;
      for (let i = 0; i < b.logp.length; i++) {
        if (b.mask[i] === 0) {
          assert.equal(got[i], 0, `${show(cfg)}: padding position ${i} has gradient ${got[i]}`);
          continue;
        }
        const at = (d: number) => {
          const p = { ...b, logp: b.logp.slice() };
          p.logp[i]! += d;
          return policyLossReference(referenceInput(p, cfg.klCoef > 0), cfg).loss;
        };
        const fd = (at(h) - at(-h)) / (2 * h);
        assert.ok(
          Math.abs(got[i]! - fd) <= 1e-7 + 1e-5 * Math.abs(fd),
          `${show(cfg)}: d loss / d logp[${i}] graph ${got[i]} vs finite difference ${fd}`,
        );
      }
    } finally {
      await c.session.release();
    }
  }
});

test('per-token advantages that are constant per row give the same loss and gradient as per-sequence ones', async () => {
  const cfg = { ...defaultPolicyLossConfig, klCoef: 0.05 };
  const seq = await compileLoss(cfg, 'float64', { advantageLayout: 'sequence' });
  const tok = await compileLoss(cfg, 'float64', { advantageLayout: 'token' });
  try {
    const b = randomBatch(4, (x) => x);
    const a = await run(seq, b);
    const c = await run(tok, b);
    assertClose(c.loss![0]!, a.loss![0]!, 1e-12, 'loss');
    assert.deepEqual(c.dlogp, a.dlogp);
  } finally {
    await seq.session.release();
    await tok.session.release();
  }
});

test('a batch of empty completions gives loss 0 and zero gradients, not NaN', async () => {
  for (const aggregation of lossAggregations) {
    const cfg = { ...defaultPolicyLossConfig, aggregation, klCoef: 0.1, entropyCoef: 0.01 };
    const c = await compileLoss(cfg, 'float32');
    try {
      const b = randomBatch(5, Math.fround);
      const empty = { ...b, mask: b.mask.map(() => 0), rows: b.rows.map((r) => ({ ...r, length: 0 })) };
      const got = await run(c, empty);
      assert.equal(got.loss![0], 0, aggregation);
      assert.equal(got.clip_fraction![0], 0, aggregation);
      assert.ok(
        got.dlogp!.every((x) => x === 0),
        aggregation,
      );
    } finally {
      await c.session.release();
    }
  }
});

test('GSPO gives every token of a sequence the same ratio: all clipped or none', async () => {
  const cfg: PolicyLossConfig = {
    ...defaultPolicyLossConfig,
    ratio: 'sequence',
    epsLow: 0.05,
    epsHigh: 0.05,
  };
  const c = await compileLoss(cfg, 'float64');
  try {
    const b = randomBatch(6, (x) => x);
    const want = policyLossReference(referenceInput(b, false), cfg);
    const got = await run(c, b);
    // Clipped tokens come in whole sequences: the fraction is a sum of row lengths / 16 tokens.
    const lengths = ROWS.map((r) => r.length);
    const total = lengths.reduce((a, x) => a + x, 0);
    const reachable = new Set<number>();
    for (let m = 0; m < 1 << lengths.length; m++) {
      let s = 0;
      lengths.forEach((l, i) => {
        if (m & (1 << i)) s += l;
      });
      reachable.add(s);
    }
    const clippedTokens = Math.round(got.clip_fraction![0]! * total);
    assert.ok(reachable.has(clippedTokens), `clipped ${clippedTokens} tokens`);
    assertClose(got.clip_fraction![0]!, want.clipFraction, 1e-12, 'clip fraction');
  } finally {
    await c.session.release();
  }
});

test('bad loss configs are rejected with a code and the field', () => {
  const bad: [Partial<PolicyLossConfig>, string][] = [
    [{ epsLow: 1 }, 'loss.epsLow'],
    [{ epsHigh: -0.1 }, 'loss.epsHigh'],
    [{ dualClip: 1 }, 'loss.dualClip'],
    [{ aggregation: 'sum' as never }, 'loss.aggregation'],
    [{ normLength: 0 }, 'loss.normLength'],
    [{ klCoef: Number.NaN }, 'loss.klCoef'],
    [{ klEstimator: 'k4' as never }, 'loss.klEstimator'],
    [{ entropyCoef: -1 }, 'loss.entropyCoef'],
    [{ ratio: 'seq' as never }, 'loss.ratio'],
  ];
  for (const [over, field] of bad) {
    assert.throws(
      () => policyLossBuilder({ ...defaultPolicyLossConfig, ...over }),
      (e: unknown) =>
        e instanceof AlgorithmConfigError && e.code === 'GRPO_BAD_ALGORITHM_CONFIG' && e.field === field,
      field,
    );
  }
});

test('an entropy bonus without the entropy tensor is a config error', () => {
  const g = new Graph();
  const logprobs = g.input('logprobs', 'float32', ['batch', 'seq']);
  const mask = g.input('mask', 'float32', ['batch', 'seq']);
  assert.throws(
    () => policyLossBuilder({ ...defaultPolicyLossConfig, entropyCoef: 0.01 })(g, { logprobs, mask }),
    /entropyCoef/,
  );
});
