import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type VerifyOptions, verifyMath } from '../src/index.js';

// Issue 19, families 2-5: approximations, several answers, labelled golds, small things and
// the order of answers.

function check(rows: [gold: string, completion: string, status: string, rule?: string][], o?: VerifyOptions) {
  return rows.flatMap(([gold, completion, status, rule]) => {
    const r = verifyMath(gold, completion, o);
    return r.status === status && (!rule || r.rule === rule)
      ? []
      : [
          `${gold} vs ${JSON.stringify(completion)}: ${r.status} (${r.rule ?? r.reason}, ${JSON.stringify(r.prediction)})`,
        ];
  });
}

test('either side of an approximation may be the answer', () => {
  assert.deepEqual(
    check([
      [String.raw`\frac{7}{\pi}`, String.raw`\boxed{\frac{7}{\pi} \approx 2.23}`, 'ok', 'approx'],
      [String.raw`\frac{7}{\pi}`, String.raw`\boxed{\frac{7}{\pi} ≈ 2.23}`, 'ok', 'approx'],
      ['2.23', String.raw`\boxed{\frac{7}{\pi} \approx 2.23}`, 'ok', 'approx'],
      [String.raw`\frac{7}{\pi} \approx 2.23`, String.raw`\boxed{\frac{7}{\pi}}`, 'ok', 'approx'],
      [String.raw`\frac{7}{\pi} \approx 2.23`, String.raw`\boxed{2.23}`, 'ok', 'approx'],
      [String.raw`\frac{7}{\pi}`, String.raw`\boxed{\frac{7}{\pi} \approx 2.25}`, 'ok', 'approx'],
      [String.raw`\frac{8}{\pi}`, String.raw`\boxed{\frac{7}{\pi} \approx 2.23}`, 'wrong'],
      [String.raw`\frac{2}{3}`, String.raw`\boxed{\approx 0.67}`, 'ok', 'rounded'],
    ]),
    [],
  );
});

test('a decimal equals an exact value when it is that value correctly rounded', () => {
  assert.deepEqual(
    check([
      [String.raw`\frac23`, '\\boxed{0.6667}', 'ok', 'rounded'],
      [String.raw`\frac23`, '\\boxed{0.67}', 'ok', 'rounded'],
      [String.raw`\frac23`, '\\boxed{0.66}', 'wrong'],
      [String.raw`\frac23`, '\\boxed{0.6666}', 'wrong'],
      [String.raw`\sqrt2`, '\\boxed{1.4142}', 'ok', 'rounded'],
      [String.raw`\sqrt2`, '\\boxed{-1.4142}', 'wrong'],
      [String.raw`-\sqrt2`, '\\boxed{-1.41}', 'ok', 'rounded'],
      ['0.6667', String.raw`\boxed{\frac{2}{3}}`, 'ok', 'rounded'],
      [String.raw`\frac{200}{3}\%`, String.raw`\boxed{66.67\%}`, 'ok', 'rounded'],
      [String.raw`\frac{2}{3}`, String.raw`\boxed{66.67\%}`, 'ok', 'rounded'],
      [String.raw`\frac{2}{3}`, String.raw`\boxed{66.66\%}`, 'wrong'],
    ]),
    [],
  );
});

test('the rounding rule has limits: two significant digits, no terminating values, no variables', () => {
  assert.deepEqual(
    check([
      [String.raw`\frac23`, '\\boxed{0.7}', 'wrong'],
      [String.raw`\frac54`, '\\boxed{1.3}', 'wrong'],
      ['15', '\\boxed{14.6}', 'wrong'],
      ['0.67', '\\boxed{0.667}', 'wrong'],
      [String.raw`\frac{x}{3}`, '\\boxed{0.33x}', 'wrong'],
    ]),
    [],
  );
  assert.equal(verifyMath(String.raw`\frac23`, '\\boxed{0.67}', { roundedDecimals: false }).status, 'wrong');
});

test('rounded decimals are accepted inside intervals, tuples and matrices', () => {
  assert.deepEqual(
    check([
      [String.raw`\left(\frac13, \sqrt2\right]`, '\\boxed{(0.333, 1.414]}', 'ok'],
      [String.raw`\left(\frac13, \sqrt2\right]`, '\\boxed{(0.333, 1.414)}', 'wrong'],
      [String.raw`\left(\frac13, \frac23, \pi\right)`, '\\boxed{(0.33, 0.67, 3.14)}', 'ok'],
      [
        String.raw`\begin{pmatrix}\frac13 & 1\\ 0 & \sqrt3\end{pmatrix}`,
        String.raw`\boxed{\begin{pmatrix}0.333 & 1\\ 0 & 1.732\end{pmatrix}}`,
        'ok',
      ],
      [
        String.raw`\begin{pmatrix}\frac13 & 1\\ 0 & \sqrt3\end{pmatrix}`,
        String.raw`\boxed{\begin{pmatrix}0.333 & 1\\ 0 & 1.733\end{pmatrix}}`,
        'wrong',
      ],
    ]),
    [],
  );
});

test('several boxes in a completion match a gold that lists them', () => {
  assert.deepEqual(
    check([
      ['2, -5', String.raw`\boxed{2} for (i) and \boxed{-5} for (ii)`, 'ok'],
      ['2, -5', String.raw`(i) gives \boxed{2}. For (ii) we find \boxed{-5}.`, 'ok'],
      ['2, -5', String.raw`(i) gives \boxed{-5}. For (ii) we find \boxed{2}.`, 'wrong'],
      ['-5', String.raw`first \boxed{2}, then correcting: \boxed{-5}`, 'ok'],
      ['2', String.raw`\boxed{2} for (i) and \boxed{-5} for (ii)`, 'wrong'],
      ['1, 2', 'The answer is $1$ and $2$.', 'ok'],
      ['2, 1', 'The answer is $1$ and $2$.', 'ok'],
      ['12', 'So the answer is $12$ and $12$ is divisible by 3.', 'ok'],
      ['The answers are $1$ and $2$.', '\\boxed{2, 1}', 'ok'],
      ['The answer is $1$ and $2$.', '\\boxed{2, 1}', 'ok'],
      ['3, 5', 'The solutions are $x=3$ and $x=5$.', 'ok'],
      ['5', 'The solutions are $x=3$ and $x=5$.', 'ok'],
      ['3, 5', 'We get $x=3$. Then $x=5$.', 'wrong'],
    ]),
    [],
  );
  assert.equal(
    verifyMath('2, -5', String.raw`\boxed{2} for (i) and \boxed{-5} for (ii)`).predictionMethod,
    'boxes',
  );
});

test('a gold with several boxes or \\text{ and } lists several answers', () => {
  assert.deepEqual(
    check([
      [String.raw`For (i) $\boxed{2}$; for (ii) $\boxed{-5}$.`, '\\boxed{2, -5}', 'ok'],
      [String.raw`For (i) $\boxed{2}$; for (ii) $\boxed{-5}$.`, '\\boxed{-5}', 'wrong'],
      [String.raw`\boxed{2}, \boxed{-5}`, '\\boxed{2, -5}', 'ok'],
      [String.raw`\boxed{2} \text{ and } \boxed{-5}`, '\\boxed{-5, 2}', 'ok'],
      [String.raw`2 \text{ and } -5`, '\\boxed{-5, 2}', 'ok'],
      [String.raw`\boxed{5} so $\boxed{5}$`, '\\boxed{5}', 'ok'],
      [String.raw`For (i) $\boxed{2}$, for (ii) $\boxed{-5}$, so: $\boxed{2, -5}$`, '\\boxed{2, -5}', 'ok'],
    ]),
    [],
  );
});

test('labelled golds name their answers and are no bad reference', () => {
  assert.deepEqual(
    check([
      [
        String.raw`a_{1}=\frac{1+\sqrt{5}}{2},\quada_{2}=\frac{1-\sqrt{5}}{2}`,
        String.raw`\boxed{\frac{1+\sqrt5}{2}, \frac{1-\sqrt5}{2}}`,
        'ok',
      ],
      [
        String.raw`a_{1}=\frac{1+\sqrt{5}}{2}\quad a_{2}=\frac{1-\sqrt{5}}{2}`,
        String.raw`\boxed{a_2 = \frac{1-\sqrt5}{2}, a_1 = \frac{1+\sqrt5}{2}}`,
        'ok',
      ],
      [String.raw`p_{1}=\frac{1}{3}, p_{2}=\frac{2}{3}`, String.raw`\boxed{\frac13, \frac23}`, 'ok'],
      [String.raw`p_{1}=\frac{1}{3}, p_{2}=\frac{2}{3}`, String.raw`\boxed{\frac23, \frac13}`, 'wrong'],
      [String.raw`x = 3 \qquad y = -1`, '\\boxed{3, -1}', 'ok'],
      [String.raw`x = 3\,y = -1`, '\\boxed{(3, -1)}', 'ok'],
      [`x = 3~y = -1`, '\\boxed{3, -1}', 'ok'],
    ]),
    [],
  );
  assert.notEqual(verifyMath(String.raw`a_{1}=2,\quada_{2}=3`, '\\boxed{2, 3}').status, 'error');
});

test('a named length and a renamed function argument match', () => {
  assert.deepEqual(
    check([
      ['4', String.raw`\boxed{|PQ| = 4}`, 'ok'],
      [`|PQ| = 4`, '\\boxed{4}', 'ok'],
      ['5', String.raw`\boxed{|PQ| = 4}`, 'wrong'],
      [String.raw`g(t) = 2 \text{ and } g(t) = -2`, String.raw`\boxed{g(x)=2 or g(x)=-2}`, 'ok'],
      [String.raw`g(t) = 2 \text{ and } g(t) = -2`, String.raw`\boxed{g(x)=-2 \text{ or } g(x)=2}`, 'ok'],
      [String.raw`g(t) = 2 \text{ and } g(t) = -2`, String.raw`\boxed{g(x)=2 or g(x)=-3}`, 'wrong'],
      ['f(t) = 2t + 1', String.raw`\boxed{f(x) = 2x + 1}`, 'ok'],
      ['f(t) = 2t + 1', String.raw`\boxed{f(x) = 2x + 2}`, 'wrong'],
    ]),
    [],
  );
});

test('a trailing backslash and a box closed by an escaped brace are read', () => {
  assert.deepEqual(
    check([
      ['42', 'The answer is 42\\', 'ok'],
      ['42', 'The answer is 42\\\\', 'ok'],
      ['42', '\\boxed{42\\}', 'ok'],
      ['42', '\\boxed{42\\', 'ok'],
      ['42', 'so \\boxed{42', 'unparseable'],
    ]),
    [],
  );
});

test('prose inside a math block gives its number', () => {
  assert.deepEqual(
    check([
      ['7', '$so roughly 7$', 'ok'],
      ['7', 'the count is $about 7 items$ in total', 'ok'],
      ['5', String.raw`$\text{The answer is } 5$`, 'ok'],
      ['ab + cd', '$ab + cd$', 'ok'],
      [
        String.raw`\begin{pmatrix}1 & 0\\ 0 & 1\end{pmatrix}`,
        String.raw`it is $\begin{pmatrix}1 & 0\\ 0 & 1\end{pmatrix}$`,
        'ok',
      ],
    ]),
    [],
  );
});

test('a plain comma list is ordered unless either side is written as a set', () => {
  assert.deepEqual(
    check([
      ['8, 3, -1', '\\boxed{3, 8, -1}', 'wrong'],
      ['8, 3, -1', '\\boxed{2^3, 3, -1}', 'ok', 'list'],
      [String.raw`\{8, 3, -1\}`, '\\boxed{3, 8, -1}', 'ok', 'set'],
      ['8, 3, -1', String.raw`\boxed{\{3, 8, -1\}}`, 'ok', 'set'],
      ['8, 3 \\text{ and } -1', '\\boxed{3, 8, -1}', 'ok', 'set'],
      ['8, 3, -1', '\\boxed{3} and \\boxed{8} and \\boxed{-1}', 'ok', 'set'],
      [String.raw`1 \pm \sqrt2`, String.raw`\boxed{1-\sqrt2, 1+\sqrt2}`, 'ok', 'set'],
      ['x = 8, x = 3', '\\boxed{3, 8}', 'ok', 'set'],
      ['a = 8, 3, -1', '\\boxed{3, 8, -1}', 'ok', 'set'],
      ['(1, 2), (3, 4)', '\\boxed{(3, 4), (1, 2)}', 'ok', 'set'],
      ['x = 8, y = 3', '\\boxed{3, 8}', 'wrong'],
      ['x = 8, y = 3', '\\boxed{y = 3, x = 8}', 'ok', 'set'],
    ]),
    [],
  );
  assert.equal(verifyMath('8, 3, -1', '\\boxed{3, 8, -1}', { orderedLists: false }).status, 'ok');
});
