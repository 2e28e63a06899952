/** One sandbox run derived from an item's reference, and how to judge its result. */
export type CodeTest =
  | { kind: 'program'; testCode: string }
  | { kind: 'stdio'; input: string; output: string }
  | { kind: 'call'; fnName: string; args: unknown[]; expected: unknown };

export type ParsedReference = { ok: true; tests: CodeTest[] } | { ok: false; field: string; message: string };

/** A dotted JS identifier path, e.g. `solve` or `Solution.twoSum`; anything else could inject code. */
const FN_NAME = /^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*$/;

function bad(field: string, message: string): ParsedReference {
  return { ok: false, field: `reference.${field}`, message: `reference.${field} ${message}` };
}

/**
 * Reads the three test formats of the public datasets:
 * - `{testCode}`: an assert-style program appended to the solution (HumanEval / MultiPL-E JS);
 * - `{cases: [{input, output}]}`: stdin/stdout pairs (APPS / CodeContests);
 * - `{fnName, cases: [{args, expected}]}`: function calls compared by deep equality.
 */
export function parseReference(ref: unknown, maxTests: number): ParsedReference {
  if (ref === null || typeof ref !== 'object' || Array.isArray(ref)) {
    return {
      ok: false,
      field: 'reference',
      message: 'reference must be an object with testCode, or cases (with fnName for function calls)',
    };
  }
  const r = ref as Record<string, unknown>;
  if (r.testCode !== undefined) {
    if (typeof r.testCode !== 'string' || !r.testCode.trim())
      return bad('testCode', 'must be a non-empty string');
    return { ok: true, tests: [{ kind: 'program', testCode: r.testCode }] };
  }
  if (!Array.isArray(r.cases)) return bad('cases', 'must be an array (or give testCode)');
  if (r.cases.length === 0) return bad('cases', 'must not be empty');
  if (r.cases.length > maxTests)
    return bad('cases', `has ${r.cases.length} cases, more than maxTests ${maxTests}`);
  const tests: CodeTest[] = [];
  if (r.fnName !== undefined) {
    if (typeof r.fnName !== 'string' || !FN_NAME.test(r.fnName))
      return bad('fnName', 'must be a JavaScript identifier or dotted path');
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
