import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { SandboxError, SandboxPool } from '../src/index.js';

const pool = new SandboxPool({ workers: 2 });
after(() => pool.close());

test('a program that runs to its end is ok and its console output is captured', async () => {
  const r = await pool.run({
    code: "console.log('hi', [1, 2], { a: 'x' }, null, 3n); console.error('warn %d', 7);",
  });
  assert.equal(r.status, 'ok');
  assert.equal(r.stdout, "hi [ 1, 2 ] { a: 'x' } null 3n\n");
  assert.equal(r.stderr, 'warn 7\n');
  assert.equal(r.exitCode, null);
  assert.ok(r.cpuMs !== null && r.cpuMs >= 0);
});

test('an uncaught exception is an error with its name and message', async () => {
  const r = await pool.run({ code: 'null.x;' });
  assert.equal(r.status, 'error');
  assert.equal(r.error?.name, 'TypeError');
  assert.match(r.error?.message ?? '', /Cannot read properties of null/);
});

test('a syntax error is a compile_error with its location', async () => {
  const r = await pool.run({ code: 'function (' });
  assert.equal(r.status, 'compile_error');
  assert.equal(r.error?.name, 'SyntaxError');
  assert.match(r.error?.message ?? '', /main\.js:1/);
});

test('TypeScript is transpiled before it runs', async () => {
  const r = await pool.run({
    language: 'typescript',
    code: 'interface P { x: number }\nconst add = (a: P, b: P): number => a.x + b.x;\nconsole.log(add({ x: 2 }, { x: 3 }));',
  });
  assert.equal(r.status, 'ok', r.error?.message);
  assert.equal(r.stdout, '5\n');
});

test('TypeScript that does not parse is a compile_error naming main.ts', async () => {
  const r = await pool.run({ language: 'typescript', code: 'const x: = 1;' });
  assert.equal(r.status, 'compile_error');
  assert.match(r.error?.message ?? '', /main\.ts:1/);
});

test('an infinite loop is a timeout at the job limit', async () => {
  const r = await pool.run({ code: 'while (true) {}', timeoutMs: 200 });
  assert.equal(r.status, 'timeout');
  assert.ok(r.wallMs >= 190 && r.wallMs < 1500, `wallMs ${r.wallMs}`);
});

test('a CPU-time limit stricter than the wall-clock one ends a busy program as timeout', async () => {
  const r = await pool.run({
    code: 'const t = Date.now(); while (Date.now() - t < 300);',
    cpuTimeMs: 50,
    timeoutMs: 5000,
  });
  assert.equal(r.status, 'timeout');
  assert.match(r.error?.message ?? '', /CPU time limit of 50 ms/);
  const idle = await pool.run({
    code: 'setTimeout(() => console.log(1), 1e6);',
    cpuTimeMs: 50,
    timeoutMs: 5000,
  });
  assert.equal(idle.status, 'ok');
});

test('exhausting the heap is a memory status', async () => {
  const r = await pool.run({
    code: 'const a = []; for (;;) a.push(new Array(1e5).fill(1));',
    memoryLimitMb: 16,
    timeoutMs: 5000,
  });
  assert.equal(r.status, 'memory');
});

test('a 1e9-slot fill, which the isolate limit does not stop, ends as memory long before its deadline', async () => {
  // V8 grows the heap inside one builtin call, past isolated-vm's memoryLimit. On Node 24 the
  // pool's resident-memory bound kills the worker first (1-4 s); on Node 22 V8 aborts the worker
  // with its own out-of-memory report within a second. Either way: memory, not a timeout.
  const r = await pool.run({ code: 'new Array(1e9).fill(0);', memoryLimitMb: 32, timeoutMs: 30_000 });
  assert.equal(r.status, 'memory');
  assert.match(r.error?.message ?? '', /past this job's bound of \d+ MiB|out of memory/);
  // Node 24's V8 lets the heap reach about 1.4 GB before aborting: the bound is what stops it.
  if (Number(process.versions.node.split('.')[0]) >= 24)
    assert.match(r.error?.message ?? '', /past this job's bound of \d+ MiB/);
  assert.ok(r.wallMs < 20_000, `took ${r.wallMs} ms`);
});

test('process.version in the sandbox is the version of the Node that runs it', async () => {
  const r = await pool.run({ code: 'console.log(process.version, process.versions.node)' });
  assert.equal(r.status, 'ok');
  assert.equal(r.stdout, `${process.version} ${process.versions.node}\n`);
});

test('a bad rssSlackMb is rejected naming the option', () => {
  assert.throws(
    () => new SandboxPool({ workers: 1, rssSlackMb: 2 }),
    (e: unknown) => e instanceof SandboxError && e.message.includes('rssSlackMb'),
  );
});

test('too much output is output_limit and keeps exactly the cap', async () => {
  const r = await pool.run({ code: "for (;;) console.log('abcdefghi');", maxOutputChars: 1000 });
  assert.equal(r.status, 'output_limit');
  assert.equal(r.stdout.length, 1000);
});

test('process.exit(0) ends the program as ok, a non-zero code is an error', async () => {
  const r0 = await pool.run({ code: "console.log('a'); process.exit(0); console.log('b');" });
  assert.equal(r0.status, 'ok');
  assert.equal(r0.stdout, 'a\n');
  assert.equal(r0.exitCode, 0);
  const r1 = await pool.run({ code: 'process.exit(2);' });
  assert.equal(r1.status, 'error');
  assert.equal(r1.exitCode, 2);
});

test('the epilogue reports completion and the JSON of the result expression', async () => {
  const r = await pool.run({
    code: 'function f(a, b) { return { s: a + b, l: [a, b] }; }',
    epilogue: { resultExpression: 'f(1, 2)' },
  });
  assert.equal(r.status, 'ok');
  assert.equal(r.completed, true);
  assert.deepEqual(JSON.parse(r.value ?? 'null'), { s: 3, l: [1, 2] });
});

test('a promise returned by the result expression is awaited', async () => {
  const r = await pool.run({
    code: 'async function f() { await null; return 42; }',
    epilogue: { resultExpression: 'f()' },
  });
  assert.equal(r.value, '42');
});

test('a program that exits before the epilogue is not completed', async () => {
  const r = await pool.run({ code: 'process.exit(0);', epilogue: {} });
  assert.equal(r.status, 'ok');
  assert.equal(r.completed, false);
});

test('a killed worker is reported as crash and replaced, and the pool keeps answering', async (t) => {
  const solo = new SandboxPool({ workers: 1 });
  t.after(() => solo.close());
  await solo.ready();
  const [pid] = solo.workerPids();
  const running = solo.run({ code: 'while (true) {}', timeoutMs: 10_000 });
  setTimeout(() => process.kill(pid as number, 'SIGKILL'), 200);
  const r = await running;
  assert.equal(r.status, 'crash');
  const next = await solo.run({ code: 'console.log(6 * 7)' });
  assert.equal(next.stdout, '42\n');
  assert.equal(solo.stats().restarts, 1);
});

test('a worker that stops answering is killed at timeout + grace and its job is a timeout', async (t) => {
  const solo = new SandboxPool({ workers: 1, graceMs: 100 });
  t.after(() => solo.close());
  await solo.ready();
  const [pid] = solo.workerPids();
  const running = solo.run({ code: 'while (true) {}', timeoutMs: 1000 });
  // A stopped process cannot run isolated-vm's own timer: only the supervisor can end it.
  setTimeout(() => process.kill(pid as number, 'SIGSTOP'), 100);
  const slow = await solo.run({ code: '1', timeoutMs: 300 }).catch((e: Error) => e);
  const r = await running;
  assert.equal(r.status, 'timeout');
  assert.match(r.error?.message ?? '', /worker was killed/);
  assert.ok(!(slow instanceof Error));
  const after = await solo.run({ code: "console.log('alive')" });
  assert.equal(after.stdout, 'alive\n');
});

test('a full queue rejects with GRPO_SANDBOX_QUEUE_FULL', async (t) => {
  const small = new SandboxPool({ workers: 1, maxQueue: 2 });
  t.after(() => small.close());
  await small.ready();
  const accepted = [0, 1, 2].map(() => small.run({ code: 'for (let i = 0; i < 1e6; i++);' }));
  await assert.rejects(
    small.run({ code: '1' }),
    (e: unknown) => e instanceof SandboxError && e.code === 'GRPO_SANDBOX_QUEUE_FULL',
  );
  const done = await Promise.all(accepted);
  assert.deepEqual(
    done.map((r) => r.status),
    ['ok', 'ok', 'ok'],
  );
});

test('a bad limit is rejected with GRPO_SANDBOX_BAD_JOB naming the field', async () => {
  await assert.rejects(
    pool.run({ code: '1', timeoutMs: 0 }),
    (e: unknown) => e instanceof SandboxError && e.code === 'GRPO_SANDBOX_BAD_JOB' && e.field === 'timeoutMs',
  );
  await assert.rejects(
    pool.run({ code: 1 as unknown as string }),
    (e: unknown) => e instanceof SandboxError && e.field === 'code',
  );
});

test('a closed pool rejects new jobs with GRPO_SANDBOX_CLOSED', async () => {
  const p = new SandboxPool({ workers: 1 });
  await p.close();
  await assert.rejects(
    p.run({ code: '1' }),
    (e: unknown) => e instanceof SandboxError && e.code === 'GRPO_SANDBOX_CLOSED',
  );
});

test('no state leaks from one job to the next on a warm isolate', async (t) => {
  const solo = new SandboxPool({ workers: 1 });
  t.after(() => solo.close());
  const polluter = `
globalThis.leak = 'x'; var leakVar = 1; Object.prototype.polluted = 1; Array.prototype.map = () => 'hijacked';
JSON.stringify = () => 'forged'; console.log = () => {}; Math.random = () => 4; Error.prepareStackTrace = () => 'st';
process.env.SECRET = 's'; setTimeout(() => { globalThis.late = 1; }, 1e9);`;
  const r1 = await solo.run({ code: polluter });
  assert.equal(r1.status, 'ok');
  const probe = `console.log(JSON.stringify([typeof leak, typeof leakVar, ({}).polluted, [1].map((x) => x + 1), Math.random() < 1,
    typeof new Error().stack, process.env.SECRET, typeof late]));`;
  const r2 = await solo.run({ code: probe });
  assert.equal(r2.stdout, '["undefined","undefined",null,[2],true,"string",null,"undefined"]\n');
});

test('timers run on a virtual clock in due order, microtasks first', async () => {
  const r = await pool.run({
    code: `setTimeout(() => console.log('c'), 50); setTimeout(() => console.log('b'), 10);
setImmediate(() => console.log('a')); Promise.resolve().then(() => console.log('p'));
let n = 0; const id = setInterval(() => { if (++n === 3) { clearInterval(id); console.log('i' + n); } }, 20);
setTimeout(() => console.log('never'), 10).toString(); clearTimeout(99);`,
  });
  assert.equal(r.stdout, 'p\na\nb\nnever\nc\ni3\n');
});

test('a worker recycles itself after many isolate calls and jobs keep succeeding', async (t) => {
  const solo = new SandboxPool({ workers: 1 });
  t.after(() => solo.close());
  const code = 'let n = 0; const id = setInterval(() => { if (++n === 9000) clearInterval(id); }, 1);';
  for (let i = 0; i < 7; i++) assert.equal((await solo.run({ code })).status, 'ok');
  assert.equal(solo.stats().restarts, 1);
  assert.equal((await solo.run({ code: 'console.log(1)' })).stdout, '1\n');
});
