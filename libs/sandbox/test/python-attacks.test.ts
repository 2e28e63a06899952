import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { SandboxPool } from '@grpo/sandbox';
import { PYTHON_ATTACKS, SENTINEL_PATH } from './fixtures/python-attacks.js';

const SENTINEL = `sentinel ${process.pid}`;
/** What the os.system attack would create on the host if it ran. */
const PWNED = '/tmp/grpo-py-pwned';
let pool: SandboxPool;

before(async () => {
  writeFileSync(SENTINEL_PATH, SENTINEL);
  rmSync(PWNED, { force: true });
  pool = new SandboxPool({ workers: 2, bootPython: true });
  await pool.ready({ python: true });
});
after(async () => {
  await pool.close();
  rmSync(SENTINEL_PATH, { force: true });
});

test(`the corpus holds at least 60 hostile programs (${PYTHON_ATTACKS.length})`, () => {
  assert.ok(PYTHON_ATTACKS.length >= 60);
  assert.equal(new Set(PYTHON_ATTACKS.map((a) => a.name)).size, PYTHON_ATTACKS.length);
});

test('every hostile program ends with its expected status, and none makes `assert False` pass', async () => {
  const envBefore = JSON.stringify(process.env);
  const results = await Promise.all(
    PYTHON_ATTACKS.map(async (a) => {
      const r = await pool.run({
        language: 'python',
        code: a.code,
        // Expected timeouts get a short limit; the others a generous one (the machine is shared).
        timeoutMs: a.status === 'timeout' ? 500 : 5000,
        maxOutputChars: 10_000,
        tests: [{ code: a.test ?? 'assert False' }],
      });
      return { a, t: r.tests?.[0] };
    }),
  );
  const wrong = results
    .filter(({ a, t }) => t?.status !== a.status || (a.error !== undefined && t?.error?.name !== a.error))
    .map(
      ({ a, t }) =>
        `${a.name}: expected ${a.status}/${a.error ?? '-'}, got ${t?.status}/${t?.error?.name} ${t?.error?.message ?? ''}`,
    );
  assert.deepEqual(wrong, []);
  for (const { a, t } of results) assert.equal(t?.completed, false, `${a.name} must not complete the tests`);
  assert.equal(readFileSync(SENTINEL_PATH, 'utf8'), SENTINEL);
  assert.equal(existsSync(PWNED), false);
  assert.equal(JSON.stringify(process.env), envBefore);
});

test('after the corpus the pool still answers, with a fresh interpreter', async () => {
  const r = await pool.run({
    language: 'python',
    code: 'import sys\nprint(sys.getrecursionlimit(), "x" in dir())\nx = 1',
    tests: [{ stdin: '' }],
  });
  assert.equal(r.tests?.[0]?.status, 'ok');
  assert.equal(r.tests?.[0]?.stdout, '1000 False\n');
});
