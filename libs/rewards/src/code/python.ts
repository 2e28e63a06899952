import { isDeepStrictEqual } from 'node:util';
import type { SandboxJob, SandboxTestResult, SandboxTestSpec } from '@grpo/sandbox';
import { type CodeTest, outputsMatch } from './reference.js';

/** How a `call` test is evaluated in Python: `f(*args)`, or `Class().method(*args)` for `Class.method`. */
function callExpression(fnName: string, args: unknown[]): string {
  const [head, method] = fnName.split('.');
  const target = method ? `${head}().${method}` : (head as string);
  // A JSON string is a valid Python string literal; json.loads gives the arguments back as values.
  return `${target}(*__import__('json').loads(${JSON.stringify(JSON.stringify(args))}))`;
}

/** One sandbox job for all of an item's tests: one fresh interpreter per program. */
export function pythonJob(
  tests: CodeTest[],
  code: string,
  base: Omit<SandboxJob, 'code' | 'language'>,
): SandboxJob {
  const specs: SandboxTestSpec[] = tests.map((t) => {
    if (t.kind === 'program') return { code: t.testCode };
    if (t.kind === 'stdio') return { stdin: t.input };
    return { resultExpression: callExpression(t.fnName, t.args) };
  });
  return { ...base, code, language: 'python', tests: specs };
}

type EarlyStatus =
  | 'failed'
  | 'runtime_error'
  | 'compile_error'
  | 'timeout'
  | 'memory'
  | 'output_limit'
  | 'crash';

/**
 * The status of a sandbox run that did not finish normally (any language): a limit or a crash
 * keeps its own status; an uncaught AssertionError is a failed test, any other error a
 * runtime error. Null when the run ended normally and the caller judges its output.
 */
export function endedEarly(
  r: Pick<SandboxTestResult, 'status' | 'error'>,
  message: string | undefined,
): { status: EarlyStatus; message?: string } | null {
  switch (r.status) {
    case 'compile_error':
    case 'timeout':
    case 'memory':
    case 'output_limit':
    case 'crash':
      return message ? { status: r.status, message } : { status: r.status };
    case 'error':
      return {
        status: r.error?.name === 'AssertionError' ? 'failed' : 'runtime_error',
        message: message ?? 'error',
      };
  }
  return null;
}

/** Status of one Python test, decided on the host from what the sandbox reports. */
export function judgePythonTest(
  test: CodeTest,
  r: SandboxTestResult,
): { status: 'passed' | 'failed' | 'runtime_error' | SandboxTestResult['status']; message?: string } {
  const err = r.error
    ? `${r.error.name}: ${r.error.message}${r.error.traceback ? `\n${r.error.traceback}` : ''}`
    : undefined;
  const ended = endedEarly(r, err);
  if (ended) return ended;
  if (test.kind === 'stdio') {
    // A program may end with exit(0) after printing its answer; only its output counts.
    if (outputsMatch(r.stdout, test.output)) return { status: 'passed' };
    return {
      status: 'failed',
      message: `expected output ${JSON.stringify(test.output.slice(0, 200))}, got ${JSON.stringify(r.stdout.slice(0, 200))}`,
    };
  }
  if (!r.completed) return { status: 'failed', message: 'the program exited before the tests finished' };
  if (test.kind === 'program') return { status: 'passed' };
  let got: unknown;
  try {
    got = r.value === undefined ? null : JSON.parse(r.value);
  } catch {
    return { status: 'failed', message: `${test.fnName} returned a value that is not JSON: ${r.value}` };
  }
  if (isDeepStrictEqual(got, test.expected)) return { status: 'passed' };
  return {
    status: 'failed',
    message: `${test.fnName}(${JSON.stringify(test.args).slice(1, -1)}) returned ${r.value ?? 'None'}, expected ${JSON.stringify(test.expected)}`,
  };
}
