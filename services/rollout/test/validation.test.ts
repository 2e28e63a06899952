import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { createTinyPolicy } from '@grpo/model';
import type { KitApp } from '@grpo/service-kit';
import { rolloutApp, tinyPolicy } from './helpers.js';

async function post(app: KitApp, url: string, payload: unknown) {
  const res = await app.inject({ method: 'POST', url, payload: payload as object });
  return {
    status: res.statusCode,
    body: res.json() as { error: { code: string; field?: string; message: string } },
  };
}

test('bad rollout requests get 400s that name the field and code', async (t) => {
  const policy = await tinyPolicy(t);
  const app = await rolloutApp(t, policy.dir, {
    maxPrompts: 2,
    maxGroupSize: 4,
    maxNewTokens: 8,
    defaultMaxTokens: 8,
    maxPromptTokens: 20,
  });
  const cases: [unknown, string, string][] = [
    [{ prompts: [{ text: 'a', tokenIds: [1] }] }, 'GRPO_ROLLOUT_BAD_PROMPT', 'prompts[0]'],
    [{ prompts: [{}] }, 'GRPO_ROLLOUT_BAD_PROMPT', 'prompts[0]'],
    [{ prompts: [{ text: 'a' }, { text: 'b' }, { text: 'c' }] }, 'GRPO_ROLLOUT_LIMIT', 'prompts'],
    [{ prompts: [{ text: 'a' }], groupSize: 5 }, 'GRPO_ROLLOUT_LIMIT', 'groupSize'],
    [{ prompts: [{ text: 'a' }], maxTokens: 9 }, 'GRPO_ROLLOUT_LIMIT', 'maxTokens'],
    [{ prompts: [{ text: 'x'.repeat(21) }] }, 'GRPO_ROLLOUT_LIMIT', 'prompts[0]'],
    [{ prompts: [{ tokenIds: [1, 100000] }] }, 'GRPO_ROLLOUT_BAD_PROMPT', 'prompts[0].tokenIds[1]'],
    [{ prompts: [{ text: 'a' }], topP: 0 }, 'GRPO_VALIDATION', 'topP'],
    [{ prompts: [{ text: 'a' }], temperature: -1 }, 'GRPO_VALIDATION', 'temperature'],
    [{ prompts: [{ text: 'a' }], topK: -2 }, 'GRPO_VALIDATION', 'topK'],
    [{ prompts: [{ text: 'a' }], groupSize: 0 }, 'GRPO_VALIDATION', 'groupSize'],
    [{ prompts: [] }, 'GRPO_VALIDATION', 'prompts'],
    [{ prompts: [{ text: 'a' }], stop: [''] }, 'GRPO_VALIDATION', 'stop[0]'],
    [{ prompts: [{ text: 'a' }], seed: 2 ** 52 + 1 }, 'GRPO_VALIDATION', 'seed'],
    [{ prompts: [{ text: 'a' }], seed: 1.5 }, 'GRPO_VALIDATION', 'seed'],
  ];
  for (const [payload, code, field] of cases) {
    const { status, body } = await post(app, '/v1/rollouts', payload);
    assert.equal(status, 400, JSON.stringify(payload));
    assert.equal(body.error.code, code, JSON.stringify(payload));
    assert.equal(body.error.field, field, JSON.stringify(payload));
  }
});

test('the OpenAI routes reject unsupported options and limits with the OpenAI field names', async (t) => {
  const policy = await tinyPolicy(t);
  const app = await rolloutApp(t, policy.dir, { maxGroupSize: 4, maxNewTokens: 8, defaultMaxTokens: 8 });
  const cases: [string, unknown, string, string][] = [
    ['/v1/completions', { prompt: 'a', echo: true }, 'GRPO_ROLLOUT_UNSUPPORTED', 'echo'],
    ['/v1/completions', { prompt: 'a', stream: true }, 'GRPO_ROLLOUT_UNSUPPORTED', 'stream'],
    ['/v1/completions', { prompt: 'a', n: 5 }, 'GRPO_ROLLOUT_LIMIT', 'n'],
    ['/v1/completions', { prompt: 'a', max_tokens: 9 }, 'GRPO_ROLLOUT_LIMIT', 'max_tokens'],
    ['/v1/completions', { prompt: 'a', logprobs: 2 }, 'GRPO_VALIDATION', 'logprobs'],
    ['/v1/completions', { prompt: ['a', ''] }, 'GRPO_ROLLOUT_BAD_PROMPT', 'prompt[1]'],
    ['/v1/chat/completions', { messages: [{ role: 'user', content: 'a' }], n: 5 }, 'GRPO_ROLLOUT_LIMIT', 'n'],
    ['/v1/chat/completions', { messages: [] }, 'GRPO_VALIDATION', 'messages'],
  ];
  for (const [url, payload, code, field] of cases) {
    const { status, body } = await post(app, url, payload);
    assert.equal(status, 400, JSON.stringify(payload));
    assert.equal(body.error.code, code, JSON.stringify(payload));
    assert.equal(body.error.field, field, JSON.stringify(payload));
  }
});

test('a policy folder that does not load is a 400 and the version stays', async (t) => {
  const policy = await tinyPolicy(t);
  const app = await rolloutApp(t, policy.dir);
  const res = await app.inject({
    method: 'PUT',
    url: '/v1/policy',
    payload: { path: path.join(tmpdir(), 'grpo-nonexistent-checkpoint') },
  });
  assert.equal(res.statusCode, 400);
  assert.equal(res.json().error.code, 'GRPO_ROLLOUT_BAD_POLICY');
  assert.equal(res.json().error.field, 'path');
  const info = (await app.inject({ url: '/v1/policy' })).json();
  assert.deepEqual(
    { version: info.version, engine: info.engine, model: info.model },
    { version: 1, engine: 'onnx', model: 'tiny-7' },
  );
});

test("generation stops at the model's context with finish reason length; a prompt filling it is a 400", async (t) => {
  const tmp = await mkdtemp(path.join(tmpdir(), 'grpo-rollout-ctx-'));
  t.after(() => rm(tmp, { recursive: true, force: true }));
  const policy = await createTinyPolicy({ dir: path.join(tmp, 'short'), seed: 3, maxPositionEmbeddings: 16 });
  const app = await rolloutApp(t, policy.dir);
  const ids = Array.from({ length: 15 }, (_, i) => 40 + i);
  const ok = await app.inject({
    method: 'POST',
    url: '/v1/rollouts',
    payload: { prompts: [{ tokenIds: ids }], groupSize: 3, maxTokens: 10, temperature: 1.5, seed: 1 },
  });
  assert.equal(ok.statusCode, 200);
  // Positions 0..15: the prompt fills 0..14, the first new token is fed at 15, and the token
  // it predicts is the last one (never fed back), so at most 2 new tokens.
  for (const c of ok.json().groups[0].completions) {
    const eos = policy.config.eosTokenIds.includes(c.tokenIds.at(-1));
    assert.equal(c.finishReason, eos ? 'stop' : 'length');
    if (!eos) assert.equal(c.tokenIds.length, 2);
  }
  const full = await post(app, '/v1/rollouts', { prompts: [{ tokenIds: [...ids, 60] }] });
  assert.equal(full.status, 400);
  assert.equal(full.body.error.code, 'GRPO_ROLLOUT_LIMIT');
  assert.equal(full.body.error.field, 'prompts[0].tokenIds');
});
