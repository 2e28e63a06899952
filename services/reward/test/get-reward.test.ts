import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { KitApp } from '@grpo/service-kit';
import { extractCompletion } from '../src/index.js';
import { buildTestRewardApp } from './helpers/app.js';

const tokens = ['<|im_end|>', '<|endoftext|>', '</s>'];

test('the prompt prefix and special tokens are removed from a query', () => {
  assert.equal(extractCompletion('Q: 2+2?<answer>4<|im_end|><|endoftext|>', 'Q: 2+2?', tokens), '<answer>4');
});

test('a prompt that only matches once tokens are removed is still stripped', () => {
  assert.equal(extractCompletion('<s>Q?</s> A</s>', '<s>Q?', ['</s>', '<s>']), 'A');
});

test('a query that does not start with its prompt is scored whole', () => {
  assert.equal(extractCompletion('answer</s>', 'other prompt', tokens), 'answer');
  assert.equal(extractCompletion('answer', undefined, tokens), 'answer');
});

let app: KitApp;
before(async () => {
  app = await buildTestRewardApp();
});
after(() => app.close());

test('get_reward returns rewards, scores and per-function extra_logs', async () => {
  const res = await app.inject({
    method: 'POST',
    url: '/get_reward',
    payload: {
      query: ['P1<answer>7<|im_end|>', 'P2wrong</s>', 'P3<answer>'],
      prompts: ['P1', 'P2', 'P3'],
      labels: ['<answer>7', 'x', null],
    },
  });
  assert.equal(res.statusCode, 200, res.body);
  assert.deepEqual(res.json(), {
    rewards: [1.5, 0, 0.5],
    scores: [1.5, 0, 0.5],
    extra_logs: { matches_reference: [1, 0, 0], contains: [1, 0, 1] },
  });
});

test('get_reward accepts empty lists', async () => {
  const res = await app.inject({
    method: 'POST',
    url: '/get_reward',
    payload: { query: [], prompts: [], labels: [] },
  });
  assert.equal(res.statusCode, 200);
  assert.deepEqual(res.json(), {
    rewards: [],
    scores: [],
    extra_logs: { matches_reference: [], contains: [] },
  });
});

test('get_reward rejects prompts of another length naming prompts', async () => {
  const res = await app.inject({
    method: 'POST',
    url: '/get_reward',
    payload: { query: ['a', 'b'], prompts: ['a'] },
  });
  assert.equal(res.statusCode, 400);
  assert.equal(res.json().error.code, 'GRPO_REWARD_LENGTH_MISMATCH');
  assert.equal(res.json().error.field, 'prompts');
});

test('get_reward rejects a query that is not a list of strings', async () => {
  const res = await app.inject({ method: 'POST', url: '/get_reward', payload: { query: 'text' } });
  assert.equal(res.statusCode, 400);
  assert.equal(res.json().error.field, 'query');
});
