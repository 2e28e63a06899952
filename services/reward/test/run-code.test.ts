import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { RunCodeResponse } from '@grpo/contracts';
import type { KitApp } from '@grpo/service-kit';
import { buildRewardServer, loadRewardConfig } from '../src/index.js';

let app: KitApp;
before(async () => {
  process.env.GRPO_SANDBOX_WORKERS = '1';
  process.env.GRPO_SANDBOX_BOOT_PYTHON = '1';
  const config = loadRewardConfig({ workers: 1, logLevel: 'silent' }, {});
  app = await buildRewardServer({ config, logger: false, defaultMetrics: false });
});
after(() => app.close());

async function runCode(payload: string): Promise<RunCodeResponse> {
  const res = await app.inject({
    method: 'POST',
    url: '/run_code',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    payload,
  });
  assert.equal(res.statusCode, 200, res.body);
  return res.json();
}

// The exact body verl's sandbox_fusion utils (call_sandbox_api) sends: json.dumps of
// compile_timeout, run_timeout, code, stdin, memory_limit_MB, language, files, fetch_files.
const verlBody = (code: string, stdin: string | null) =>
  JSON.stringify({
    compile_timeout: 10,
    run_timeout: 10,
    code,
    stdin,
    memory_limit_MB: 1024,
    language: 'python',
    files: {},
    fetch_files: [],
  });

test("verl's sandbox_fusion request: a correct stdin program answers Success with its stdout", async () => {
  const r = await runCode(verlBody('a, b = map(int, input().split())\nprint(a + b)\n', '2 3\n'));
  assert.equal(r.status, 'Success');
  assert.equal(r.compile_result, null);
  assert.equal(r.run_result?.status, 'Finished');
  assert.equal(r.run_result?.return_code, 0);
  assert.equal(r.run_result?.stdout, '5\n');
  assert.equal(typeof r.run_result?.execution_time, 'number');
  assert.deepEqual(r.files, {});
});

test("verl's request with stdin null, a runtime error: Failed with the traceback on stderr", async () => {
  const r = await runCode(verlBody('print(1)\nx = [][1]\n', null));
  assert.equal(r.status, 'Failed');
  assert.equal(r.run_result?.status, 'Finished');
  assert.equal(r.run_result?.return_code, 1);
  assert.equal(r.run_result?.stdout, '1\n');
  assert.match(
    r.run_result?.stderr ?? '',
    /Traceback \(most recent call last\):[\s\S]*IndexError: list index out of range/,
  );
});

test('a program over run_timeout answers TimeLimitExceeded; sys.exit(3) gives return_code 3', async () => {
  const slow = await runCode(
    JSON.stringify({ code: 'while True: pass', language: 'python', run_timeout: 0.3 }),
  );
  assert.equal(slow.status, 'Failed');
  assert.equal(slow.run_result?.status, 'TimeLimitExceeded');
  const exit = await runCode(JSON.stringify({ code: 'import sys\nsys.exit(3)', language: 'python' }));
  assert.equal(exit.status, 'Failed');
  assert.equal(exit.run_result?.return_code, 3);
});

test('nodejs and typescript run too; an unknown language is a 400 naming the field', async () => {
  const js = await runCode(JSON.stringify({ code: 'console.log(6 * 7)', language: 'nodejs' }));
  assert.equal(js.run_result?.stdout, '42\n');
  const ts = await runCode(
    JSON.stringify({ code: 'const n: number = 2; console.log(n)', language: 'typescript' }),
  );
  assert.equal(ts.status, 'Success');
  const res = await app.inject({
    method: 'POST',
    url: '/run_code',
    payload: { code: 'x', language: 'cobol' },
  });
  assert.equal(res.statusCode, 400);
  assert.match(res.body, /language/);
});
