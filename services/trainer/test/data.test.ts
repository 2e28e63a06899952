import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import {
  type ArithmeticOptions,
  type ArithmeticTrace,
  DatasetError,
  generateArithmetic,
  gsm8kAnswer,
  parseJsonl,
} from '../src/index.js';

test('arithmetic examples are deterministic for a seed and their answers are right', () => {
  const a = generateArithmetic({ seed: 7, count: 50 });
  const b = generateArithmetic({ seed: 7, count: 50 });
  assert.deepEqual(a, b);
  for (const ex of a) {
    const m = ex.prompt.match(/(\d+) ([+-]) (\d+)/);
    assert.ok(m, ex.prompt);
    const [x, op, y] = [Number(m[1]), m[2], Number(m[3])];
    assert.equal(ex.answer, String(op === '+' ? x + y : x - y), ex.prompt);
    assert.ok(Number(ex.answer) >= 0);
  }
});

test('the worked trace is in the R1 template and ends with the answer', () => {
  for (const ex of generateArithmetic({ seed: 3, count: 20 })) {
    assert.match(ex.completion ?? '', /^<think>\n[\s\S]+\n<\/think>\n<answer>\n(\d+)\n<\/answer>$/);
    assert.ok(ex.completion?.endsWith(`<answer>\n${ex.answer}\n</answer>`));
  }
});

/**
 * The examples of `opts` under `trace`, and under the default `columns` trace, after asserting
 * that both hold the same problems and answers (a trace changes only the worked reasoning).
 */
function withColumns(opts: Partial<ArithmeticOptions>, trace: ArithmeticTrace) {
  const columns = generateArithmetic(opts);
  const traced = generateArithmetic({ ...opts, trace });
  assert.deepEqual(
    traced.map((e) => [e.prompt, e.answer]),
    columns.map((e) => [e.prompt, e.answer]),
  );
  return { columns, traced };
}

test('the shrinking trace restates the operands without the columns done, then works the same column', () => {
  const opts = { seed: 4, count: 40, minDigits: 2, maxDigits: 3, zhFraction: 0.5, ops: ['+', '-'] as const };
  withColumns(opts, 'shrinking');
  const [sub] = generateArithmetic({
    seed: 1,
    count: 1,
    minDigits: 3,
    maxDigits: 3,
    ops: ['-'],
    zhFraction: 0,
    trace: 'shrinking',
  });
  const [, a, b] = /(\d+) - (\d+)/.exec(sub?.prompt ?? '') as RegExpExecArray;
  const lines = (sub?.completion ?? '').split('\n').filter((l) => /^(ones|tens|hundreds) /.test(l));
  assert.equal(lines.length, 3);
  lines.forEach((line, i) => {
    const rest = (n: string) => String(Math.floor(Number(n) / 10 ** i));
    const m = /^\w+ (\d+) - (\d+): (\d) - (\d) - [01]/.exec(line);
    assert.ok(m, line);
    assert.deepEqual([m[1], m[2]], [rest(a as string), rest(b as string)], line);
    // The column's digits are the last digits of the restated operands.
    assert.deepEqual([m[3], m[4]], [m[1]?.at(-1), m[2]?.at(-1)], line);
  });
  assert.throws(
    () => generateArithmetic({ trace: 'diagonal' as never }),
    /trace must be one of columns, shrinking, running, written; got diagonal/,
  );
});

test('the running trace ends each column line with the result digits so far, the last of them the answer', () => {
  const opts = { seed: 5, count: 200, minDigits: 3, maxDigits: 3, zhFraction: 0.5, ops: ['+', '-'] as const };
  const running = withColumns(opts, 'running').traced;
  let carries = 0;
  for (const ex of running) {
    const [, a, op, b] = /(\d+) ([+-]) (\d+)/.exec(ex.prompt) as RegExpExecArray;
    const full = String(op === '+' ? Number(a) + Number(b) : Number(a) - Number(b)).padStart(3, '0');
    const sofar = [...(ex.completion ?? '').matchAll(/(?:so far|目前) (\d+)/g)].map((m) => m[1]);
    // One line per column (and one for a final carry), each the low digits of the full result.
    const expected = [1, 2, 3, ...(full.length > 3 ? [4] : [])].map((k) => full.slice(-k));
    assert.deepEqual(sofar, expected, ex.prompt);
    assert.equal(Number(sofar.at(-1)), Number(ex.answer), ex.prompt);
    if (full.length > 3) carries++;
    // The written digit is in the running digits only, and the operands shrink as in `shrinking`.
    assert.doesNotMatch(ex.completion ?? '', /= \d+, write|= \d+，写/);
    const lines = (ex.completion ?? '')
      .split('\n')
      .filter((l) => /^(ones|tens|hundreds|个位|十位|百位) /.test(l));
    lines.forEach((line, i) => {
      const rest = (n: string) => String(Math.floor(Number(n) / 10 ** i));
      assert.ok(line.includes(`${rest(a as string)} ${op} ${rest(b as string)}`), line);
    });
  }
  assert.ok(carries > 10, 'some sums carry into a fourth digit');
});

test('the written trace writes every column digit, subtraction included, and they read back to the answer', () => {
  const opts = { seed: 6, count: 200, minDigits: 3, maxDigits: 3, zhFraction: 0.5, ops: ['+', '-'] as const };
  const { columns, traced: written } = withColumns(opts, 'written');
  let subtractions = 0;
  for (const [i, ex] of written.entries()) {
    const text = ex.completion ?? '';
    // Each column line states its digit after `=` and writes the same digit.
    const cols = [...text.matchAll(/= (\d+)[,，] ?(?:write|写) (\d)[,，]/g)];
    assert.equal(cols.length, 3, ex.prompt);
    for (const m of cols) assert.equal(m[2], String(Number(m[1]) % 10), m[0]);
    const carry = /(?:final carry|最高位写) (\d)/.exec(text)?.[1] ?? '';
    const readBack =
      carry +
      cols
        .map((m) => m[2])
        .reverse()
        .join('');
    assert.equal(Number(readBack), Number(ex.answer), ex.prompt);
    if (ex.prompt.includes(' - ')) {
      subtractions++;
      // The same lines as the columns trace, with the written digit added.
      assert.equal(text.replace(/(?:write|写) \d[,，] ?/g, ''), columns[i]?.completion, ex.prompt);
    } else assert.equal(text, columns[i]?.completion, ex.prompt);
  }
  assert.ok(subtractions > 50, String(subtractions));
});

test('every column step of an addition trace is arithmetically right', () => {
  const [ex] = generateArithmetic({
    seed: 1,
    count: 1,
    ops: ['+'],
    zhFraction: 0,
    minDigits: 3,
    maxDigits: 3,
  });
  const steps = [...(ex?.completion ?? '').matchAll(/(\d) \+ (\d) \+ (\d) = (\d+), write (\d), carry (\d)/g)];
  assert.ok(steps.length >= 3);
  for (const s of steps) {
    const sum = Number(s[1]) + Number(s[2]) + Number(s[3]);
    assert.equal(Number(s[4]), sum);
    assert.equal(Number(s[5]), sum % 10);
    assert.equal(Number(s[6]), sum >= 10 ? 1 : 0);
  }
});

test('the Chinese share follows zhFraction and Chinese examples reason in Chinese', () => {
  const all = generateArithmetic({ seed: 2, count: 400, zhFraction: 0.5 });
  const zh = all.filter((e) => e.language === 'zh');
  assert.ok(zh.length > 150 && zh.length < 250, String(zh.length));
  assert.match(zh[0]?.completion ?? '', /个位/);
  assert.match(zh[0]?.prompt ?? '', /^计算/);
  assert.equal(generateArithmetic({ count: 30, zhFraction: 0 }).filter((e) => e.language === 'zh').length, 0);
});

test('bad generator options are rejected', () => {
  assert.throws(() => generateArithmetic({ minDigits: 0 }), /minDigits/);
  assert.throws(() => generateArithmetic({ ops: [] }), /ops/);
});

test('GSM8K references give their final number without thousands separators', () => {
  assert.equal(gsm8kAnswer('She makes 9 * 2 = $18.\n#### 18'), '18');
  assert.equal(gsm8kAnswer('so\n#### 1,234'), '1234');
  assert.equal(gsm8kAnswer('no marker'), null);
});

test('the shared GSM8K test split parses into 1319 prompts with numeric answers', () => {
  const file = path.resolve(import.meta.dirname, '../../../../shared/data/gsm8k/test.jsonl');
  const rows = parseJsonl(fs.readFileSync(file, 'utf8'), 'gsm8k');
  assert.equal(rows.length, 1319);
  assert.equal(rows[0]?.answer, '18');
  assert.ok(
    rows.every((r) => /^-?[\d.]+$/.test(r.answer)),
    'every GSM8K answer is a number',
  );
});

test('JSONL errors name the line and the field', () => {
  assert.throws(
    () => parseJsonl('{"prompt":"a","answer":"1"}\n{"prompt":"b"}', 'f.jsonl'),
    (e: unknown) => e instanceof DatasetError && e.field === 'f.jsonl:2.answer',
  );
  assert.throws(() => parseJsonl('{oops', 'f.jsonl'), /f.jsonl:1: not valid JSON/);
  assert.throws(() => parseJsonl('[1]', 'f.jsonl'), /must be a JSON object/);
});
