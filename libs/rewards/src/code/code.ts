import { isDeepStrictEqual } from 'node:util';
import { getSandboxPool, type SandboxJob, type SandboxPool, type SandboxResult } from '@grpo/sandbox';
import { type Static, Type } from '@sinclair/typebox';
import type { RewardContext, RewardFunction, RewardItem, RewardResult } from '../types.js';
import { extractCode } from './extract.js';
import { endedEarly, judgePythonTest, pythonJob } from './python.js';
import { type CodeTest, normalizeOutput, parseReference } from './reference.js';

export const CodeParams = Type.Object(
  {
    scoring: Type.Union([Type.Literal('pass_rate'), Type.Literal('all_or_nothing')], {
      default: 'pass_rate',
      description: '`pass_rate`: share of tests passed; `all_or_nothing`: 1 only when every test passes.',
    }),
    language: Type.Union(
      [Type.Literal('auto'), Type.Literal('javascript'), Type.Literal('typescript'), Type.Literal('python')],
      {
        default: 'auto',
        description:
          '`auto` follows the code fence tag (ts/typescript → TypeScript, python/py → Python), JavaScript otherwise.',
      },
    ),
    timeoutMs: Type.Integer({
      minimum: 1,
      maximum: 60_000,
      default: 1000,
      description:
        'Wall-clock limit per test run; keep it under the reward service budget (itemTimeoutMs) so a hang is scored wrong, not error.',
    }),
    cpuTimeMs: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 60_000,
        description:
          'CPU-time limit per test run (default: only the wall-clock limit); fairer than wall time on a loaded machine.',
      }),
    ),
    memoryLimitMb: Type.Integer({
      minimum: 8,
      maximum: 1024,
      default: 64,
      description: 'Heap limit per test run.',
    }),
    maxOutputChars: Type.Integer({
      minimum: 0,
      maximum: 16 * 1024 * 1024,
      default: 64 * 1024,
      description: 'Cap on stdout + stderr per test run.',
    }),
    maxTests: Type.Integer({
      minimum: 1,
      maximum: 1000,
      default: 100,
      description: 'Most cases one reference may hold.',
    }),
  },
  { additionalProperties: false },
);
export type CodeParams = Static<typeof CodeParams>;

/** Outcome of one test. */
export type CodeTestStatus =
  | 'passed'
  | 'failed'
  | 'runtime_error'
  | 'timeout'
  | 'memory'
  | 'output_limit'
  | 'compile_error'
  | 'crash';

export interface CodeTestReport {
  index: number;
  status: CodeTestStatus;
  /** Assertion message, error, or output mismatch (capped at MAX_MESSAGE_CHARS). */
  message?: string;
  wallMs: number;
}

const MAX_MESSAGE_CHARS = 1000;
const clip = (s: string) => (s.length > MAX_MESSAGE_CHARS ? `${s.slice(0, MAX_MESSAGE_CHARS)}…` : s);

function jobFor(
  test: CodeTest,
  code: string,
  p: CodeParams,
  language: SandboxJob['language'],
  timeoutMs: number,
) {
  const base: Omit<SandboxJob, 'code'> = {
    language,
    timeoutMs,
    memoryLimitMb: p.memoryLimitMb,
    maxOutputChars: p.maxOutputChars,
  };
  if (p.cpuTimeMs !== undefined) base.cpuTimeMs = p.cpuTimeMs;
  switch (test.kind) {
    case 'program':
      // The tests go in a block so their top-level `const assert = …` / `function test()` do not
      // clash with the same names declared by a solution that brought its own checks.
      return { ...base, code: `${code}\n;{\n${test.testCode}\n}`, epilogue: {} };
    case 'stdio':
      return { ...base, code, stdin: test.input };
    case 'call':
      return {
        ...base,
        code,
        epilogue: { resultExpression: `${test.fnName}(...${JSON.stringify(test.args)})` },
      };
  }
}

/** Maps a sandbox result to a test status; the host decides pass/fail for stdio and calls. */
export function judge(test: CodeTest, r: SandboxResult): { status: CodeTestStatus; message?: string } {
  const ended = endedEarly(r, r.error ? `${r.error.name}: ${r.error.message}` : undefined);
  if (ended) return ended;
  if (test.kind === 'program') {
    if (r.completed) return { status: 'passed' };
    return { status: 'failed', message: 'the program exited before the tests finished' };
  }
  if (test.kind === 'stdio') {
    const got = normalizeOutput(r.stdout);
    const want = normalizeOutput(test.output);
    if (got === want) return { status: 'passed' };
    return {
      status: 'failed',
      message: `expected output ${JSON.stringify(want)}, got ${JSON.stringify(got)}`,
    };
  }
  if (!r.completed) return { status: 'failed', message: 'the call did not complete' };
  const got: unknown = r.value === undefined ? undefined : JSON.parse(r.value);
  // JSON (the datasets' format) has no undefined; a function that returns nothing matches null.
  if (isDeepStrictEqual(got, test.expected) || (got === undefined && test.expected === null))
    return { status: 'passed' };
  return {
    status: 'failed',
    message: `${test.fnName}(${JSON.stringify(test.args).slice(1, -1)}) returned ${r.value ?? 'undefined'}, expected ${JSON.stringify(test.expected)}`,
  };
}

/** Scores a completion against its tests; `pool` is the shared sandbox pool unless given. */
export async function scoreCode(
  item: RewardItem,
  p: CodeParams,
  ctx: RewardContext = {},
  pool: SandboxPool = getSandboxPool(),
): Promise<RewardResult> {
  const extracted = extractCode(item.completion);
  const language = p.language === 'auto' ? (extracted?.tagLanguage ?? 'javascript') : p.language;
  const parsed = parseReference(item.reference, p.maxTests, language);
  if (!parsed.ok)
    return {
      score: 0,
      status: 'error',
      reason: 'bad_reference',
      details: { field: parsed.field, message: parsed.message },
    };
  if (!extracted) return { score: 0, status: 'unparseable', reason: 'no_code' };
  if (ctx.signal?.aborted) return { score: 0, status: 'error', reason: 'aborted' };

  let timeoutMs = p.timeoutMs;
  let clipped = false;
  if (ctx.deadlineMs !== undefined) {
    const left = Math.floor(ctx.deadlineMs - Date.now());
    if (left < 1) return { score: 0, status: 'error', reason: 'timeout' };
    if (left < timeoutMs) {
      timeoutMs = left;
      clipped = true;
    }
  }

  let judged: { status: CodeTestStatus; message?: string; wallMs: number }[];
  try {
    if (language === 'python') {
      const base: Omit<SandboxJob, 'code' | 'language'> = {
        timeoutMs,
        memoryLimitMb: p.memoryLimitMb,
        maxOutputChars: p.maxOutputChars,
      };
      const r = await pool.run(pythonJob(parsed.tests, extracted.code, base));
      const per = r.tests ?? [];
      judged = parsed.tests.map((t, i) => {
        const tr = per[i];
        if (!tr) return { status: 'crash', message: 'no result for this test', wallMs: 0 };
        return { ...judgePythonTest(t, tr), wallMs: tr.wallMs } as {
          status: CodeTestStatus;
          message?: string;
          wallMs: number;
        };
      });
    } else {
      const results: SandboxResult[] = await Promise.all(
        parsed.tests.map((t) => pool.run(jobFor(t, extracted.code, p, language, timeoutMs))),
      );
      judged = results.map((r, i) => ({ ...judge(parsed.tests[i] as CodeTest, r), wallMs: r.wallMs }));
    }
  } catch (e) {
    const code = (e as { code?: string }).code ?? 'unknown';
    return {
      score: 0,
      status: 'error',
      reason: code === 'GRPO_SANDBOX_QUEUE_FULL' ? 'queue_full' : 'sandbox_unavailable',
      details: { code, message: e instanceof Error ? e.message : String(e) },
    };
  }

  const tests: CodeTestReport[] = judged.map((j, index) => {
    const report: CodeTestReport = { index, status: j.status, wallMs: Math.round(j.wallMs * 100) / 100 };
    if (j.message !== undefined) report.message = clip(j.message);
    return report;
  });
  const passed = tests.filter((t) => t.status === 'passed').length;
  const total = tests.length;
  const details = { language, source: extracted.source, passed, total, tests };
  // A timeout caused by the request's deadline (not by the per-test limit) is not the model's fault.
  if (clipped && tests.some((t) => t.status === 'timeout'))
    return { score: 0, status: 'error', reason: 'timeout', details };
  if (passed === total) return { score: 1, status: 'ok', details };
  const score = p.scoring === 'all_or_nothing' ? 0 : passed / total;
  const firstBad = tests.find((t) => t.status !== 'passed') as CodeTestReport;
  return { score, status: 'wrong', reason: firstBad.status, details };
}

export const codeReward: RewardFunction<CodeParams> = {
  name: 'code',
  description:
    'Runs the JavaScript/TypeScript/Python program extracted from the completion (last js/ts/python fenced block, last block, or the whole answer) ' +
    'in an isolated V8 sandbox (Python: CPython/pyodide inside it) against the reference tests: an assert-style test program `{testCode}` (HumanEval/MultiPL-E; Python: with `entryPoint`, or MBPP `{testList, testSetupCode}`, or pytest-style `{pytestCode}`), ' +
    'stdin/stdout cases `{cases: [{input, output}]}`, or function calls `{fnName, cases: [{args, expected}]}`. ' +
    'Score: pass rate or all-or-nothing; details list each test as passed, failed, runtime_error, timeout, memory, output_limit, compile_error or crash.',
  params: CodeParams,
  kind: 'async',
  score: (item, params, ctx) => scoreCode(item, params, ctx),
};
