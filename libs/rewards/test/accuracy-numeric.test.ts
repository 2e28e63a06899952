import assert from 'node:assert/strict';
import { test } from 'node:test';
import { verifyMath } from '../src/index.js';

/**
 * Symbolic equality is decided by evaluation at seeded random points (docs/accuracy.md,
 * "Why numeric evaluation, not a CAS"). These pin the verdicts at its edges: branch cuts,
 * removable singularities, domains, tolerance and sampling.
 */
const status = (gold: string, pred: string) => verifyMath(gold, pred).status;

test('sqrt(x^2) is |x|, not x: negative sample points tell them apart', () => {
  assert.equal(status(String.raw`\sqrt{x^2}`, 'x'), 'wrong');
  assert.equal(status(String.raw`\sqrt{x^2}`, '|x|'), 'ok');
  assert.equal(status('(x^2)^{1/2}', '|x|'), 'ok');
});

test('log(x^2) is 2 log|x|, not 2 log x: the principal branch of log differs for x < 0', () => {
  assert.equal(status(String.raw`\log(x^2)`, String.raw`2\log x`), 'wrong');
  assert.equal(status(String.raw`\log(x^2)`, String.raw`2\log|x|`), 'ok');
  assert.equal(status(String.raw`\ln(xy)`, String.raw`\ln x+\ln y`), 'wrong');
});

test('a removable singularity does not matter: (x^2-1)/(x-1) is x+1', () => {
  assert.equal(status(String.raw`\frac{x^2-1}{x-1}`, 'x+1'), 'ok');
  assert.equal(status(String.raw`\frac{x}{x}`, '1'), 'ok');
});

test('exp and log cancel on the principal branch; sqrt(x)sqrt(y) is not sqrt(xy)', () => {
  assert.equal(status(String.raw`e^{\ln x}`, 'x'), 'ok');
  assert.equal(status(String.raw`\ln(e^x)`, 'x'), 'ok');
  assert.equal(status(String.raw`\sqrt{x}\sqrt{y}`, String.raw`\sqrt{xy}`), 'wrong');
  assert.equal(status(String.raw`\sqrt{x}^2`, 'x'), 'ok');
});

test('odd roots of negative reals are real, so (x^{1/3})^3 is x', () => {
  assert.equal(status('(x^{1/3})^3', 'x'), 'ok');
});

test('trigonometric identities hold at every point', () => {
  assert.equal(status(String.raw`\sin^2 x+\cos^2 x`, '1'), 'ok');
  assert.equal(status(String.raw`\tan x`, String.raw`\frac{\sin x}{\cos x}`), 'ok');
  assert.equal(status(String.raw`\tan^2 y + 1`, String.raw`\sec^2 y`), 'ok');
});

test('points below and above magnitude 1 both occur, so x^100 and x^100+1 differ', () => {
  assert.equal(status('x^{100}', 'x^{100}+1'), 'wrong');
  assert.equal(status('x^2', 'x^2+0.001'), 'wrong');
});

test('points of both signs occur, so |x| and x differ', () => {
  assert.equal(status('|x|', 'x'), 'wrong');
});

test('differences below the relative tolerance (1e-9 for expressions) are equal', () => {
  assert.equal(status('x', 'x+10^{-12}'), 'ok');
});

test('expressions undefined at every sample point are never equal', () => {
  // arcsin is real-only: x+10 is outside [-1, 1] at every point.
  assert.equal(status(String.raw`\arcsin(x+10)`, String.raw`\arcsin(10+x)`), 'wrong');
});

test('the verdict does not depend on the run: points are seeded', () => {
  const a = verifyMath(String.raw`\frac{x^2-1}{x-1}`, 'x+1');
  const b = verifyMath(String.raw`\frac{x^2-1}{x-1}`, 'x+1');
  assert.deepEqual(a, b);
});

test('degrees are radians inside functions and the bare number at the top', () => {
  assert.equal(status(String.raw`\frac{\pi}{2}`, String.raw`90^\circ`), 'ok');
  assert.equal(status('30', String.raw`30^\circ`), 'ok');
  assert.equal(status(String.raw`\sin(90^{\circ}-x)`, String.raw`\cos(x)`), 'ok');
  assert.equal(status(String.raw`\sin(30^\circ)`, String.raw`\frac12`), 'ok');
  assert.equal(status(String.raw`\frac{\pi}{3}`, String.raw`90^\circ`), 'wrong');
});

test('a renamed variable with a constant value is a different answer; a renamed function is not', () => {
  assert.equal(status('n=5', 'm=5'), 'wrong');
  assert.equal(status('f(x) = 2x + 3', 'y = 2x + 3'), 'ok');
  assert.equal(status('f(x) = 2x + 3', 'y = 2x + 4'), 'wrong');
});

test('sums and products with constant bounds are expanded', () => {
  assert.equal(status(String.raw`\sum_{k=1}^{10} k`, '55'), 'ok');
  assert.equal(status(String.raw`\prod_{k=1}^{5} k`, '120'), 'ok');
  assert.equal(status(String.raw`\sum_{k=1}^{10} k^2`, '385'), 'ok');
  assert.equal(status(String.raw`\sum_{k=1}^{10} k`, '56'), 'wrong');
});

test('a sum with a symbolic bound is compared at integer values of the bound', () => {
  assert.equal(status(String.raw`\sum_{k=1}^{n} k`, String.raw`\frac{n(n+1)}{2}`), 'ok');
  assert.equal(status(String.raw`\sum_{k=1}^{n} k`, String.raw`\frac{n(n-1)}{2}`), 'wrong');
});

test('a sum of more than 10000 terms has no value', () => {
  assert.equal(status(String.raw`\sum_{k=1}^{100000} 1`, '100000'), 'wrong');
});

test('set-builder notation is the set its condition describes', () => {
  assert.equal(status(String.raw`\{x \mid x > 2\}`, String.raw`(2,\infty)`), 'ok');
  assert.equal(status(String.raw`\{x : x > 2\}`, 'x>2'), 'ok');
  assert.equal(status(String.raw`\{x \mid x > 2\}`, String.raw`[2,\infty)`), 'wrong');
});

test('an unknown command without arguments is an opaque symbol; an arrow is unparseable', () => {
  assert.equal(status(String.raw`2\alpha`, String.raw`\alpha + \alpha`), 'ok');
  assert.equal(status('0', String.raw`x \to 0`), 'unparseable');
  assert.equal(status('5', String.raw`\foo{3}`), 'unparseable');
});

test('sums, products and scalar multiples of explicit matrices are carried out', () => {
  const m = (a: string) => String.raw`\begin{pmatrix}${a}\end{pmatrix}`;
  assert.equal(
    status(
      m(String.raw`6 & 8 \\ 10 & 12`),
      `${m(String.raw`1 & 2 \\ 3 & 4`)} + ${m(String.raw`5 & 6 \\ 7 & 8`)}`,
    ),
    'ok',
  );
  assert.equal(
    status(
      m(String.raw`2 & 1 \\ 1 & 1`),
      `$${m(String.raw`1 & 1 \\ 1 & 0`)} ${m(String.raw`1 & 1 \\ 1 & 0`)}$`,
    ),
    'ok',
  );
  assert.equal(status(m(String.raw`2 & 4`), `2${m('1 & 2')}`), 'ok');
  assert.equal(status(m(String.raw`1 & 2`), `${m('1 & 2')} + ${m(String.raw`1 \\ 2`)}`), 'wrong');
});
