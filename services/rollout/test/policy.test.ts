import assert from 'node:assert/strict';
import { readFile, symlink } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import type { KitApp } from '@grpo/service-kit';
import { rolloutApp, tinyPolicy } from './helpers.js';

const body = { prompts: [{ text: 'abc' }], groupSize: 2, maxTokens: 6, seed: 4, temperature: 0 };

async function greedy(app: KitApp) {
  const res = await app.inject({ method: 'POST', url: '/v1/rollouts', payload: body });
  assert.equal(res.statusCode, 200);
  return res.json() as {
    policyVersion: number;
    model: string;
    groups: { completions: { tokenIds: number[] }[] }[];
  };
}

test('uploaded safetensors weights become the next version and change the samples', async (t) => {
  const a = await tinyPolicy(t, 1);
  const b = await tinyPolicy(t, 2);
  const app = await rolloutApp(t, a.dir);
  const refB = await rolloutApp(t, b.dir);
  const before = await greedy(app);
  const bytes = await readFile(path.join(b.dir, 'model.safetensors'));
  for (const version of [2, 3]) {
    const res = await app.inject({
      method: 'PUT',
      url: '/v1/policy/weights',
      payload: bytes,
      headers: { 'content-type': 'application/octet-stream' },
    });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json().version, version);
  }
  const after = await greedy(app);
  assert.equal(after.policyVersion, 3);
  assert.deepEqual(after.groups, (await greedy(refB)).groups);
  assert.notDeepEqual(after.groups, before.groups);
});

test('a truncated safetensors upload is a 400 and the policy stays', async (t) => {
  const a = await tinyPolicy(t, 1);
  const app = await rolloutApp(t, a.dir);
  const bytes = await readFile(path.join(a.dir, 'model.safetensors'));
  const res = await app.inject({
    method: 'PUT',
    url: '/v1/policy/weights',
    payload: bytes.subarray(0, 100),
    headers: { 'content-type': 'application/octet-stream' },
  });
  assert.equal(res.statusCode, 400);
  assert.equal(res.json().error.code, 'GRPO_ROLLOUT_BAD_POLICY');
  assert.equal((await app.inject({ url: '/v1/policy' })).json().version, 1);
});

test("SGLang's update_weights_from_disk loads a folder and bumps the version", async (t) => {
  const a = await tinyPolicy(t, 1);
  const b = await tinyPolicy(t, 2);
  const app = await rolloutApp(t, a.dir);
  const res = await app.inject({
    method: 'POST',
    url: '/update_weights_from_disk',
    payload: { model_path: b.dir },
  });
  assert.equal(res.statusCode, 200);
  assert.equal(res.json().success, true);
  const info = (await app.inject({ url: '/v1/policy' })).json();
  assert.deepEqual([info.version, info.model, info.path], [2, 'tiny-2', b.dir]);
});

test('/metrics counts groups and sampled tokens and shows the policy version', async (t) => {
  const a = await tinyPolicy(t, 1);
  const app = await rolloutApp(t, a.dir);
  const res = await app.inject({
    method: 'POST',
    url: '/v1/rollouts',
    payload: { prompts: [{ text: 'a' }, { text: 'b' }], groupSize: 3, maxTokens: 5, seed: 1 },
  });
  const tokens = (res.json() as { usage: { completionTokens: number } }).usage.completionTokens;
  const text = (await app.inject({ url: '/metrics' })).body;
  assert.match(text, /^grpo_rollout_groups_total 2$/m);
  assert.match(text, new RegExp(`^grpo_rollout_generated_tokens_total ${tokens}$`, 'm'));
  assert.match(text, /^grpo_rollout_policy_version 1$/m);
});

test('PUT /v1/policy and update_weights_from_disk load only inside the model roots (403 with the field)', async (t) => {
  const a = await tinyPolicy(t, 1);
  const b = await tinyPolicy(t, 2);
  const root = path.dirname(a.dir);
  const app = await rolloutApp(t, a.dir, { modelRoot: root });
  await symlink(b.dir, path.join(root, 'link-out'));
  const cases: [string, string, Record<string, string>][] = [
    ['PUT', '/v1/policy', { path: '/root/.ssh' }],
    ['PUT', '/v1/policy', { path: b.dir }],
    ['PUT', '/v1/policy', { path: `${a.dir}/../../${path.basename(path.dirname(b.dir))}/tiny-2` }],
    ['PUT', '/v1/policy', { path: path.join(root, 'link-out') }],
    ['POST', '/update_weights_from_disk', { model_path: '/etc' }],
    ['POST', '/update_weights_from_disk', { model_path: path.join(root, 'link-out') }],
  ];
  for (const [method, url, payload] of cases) {
    const res = await app.inject({ method: method as 'PUT' | 'POST', url, payload });
    assert.equal(res.statusCode, 403, `${url} ${JSON.stringify(payload)}: ${res.body}`);
    const err = res.json().error;
    assert.equal(err.code, 'GRPO_PATH_OUTSIDE_ROOTS');
    assert.equal(err.field, 'path' in payload ? 'path' : 'model_path');
    assert.match(err.message, /GRPO_ROLLOUT_MODEL_ROOT/);
  }
  assert.equal((await app.inject({ url: '/v1/policy' })).json().version, 1);
  // Inside the root, the same routes still load.
  const ok = await app.inject({ method: 'PUT', url: '/v1/policy', payload: { path: a.dir } });
  assert.equal(ok.statusCode, 200, ok.body);
});
