import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { test } from 'node:test';
import { mapChoice, OpenAIEngine, parseTokenId } from '../src/index.js';

async function closedPort(): Promise<string> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(`http://127.0.0.1:${port}`));
    });
  });
}

test("vLLM's token_id:<n> strings map to token ids; anything else is a 502 naming the field", () => {
  assert.equal(parseTokenId('token_id:0', 'f'), 0);
  assert.equal(parseTokenId('token_id:151643', 'f'), 151643);
  assert.throws(
    () => parseTokenId('hello', 'choices[0].logprobs.tokens[3]'),
    (e: unknown) => {
      const err = e as { code: string; statusCode: number; field: string };
      return (
        err.code === 'GRPO_ROLLOUT_UPSTREAM' &&
        err.statusCode === 502 &&
        err.field === 'choices[0].logprobs.tokens[3]'
      );
    },
  );
});

test('an upstream choice maps into a completion; a missing or null logprob is a 502', () => {
  const c = mapChoice(
    {
      index: 0,
      text: 'ab',
      finish_reason: 'stop',
      stop_reason: 7,
      logprobs: { tokens: ['token_id:3', 'token_id:4', 'token_id:7'], token_logprobs: [-1.5, -0.25, -3] },
    },
    'c',
  );
  assert.deepEqual(c.tokenIds, [3, 4, 7]);
  assert.deepEqual(c.logprobs, [-1.5, -0.25, -3]);
  assert.throws(
    () =>
      mapChoice(
        {
          index: 0,
          text: '',
          finish_reason: 'stop',
          logprobs: { tokens: ['token_id:1'], token_logprobs: [null] },
        },
        'c',
      ),
    /upstream logprob is null/,
  );
  assert.equal(c.finishReason, 'stop');
  assert.equal(c.stopReason, 7);
  assert.throws(
    () => mapChoice({ index: 0, text: '', finish_reason: 'length', logprobs: null }, 'c'),
    /no per-token logprobs/,
  );
});

test('when every upstream is down the call fails after all retries with each cause, and they are marked unhealthy', async () => {
  const urls = [await closedPort(), await closedPort()];
  const engine = new OpenAIEngine({
    upstreams: urls,
    model: 'm',
    tokenizer: null,
    timeoutMs: 2000,
    retries: 2,
    backoffMs: 5,
    cooldownMs: 60_000,
  });
  const started = Date.now();
  await assert.rejects(
    engine.generate([
      {
        prompt: { tokenIds: [1, 2] },
        groupSize: 2,
        sampling: { temperature: 1 },
        maxTokens: 4,
        stop: [],
        seed: 0,
      },
    ]),
    (e: unknown) => {
      const err = e as { code: string; statusCode: number; message: string };
      assert.equal(err.code, 'GRPO_ROLLOUT_UPSTREAM');
      assert.equal(err.statusCode, 502);
      assert.equal(err.message.match(/\[http:/g)?.length, 3, err.message);
      return true;
    },
  );
  assert.ok(Date.now() - started >= 15, 'backoff 5 ms then 10 ms');
  const info = engine.policyInfo();
  assert.deepEqual(
    info.upstreams!.map((u) => u.healthy),
    [false, false],
  );
  assert.equal(
    info.upstreams!.reduce((n, u) => n + u.failures, 0),
    3,
  );
});

test('with weightUpdate none, loadPolicy only records the path and bumps the version', async () => {
  const engine = new OpenAIEngine({
    upstreams: [await closedPort()],
    model: 'm',
    tokenizer: null,
    timeoutMs: 1000,
    retries: 0,
    backoffMs: 0,
    cooldownMs: 0,
    weightUpdate: 'none',
  });
  assert.deepEqual(await engine.loadPolicy('/ckpt/step-10'), { version: 2, previousVersion: 1, model: 'm' });
  assert.equal(engine.policyInfo().path, '/ckpt/step-10');
});
