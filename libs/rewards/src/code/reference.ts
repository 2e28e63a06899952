/** One sandbox run derived from an item's reference, and how to judge its result. */
export type CodeTest =
  | { kind: 'program'; testCode: string }
  | { kind: 'stdio'; input: string; output: string }
  | { kind: 'call'; fnName: string; args: unknown[]; expected: unknown };

export type ParsedReference = { ok: true; tests: CodeTest[] } | { ok: false; field: string; message: string };

/** A dotted JS identifier path, e.g. `solve` or `Solution.twoSum`; anything else could inject code. */
const FN_NAME = /^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*$/;
/** Python: a function name, or `Class.method` (called on a fresh `Class()`, LeetCode's `class Solution`). */
const PY_FN_NAME = /^[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)?$/;
const PY_IDENT = /^[A-Za-z_]\w*$/;
/** Top-level pytest-style test functions (`def test_…(`), in definition order. */
const PYTEST_FN = /^def (test_\w*)\s*\(\s*\)/gm;

function bad(field: string, message: string): ParsedReference {
  return { ok: false, field: `reference.${field}`, message: `reference.${field} ${message}` };
}

/**
 * Reads the three test formats of the public datasets:
 * - `{testCode}`: an assert-style program appended to the solution (HumanEval / MultiPL-E JS);
 * - `{cases: [{input, output}]}`: stdin/stdout pairs (APPS / CodeContests);
 * - `{fnName, cases: [{args, expected}]}`: function calls compared by deep equality.
 */
export function parseReference(
  ref: unknown,
  maxTests: number,
  language: 'javascript' | 'typescript' | 'python' = 'javascript',
): ParsedReference {
  if (ref === null || typeof ref !== 'object' || Array.isArray(ref)) {
    return {
      ok: false,
      field: 'reference',
      message: 'reference must be an object with testCode, or cases (with fnName for function calls)',
    };
  }
  const r = ref as Record<string, unknown>;
  const py = language === 'python';
  for (const k of ['entryPoint', 'testList', 'testSetupCode', 'pytestCode'] as const) {
    if (r[k] !== undefined && !py) return bad(k, 'is only supported for python');
  }
  if (py && r.pytestCode !== undefined) {
    if (typeof r.pytestCode !== 'string' || !r.pytestCode.trim())
      return bad('pytestCode', 'must be a non-empty string');
    const names = [...r.pytestCode.matchAll(PYTEST_FN)].map((m) => m[1] as string);
    if (names.length === 0) return bad('pytestCode', 'has no top-level test function (def test_…():)');
    if (names.length > maxTests)
      return bad('pytestCode', `has ${names.length} test functions, more than maxTests ${maxTests}`);
    const code = r.pytestCode;
    return { ok: true, tests: names.map((n) => ({ kind: 'program', testCode: `${code}\n${n}()\n` })) };
  }
  if (py && r.testList !== undefined) {
    if (!Array.isArray(r.testList) || r.testList.length === 0)
      return bad('testList', 'must be a non-empty array of assert statements');
    if (r.testList.length > maxTests)
      return bad('testList', `has ${r.testList.length} tests, more than maxTests ${maxTests}`);
    const setup = r.testSetupCode ?? '';
    if (typeof setup !== 'string') return bad('testSetupCode', 'must be a string');
    const tests: CodeTest[] = [];
    for (const [i, t] of r.testList.entries()) {
      if (typeof t !== 'string' || !t.trim()) return bad(`testList[${i}]`, 'must be a non-empty string');
      tests.push({ kind: 'program', testCode: setup ? `${setup}\n${t}` : t });
    }
    return { ok: true, tests };
  }
  if (r.testCode !== undefined) {
    if (typeof r.testCode !== 'string' || !r.testCode.trim())
      return bad('testCode', 'must be a non-empty string');
    let testCode = r.testCode;
    if (r.entryPoint !== undefined) {
      if (typeof r.entryPoint !== 'string' || !PY_IDENT.test(r.entryPoint))
        return bad('entryPoint', 'must be a Python identifier (HumanEval entry_point)');
      testCode += `\ncheck(${r.entryPoint})\n`;
    }
    return { ok: true, tests: [{ kind: 'program', testCode }] };
  }
  if (!Array.isArray(r.cases)) return bad('cases', 'must be an array (or give testCode)');
  if (r.cases.length === 0) return bad('cases', 'must not be empty');
  if (r.cases.length > maxTests)
    return bad('cases', `has ${r.cases.length} cases, more than maxTests ${maxTests}`);
  const tests: CodeTest[] = [];
  if (r.fnName !== undefined) {
    if (typeof r.fnName !== 'string' || !(py ? PY_FN_NAME : FN_NAME).test(r.fnName))
      return bad(
        'fnName',
        py ? 'must be a Python identifier or Class.method' : 'must be a JavaScript identifier or dotted path',
      );
    for (const [i, c] of r.cases.entries()) {
      const cs = c as Record<string, unknown> | null;
      if (!cs || typeof cs !== 'object') return bad(`cases[${i}]`, 'must be an object {args, expected}');
      if (!Array.isArray(cs.args)) return bad(`cases[${i}].args`, 'must be an array of arguments');
      if (!('expected' in cs)) return bad(`cases[${i}].expected`, 'is required');
      tests.push({ kind: 'call', fnName: r.fnName, args: cs.args, expected: cs.expected });
    }
    return { ok: true, tests };
  }
  for (const [i, c] of r.cases.entries()) {
    const cs = c as Record<string, unknown> | null;
    if (!cs || typeof cs !== 'object') return bad(`cases[${i}]`, 'must be an object {input, output}');
    if (typeof cs.input !== 'string') return bad(`cases[${i}].input`, 'must be a string');
    if (typeof cs.output !== 'string') return bad(`cases[${i}].output`, 'must be a string');
    tests.push({ kind: 'stdio', input: cs.input, output: cs.output });
  }
  return { ok: true, tests };
}

/** APPS/CodeContests comparison: trailing whitespace of each line and trailing blank lines are ignored. */
export function normalizeOutput(s: string): string {
  return s
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((l) => l.trimEnd())
    .join('\n')
    .replace(/\n+$/, '');
}

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
/** Absolute and relative tolerance for numbers in stdout comparison. */
export const OUTPUT_NUMBER_TOLERANCE = 1e-6;

/**
 * LiveCodeBench-style stdout comparison (used for Python): line endings normalised, trailing
 * whitespace of each line and trailing blank lines ignored, line counts must match; two lines
 * match when equal, or when they have the same number of whitespace-separated tokens and each
 * pair of tokens is equal or both parse as numbers within OUTPUT_NUMBER_TOLERANCE (absolute or
 * relative). No lower-casing, no token-set shortcuts.
 */
export function outputsMatch(got: string, want: string): boolean {
  const a = normalizeOutput(got).split('\n');
  const b = normalizeOutput(want).split('\n');
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as string;
    const y = b[i] as string;
    if (x === y) continue;
    const xs = x.trim().split(/\s+/);
    const ys = y.trim().split(/\s+/);
    if (xs.length !== ys.length) return false;
    for (let j = 0; j < xs.length; j++) {
      const p = xs[j] as string;
      const q = ys[j] as string;
      if (p === q) continue;
      if (!NUMBER.test(p) || !NUMBER.test(q)) return false;
      const u = Number(p);
      const v = Number(q);
      const diff = Math.abs(u - v);
      if (!(diff <= OUTPUT_NUMBER_TOLERANCE || diff <= OUTPUT_NUMBER_TOLERANCE * Math.abs(v))) return false;
    }
  }
  return true;
}
