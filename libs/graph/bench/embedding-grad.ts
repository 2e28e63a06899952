// Embedding-gradient benchmark: the scatter-add of (tokens, d) gradient rows into a (vocab, d)
// table, as ScatterElements (what `gather`'s gradient uses: adds in order, deterministic) and
// as ScatterND (ORT splits its index list across threads; repeated ids then race and lose
// updates). Medians of 15 runs each, interleaved, including zeroing the vocab x d table.
//
//   node --conditions=source --import tsx libs/graph/bench/embedding-grad.ts
//   env: V=32000 D=512 N=4096 (vocab, width, tokens)
import { tensor } from '@grpo/onnx';
import { compileGraph, Graph, Rng, type Sym } from '../src/index.js';

const V = Number(process.env.V ?? 32000),
  D = Number(process.env.D ?? 512),
  N = Number(process.env.N ?? 4096);
const rng = new Rng(1);
const ids = Array.from({ length: N }, () => rng.int(V));
const gy = Float32Array.from({ length: N * D }, () => rng.uniform());
async function build(kind: 'nd' | 'el') {
  const g = new Graph();
  const table = g.input('table', 'float32', [V, D]);
  const idx = g.input('ids', 'int64', [N]);
  const up = g.input('gy', 'float32', [N, D]);
  let out: Sym;
  if (kind === 'nd') {
    const i2 = g.node('Unsqueeze', [idx, g.ints([-1])], 'int64', [N, 1]);
    out = g.node('ScatterND', [g.zerosLike(table), i2, up], 'float32', [V, D], {
      reduction: { kind: 'string', value: 'add' },
    });
  } else {
    const i2 = g.node('Reshape', [idx, g.ints([-1, 1])], 'int64', [N, 1]);
    const ie = g.node('Expand', [i2, g.ints([1, D])], 'int64', [N, D]);
    out = g.node('ScatterElements', [g.zerosLike(table), ie, up], 'float32', [V, D], {
      axis: { kind: 'int', value: 0 },
      reduction: { kind: 'string', value: 'add' },
    });
  }
  g.output('y', out);
  return compileGraph(g, { intraOpNumThreads: 2 });
}
const feeds = {
  table: tensor('float32', new Float32Array(V * D), [V, D]),
  ids: tensor('int64', ids, [N]),
  gy: tensor('float32', gy, [N, D]),
};
const s = { nd: await build('nd'), el: await build('el') };
const times: Record<string, number[]> = { nd: [], el: [] };
for (let r = 0; r < 15; r++)
  for (const k of ['nd', 'el'] as const) {
    const t = performance.now();
    await s[k].run(feeds);
    times[k].push(performance.now() - t);
  }
const med = (a: number[]) => a.sort((x, y) => x - y)[a.length >> 1]!.toFixed(2);
console.log(
  `V=${V} D=${D} N=${N}: ScatterND ${med(times.nd)} ms, ScatterElements ${med(times.el)} ms (median of 15, includes zeroing V x D)`,
);
