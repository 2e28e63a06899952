import { test } from 'node:test';
import { checkGrad } from './fd-helpers.js';

test('add broadcasts and its gradient sums back to each operand shape', () =>
  checkGrad((g, [a, b]) => g.add(a!, b!), [{ shape: [2, 3] }, { shape: [3] }]));

test('sub gradient is negated for the subtrahend under broadcasting', () =>
  checkGrad((g, [a, b]) => g.sub(a!, b!), [{ shape: [2, 1] }, { shape: [2, 3] }]));

test('mul gradient matches finite differences with a size-1 axis broadcast', () =>
  checkGrad((g, [a, b]) => g.mul(a!, b!), [{ shape: [2, 3] }, { shape: [2, 1] }]));

test('div gradient matches finite differences for both operands', () =>
  checkGrad((g, [a, b]) => g.div(a!, b!), [{ shape: [2, 3] }, { shape: [3], lo: 0.5, hi: 2 }]));

test('scalar operands are lifted to the tensor dtype', () =>
  checkGrad((g, [a]) => g.div(g.sub(3, g.mul(a!, 2)), 4), [{ shape: [4] }]));

test('neg gradient is minus the output gradient', () => checkGrad((g, [a]) => g.neg(a!), [{ shape: [5] }]));

test('exp gradient matches finite differences', () => checkGrad((g, [a]) => g.exp(a!), [{ shape: [2, 3] }]));

test('log gradient matches finite differences on positive inputs', () =>
  checkGrad((g, [a]) => g.log(a!), [{ shape: [2, 3], lo: 0.2, hi: 3 }]));

test('sqrt gradient matches finite differences on positive inputs', () =>
  checkGrad((g, [a]) => g.sqrt(a!), [{ shape: [6], lo: 0.2, hi: 3 }]));

test('rsqrt gradient matches finite differences on positive inputs', () =>
  checkGrad((g, [a]) => g.rsqrt(a!), [{ shape: [6], lo: 0.2, hi: 3 }]));

test('pow with a constant exponent has gradient p x^(p-1)', () =>
  checkGrad((g, [a]) => g.add(g.pow(a!, 3), g.pow(a!, -0.5)), [{ shape: [6], lo: 0.3, hi: 2 }]));

test('square gradient is 2x', () => checkGrad((g, [a]) => g.square(a!), [{ shape: [6] }]));

test('sigmoid gradient matches finite differences', () =>
  checkGrad((g, [a]) => g.sigmoid(a!), [{ shape: [6], lo: -4, hi: 4 }]));

test('tanh gradient matches finite differences', () =>
  checkGrad((g, [a]) => g.tanh(a!), [{ shape: [6], lo: -3, hi: 3 }]));

test('relu gradient is the step function away from zero', () =>
  checkGrad((g, [a]) => g.relu(a!), [{ shape: [6], values: [-2, -1, -0.3, 0.4, 1, 2] }]));

test('silu gradient matches finite differences', () =>
  checkGrad((g, [a]) => g.silu(a!), [{ shape: [6], lo: -4, hi: 4 }]));

test('gelu (tanh form) gradient matches finite differences', () =>
  checkGrad((g, [a]) => g.gelu(a!), [{ shape: [6], lo: -4, hi: 4 }]));

test('minimum and maximum route the gradient to the chosen operand', () =>
  checkGrad(
    (g, [a, b]) => g.add(g.minimum(a!, b!), g.mul(g.maximum(a!, b!), 3)),
    [
      { shape: [4], values: [0, 1, 2, 3] },
      { shape: [4], values: [1.5, 0.5, 2.5, 2.5] },
    ],
  ));

test('where sends the gradient to the selected branch only', () =>
  checkGrad((g, [a, b]) => g.where(g.less(a!, 0), a!, g.mul(b!, 2)), [{ shape: [2, 3] }, { shape: [3] }]));

test('a tensor used several times gets the sum of its gradient contributions', () =>
  checkGrad((g, [a]) => g.mul(g.exp(a!), g.add(a!, g.square(a!))), [{ shape: [5] }]));

test('clip passes the gradient inside the range and blocks it outside', () =>
  checkGrad((g, [a]) => g.clip(a!, 0.8, 1.2), [{ shape: [5], values: [0.5, 0.9, 1, 1.1, 1.5] }]));
