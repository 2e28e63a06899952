import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Semaphore } from '../src/routes/sandbox-run.js';
import { buildTestRewardApp } from './helpers/app.js';

test('POST /v1/sandbox/run runs JavaScript and Python and reports each limit as its status', async (t) => {
  const app = await buildTestRewardApp({ sandboxConcurrency: 2 });
  t.after(() => app.close());
  const run = async (payload: Record<string, unknown>) => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/sandbox/run',
      payload: { language: 'javascript', ...payload },
    });
    return { status: res.statusCode, body: res.json() };
  };
  const ok = await run({ code: 'console.log(6*7)' });
  assert.equal(ok.status, 200);
  assert.equal(ok.body.status, 'ok');
  assert.equal(ok.body.stdout, '42\n');
  assert.ok(ok.body.queueMs >= 0 && ok.body.wallMs > 0);
  const err = await run({ code: 'throw new TypeError("bad")' });
  assert.equal(err.body.status, 'error');
  assert.deepEqual(err.body.error, { name: 'TypeError', message: 'bad' });
  assert.equal((await run({ code: 'for(;;){}', timeoutMs: 100 })).body.status, 'timeout');
  assert.equal(
    (await run({ code: 'console.log("x".repeat(100))', maxOutputChars: 10 })).body.status,
    'output_limit',
  );
  const py = await run({ language: 'python', code: 'print(6*7)', timeoutMs: 30_000 });
  assert.equal(py.status, 200);
  assert.equal(py.body.status, 'ok');
  assert.equal(py.body.stdout, '42\n');
  const pyErr = await run({ language: 'python', code: '1/0', timeoutMs: 30_000 });
  assert.equal(pyErr.body.status, 'error');
  assert.equal(pyErr.body.error.name, 'ZeroDivisionError');
  const other = await run({ language: 'ruby', code: 'puts 1' });
  assert.equal(other.status, 400);
  assert.equal(other.body.error.field, 'language');
  const bad = await run({ code: 'x', timeoutMs: 10_000_000 });
  assert.equal(bad.status, 400);
});

test('the sandbox semaphore holds at most its limit and refuses past its queue', async () => {
  const s = new Semaphore(2, 1);
  assert.equal(await s.acquire(), true);
  assert.equal(await s.acquire(), true);
  let third = false;
  const waiting = s.acquire().then((v) => {
    third = v;
  });
  assert.equal(s.queued, 1);
  assert.equal(await s.acquire(), false); // queue full
  await new Promise((r) => setImmediate(r));
  assert.equal(third, false);
  s.release();
  await waiting;
  assert.equal(third, true);
  assert.equal(s.running, 2);
  s.release();
  s.release();
  assert.equal(s.running, 0);
});
