import { test } from 'node:test';
import { checkGrad } from './fd-helpers.js';

test('2-D matmul gradient matches finite differences for both operands', () =>
  checkGrad((g, [a, b]) => g.matmul(a!, b!), [{ shape: [3, 4] }, { shape: [4, 2] }]));

test('batched activations times a shared 2-D weight sum the weight gradient over the batch', () =>
  checkGrad((g, [a, b]) => g.matmul(a!, b!), [{ shape: [2, 3, 4] }, { shape: [4, 2] }]));

test('batched matmul with broadcast batch axes matches finite differences', () =>
  checkGrad((g, [a, b]) => g.matmul(a!, b!), [{ shape: [2, 2, 3, 2] }, { shape: [1, 2, 2, 3] }]));

test('sum over all axes has a gradient of ones', () => checkGrad((g, [a]) => g.sum(a!), [{ shape: [2, 3] }]));

test('sum over axes with and without keepdims expands the gradient back', () =>
  checkGrad(
    (g, [a]) => g.add(g.sum(a!, [1], true), g.unsqueeze(g.sum(a!, [1, 2]), [1, 2])),
    [{ shape: [2, 3, 4] }],
  ));

test('mean over a negative axis divides the gradient by the reduced count', () =>
  checkGrad((g, [a]) => g.mean(a!, [-1]), [{ shape: [3, 4] }]));

test('max over an axis sends the gradient to the arg-max', () =>
  checkGrad((g, [a]) => g.max(a!, [1]), [{ shape: [3, 4] }]));

test('softmax gradient matches finite differences', () =>
  checkGrad((g, [a]) => g.softmax(a!, -1), [{ shape: [2, 5], lo: -3, hi: 3 }]));

test('softmax over a middle axis matches finite differences', () =>
  checkGrad((g, [a]) => g.softmax(a!, 1), [{ shape: [2, 3, 2], lo: -3, hi: 3 }]));

test('logSoftmax gradient matches finite differences and is stable for large logits', () =>
  checkGrad((g, [a]) => g.logSoftmax(g.mul(a!, 100), -1), [{ shape: [2, 4], lo: -1, hi: 1 }]));

test('gather (embedding) scatter-adds gradients of repeated ids', () =>
  checkGrad(
    (g, [table, ids]) => g.gather(table!, ids!),
    [{ shape: [5, 3] }, { shape: [2, 3], dtype: 'int64', values: [0, 2, 2, 4, 0, 0] }],
  ));

test('pick gathers the sampled token logprob and scatters its gradient', () =>
  checkGrad(
    (g, [x, idx]) => g.pick(g.logSoftmax(x!, -1), idx!, -1),
    [
      { shape: [2, 3, 5], lo: -2, hi: 2 },
      { shape: [2, 3, 1], dtype: 'int64', values: [4, 0, 2, 2, 1, 3] },
    ],
  ));

test('reshape gradient reshapes back to the input shape', () =>
  checkGrad((g, [a]) => g.exp(g.reshape(a!, [3, -1])), [{ shape: [2, 3, 2] }]));

test('transpose gradient applies the inverse permutation', () =>
  checkGrad(
    (g, [a]) =>
      g.mul(
        g.transpose(a!, [2, 0, 1]),
        g.constant([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], [4, 3, 1], 'float64'),
      ),
    [{ shape: [3, 1, 4] }],
  ));

test('concat gradient slices the pieces back out', () =>
  checkGrad((g, [a, b]) => g.exp(g.concat([a!, b!, a!], 1)), [{ shape: [2, 1] }, { shape: [2, 3] }]));

test('slice gradient pads zeros around the taken range', () =>
  checkGrad((g, [a]) => g.add(g.slice(a!, 1, 1, 3), g.slice(a!, -1, 2)), [{ shape: [2, 4] }]));

test('expand gradient sums over the expanded axes', () =>
  checkGrad((g, [a]) => g.exp(g.expand(a!, [2, 3, 4])), [{ shape: [3, 1] }]));

test('unsqueeze gradient drops the inserted axes', () =>
  checkGrad((g, [a]) => g.tanh(g.unsqueeze(a!, [0, 2])), [{ shape: [2, 3] }]));

test('a causal single-head attention block matches finite differences in all inputs', () =>
  checkGrad(
    (g, [x, wq, wk, wv]) => {
      const q = g.matmul(x!, wq!);
      const k = g.matmul(x!, wk!);
      const v = g.matmul(x!, wv!);
      const scores = g.mul(g.matmul(q, g.swapLast(k)), 1 / Math.sqrt(3));
      const masked = g.where(g.causalMask(4), scores, -1e9);
      return g.matmul(g.softmax(masked, -1), v);
    },
    [{ shape: [2, 4, 3] }, { shape: [3, 3] }, { shape: [3, 3] }, { shape: [3, 3] }],
  ));
