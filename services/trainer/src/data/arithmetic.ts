import { ARITHMETIC_TRACES, type ArithmeticTrace } from '@grpo/contracts';

export { ARITHMETIC_TRACES, type ArithmeticTrace };

import { type Example, r1Completion } from './example.js';
import { mulberry32, randInt } from './rng.js';

/**
 * The quick-start task: multi-digit addition and subtraction with a column-by-column worked
 * trace, in English and Chinese. Small enough for a tiny policy on a CPU, hard enough that
 * a cold-started model still makes carry mistakes that GRPO can fix from answer-only rewards.
 */
export interface ArithmeticOptions {
  seed: number;
  count: number;
  /** Digits of each operand: uniform in [minDigits, maxDigits]. */
  minDigits: number;
  maxDigits: number;
  /** Operations to draw from. */
  ops: readonly ('+' | '-')[];
  /** Share of Chinese examples, in [0, 1]. */
  zhFraction: number;
  /** Prefix of example ids, e.g. `train` or `eval`. */
  idPrefix: string;
  /**
   * Layout of the worked trace. `columns`: one line per column, the digits looked up in the
   * operands stated once (`ones: 7 + 2 + 0 = 9, ...`). `shrinking`: each line first restates
   * the operands without the columns already done, so a column's digits are the last digits
   * before the operator and before the colon (`ones 347 + 582: 7 + 2 + 0 = 9, ...`). `running`:
   * as `shrinking`, and each line ends with the result's digits so far instead of the digit
   * written (`..., carry 0, so far 29.`), so the answer is the last line's digits instead of the
   * written digits read back in reverse. `written`: as `columns`, and a subtraction line also
   * writes its digit as an addition line does (`tens: 1 - 6 - 0 + 10 = 5, write 5, borrow 1.`),
   * so the answer is read back from the same `write` digits for both operations.
   */
  trace: ArithmeticTrace;
}

export const defaultArithmeticOptions: Readonly<ArithmeticOptions> = Object.freeze<ArithmeticOptions>({
  seed: 1,
  count: 200,
  minDigits: 2,
  maxDigits: 3,
  ops: ['+', '-'],
  zhFraction: 0.25,
  idPrefix: 'arith',
  trace: 'columns',
});

function digitsOf(n: number): number[] {
  return String(n).split('').reverse().map(Number);
}

const PLACE_EN = ['ones', 'tens', 'hundreds', 'thousands', 'ten-thousands', 'hundred-thousands'];
const PLACE_ZH = ['个位', '十位', '百位', '千位', '万位', '十万位'];

/**
 * The label of column `i`: its place name, and with the `shrinking` trace also the operands
 * without the columns below it (`tens 34 + 58`; an exhausted operand reads 0).
 */
function columnLabel(
  a: number,
  b: number,
  op: string,
  i: number,
  zh: boolean,
  trace: ArithmeticTrace,
): string {
  const place = (zh ? PLACE_ZH : PLACE_EN)[i] ?? `10^${i}`;
  if (trace === 'columns' || trace === 'written') return place;
  const rest = (n: number) => String(Math.floor(n / 10 ** i));
  return `${place} ${rest(a)} ${op} ${rest(b)}`;
}

/** The `running` trace's line ending: the result's digits written so far (`, so far 29`). */
function soFar(zh: boolean, trace: ArithmeticTrace): (written: string) => string {
  if (trace !== 'running') return () => '';
  return (written) => (zh ? `，目前 ${written}` : `, so far ${written}`);
}

/** Column-wise addition steps: "ones: 7 + 5 + 0 = 12, write 2, carry 1". */
function additionSteps(a: number, b: number, zh: boolean, trace: ArithmeticTrace): string[] {
  const da = digitsOf(a);
  const db = digitsOf(b);
  const steps: string[] = [];
  const sofar = soFar(zh, trace);
  // The running trace's "so far" already shows the digit written.
  const write = (text: string) => (trace === 'running' ? '' : text);
  let written = '';
  let carry = 0;
  for (let i = 0; i < Math.max(da.length, db.length); i++) {
    const x = da[i] ?? 0;
    const y = db[i] ?? 0;
    const s = x + y + carry;
    const place = columnLabel(a, b, '+', i, zh, trace);
    const next = s >= 10 ? 1 : 0;
    written = `${s % 10}${written}`;
    steps.push(
      zh
        ? `${place}：${x} + ${y} + ${carry} = ${s}，${write(`写 ${s % 10}，`)}进 ${next}${sofar(written)}。`
        : `${place}: ${x} + ${y} + ${carry} = ${s}, ${write(`write ${s % 10}, `)}carry ${next}${sofar(written)}.`,
    );
    carry = next;
  }
  if (carry) {
    written = `${carry}${written}`;
    steps.push(
      zh ? `最高位写 ${carry}${sofar(written)}。` : `Write the final carry ${carry}${sofar(written)}.`,
    );
  }
  return steps;
}

/** Column-wise subtraction of b from a (a >= b): "tens: 3 - 1 - 1 = 1 (borrow 0)". */
function subtractionSteps(a: number, b: number, zh: boolean, trace: ArithmeticTrace): string[] {
  const da = digitsOf(a);
  const db = digitsOf(b);
  const steps: string[] = [];
  const sofar = soFar(zh, trace);
  // Only the written trace states a subtraction column's digit a second time.
  const write = (text: string) => (trace === 'written' ? text : '');
  let written = '';
  let borrow = 0;
  for (let i = 0; i < da.length; i++) {
    const x = da[i] ?? 0;
    const y = db[i] ?? 0;
    let d = x - y - borrow;
    const next = d < 0 ? 1 : 0;
    if (d < 0) d += 10;
    const place = columnLabel(a, b, '-', i, zh, trace);
    written = `${d}${written}`;
    steps.push(
      zh
        ? `${place}：${x} - ${y} - ${borrow}${next ? ' + 10' : ''} = ${d}，${write(`写 ${d}，`)}借 ${next}${sofar(written)}。`
        : `${place}: ${x} - ${y} - ${borrow}${next ? ' + 10' : ''} = ${d}, ${write(`write ${d}, `)}borrow ${next}${sofar(written)}.`,
    );
    borrow = next;
  }
  return steps;
}

/** Generates `count` examples deterministically from the seed. */
export function generateArithmetic(options: Partial<ArithmeticOptions> = {}): Example[] {
  const o = { ...defaultArithmeticOptions, ...options };
  if (o.minDigits < 1 || o.maxDigits < o.minDigits || o.maxDigits > 6) {
    throw new RangeError(
      `digits must satisfy 1 <= minDigits <= maxDigits <= 6; got ${o.minDigits}..${o.maxDigits}`,
    );
  }
  if (o.ops.length === 0) throw new RangeError('ops must name at least one operation');
  if (!ARITHMETIC_TRACES.includes(o.trace))
    throw new RangeError(`trace must be one of ${ARITHMETIC_TRACES.join(', ')}; got ${String(o.trace)}`);
  const rand = mulberry32(o.seed);
  const out: Example[] = [];
  for (let i = 0; i < o.count; i++) {
    const op = o.ops[randInt(rand, 0, o.ops.length - 1)] as '+' | '-';
    const da = randInt(rand, o.minDigits, o.maxDigits);
    const db = randInt(rand, o.minDigits, o.maxDigits);
    let a = randInt(rand, 10 ** (da - 1), 10 ** da - 1);
    let b = randInt(rand, 10 ** (db - 1), 10 ** db - 1);
    if (op === '-' && b > a) [a, b] = [b, a];
    const zh = rand() < o.zhFraction;
    const answer = String(op === '+' ? a + b : a - b);
    const steps = op === '+' ? additionSteps(a, b, zh, o.trace) : subtractionSteps(a, b, zh, o.trace);
    const prompt = zh ? `计算 ${a} ${op} ${b} 等于多少？` : `What is ${a} ${op} ${b}?`;
    const reasoning = [
      zh ? `按位计算 ${a} ${op} ${b}。` : `Compute ${a} ${op} ${b} column by column.`,
      ...steps,
      zh ? `所以结果是 ${answer}。` : `So the result is ${answer}.`,
    ].join('\n');
    out.push({
      id: `${o.idPrefix}-${i}`,
      prompt,
      answer,
      completion: r1Completion(reasoning, answer),
      language: zh ? 'zh' : 'en',
    });
  }
  return out;
}
